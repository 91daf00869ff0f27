from events.db import _numbered_placeholders, dump_json, load_json


def test_placeholders_become_numbered_parameters():
    assert _numbered_placeholders("SELECT {} FROM t WHERE a = {} AND b = {}") == (
        "SELECT $1 FROM t WHERE a = $2 AND b = $3"
    )
    assert _numbered_placeholders("SELECT 1") == "SELECT 1"


def test_json_round_trips_text_and_passes_decoded_values_through():
    assert load_json(dump_json({"a": [1, True]})) == {"a": [1, True]}
    assert load_json({"already": "decoded"}) == {"already": "decoded"}
