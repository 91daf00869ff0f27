import pytest

from events.errors import InvalidInput
from events.services.answers import validate_answers

QUESTIONS = [
    {"key": "role", "label": "Role", "kind": "choice", "required": True, "choices": ["A", "B"]},
    {"key": "notes", "label": "Notes"},
    {"key": "parking", "label": "Parking?", "kind": "boolean"},
]


def test_valid_answers_are_trimmed_and_blanks_dropped():
    cleaned = validate_answers(QUESTIONS, {"role": "A", "notes": "  hi  ", "parking": False})
    assert cleaned == {"role": "A", "notes": "hi", "parking": False}
    assert validate_answers(QUESTIONS, {"role": "B", "notes": "   "}) == {"role": "B"}


@pytest.mark.parametrize(
    ("answers", "problems"),
    [
        ({}, {"role"}),
        ({"role": "C"}, {"role"}),
        ({"role": "A", "parking": "yes"}, {"parking"}),
        ({"role": "A", "notes": True}, {"notes"}),
        ({"role": "A", "notes": "x" * 2001}, {"notes"}),
        ({"role": "A", "shoe_size": "9"}, {"shoe_size"}),
    ],
)
def test_every_problem_is_reported(answers, problems):
    with pytest.raises(InvalidInput) as refused:
        validate_answers(QUESTIONS, answers)
    assert {error["question"] for error in refused.value.extra["errors"]} == problems
    assert refused.value.extra["reason"] == "invalid_answers"
