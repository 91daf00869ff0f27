"""Item 11.9: no control character leaves in a feed, whatever the database holds.

The rows are written straight into the database, as rows stored before the entry side
cleaned its input would be, so only the feeds' own cleaning stands between them and the
subscribers. Every feed is read by the strict `ical` reader (``parse_ics``) and ical.js.
"""

from __future__ import annotations

from datetime import UTC, datetime

from events.db import DB, fetch
from tests.support.feeds import IDENTITY, get_feed, path_of, read_feed

# What Word and friends paste: vertical tab, bell, form feed, other C0, DEL, C1 (NEL, CSI).
PASTED = "\x0b\x07\x0c\x01\x1b\x1f\x7f\x85\x9b"
CONTROLS = {
    chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)]
}
STAMP = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)  # a fixed change time: the caches follow it


def _dirty(word: str) -> str:
    # PostgreSQL text cannot hold NUL; SQLite can, and then it must be cleaned as well.
    nul = "\x00" if DB.engine_type == "sqlite" else ""
    return f"{word[:2]}{PASTED}{nul}{word[2:]}"


def _seen(word: str) -> str:
    """What a subscriber reads: VT, FF and NEL as line breaks, the others gone."""
    return f"{word[:2]}\n\n\n{word[2:]}"


def _assert_clean(body: bytes) -> None:
    text = body.decode()
    assert not CONTROLS & set(text.replace("\r\n", "")), "a control character left in a feed"
    assert "\r" not in text.replace("\r\n", "")


async def _soil(event: dict) -> None:
    """Control characters in every text that reaches a feed, written behind the services."""
    await fetch(
        "UPDATE event SET title = {}, summary = {}, venue_name = {}, venue_address = {}, "
        "updated_at = {} WHERE slug = {}",
        _dirty("Cyber Drill"),
        _dirty("Pasted from Word"),
        _dirty("City Hall"),
        _dirty("1437 Bannock St"),
        STAMP,
        event["slug"],
    )
    await fetch(
        "UPDATE event_session SET title = {}, description = {}, updated_at = {} "
        "WHERE event = (SELECT id FROM event WHERE slug = {})",
        _dirty("Part 1"),
        _dirty("Bring a laptop"),
        STAMP,
        event["slug"],
    )
    await fetch("UPDATE region SET name = {} WHERE slug = 'colorado'", _dirty("Colorado"))
    await fetch("UPDATE topic SET name = {} WHERE slug = 'cybersecurity'", _dirty("Cyber"))


async def test_control_characters_in_stored_rows_never_reach_a_feed(client, world, parse_ics):
    event = await world.create_event(client)
    person = await world.member()
    registered = await client.post(
        f"/api/events/{event['slug']}/registration", headers=person.headers
    )
    assert registered.status_code in (200, 201), registered.text
    link = (await client.get("/api/me/calendar", headers=person.headers)).json()
    await _soil(event)
    paths = [
        f"/calendar/events/{event['slug']}.ics",
        "/calendar/all.ics",
        "/calendar/all.ics?topic=cybersecurity",
        "/calendar/regions/colorado.ics",
        path_of(link["url"]),
    ]
    for path in paths:
        response = await get_feed(client, path)
        assert response.status_code == 200, path
        _assert_clean(response.content)
        calendar = await read_feed(client, parse_ics, path)  # strict `ical`, then ical.js
        [read] = calendar["events"]
        assert read["summary"] == f"{_seen('Cyber Drill')}: {_seen('Part 1')}", path
        assert read["description"].startswith(
            f"{_seen('Pasted from Word')}\n\n{_seen('Bring a laptop')}"
        )
        assert read["location"] == f"{_seen('City Hall')}, {_seen('1437 Bannock St')}"
        assert read["categories"] == [_seen("Cyber")]
        assert read["organizer_cn"] == _seen("Colorado")
    region = await read_feed(client, parse_ics, "/calendar/regions/colorado.ics")
    assert region["name"] == region["x_wr_calname"] == _seen("Colorado")
    # The gzip form is the same text.
    gzipped = await client.get(paths[1], headers={"accept-encoding": "gzip"})
    _assert_clean(gzipped.content)


async def test_a_control_character_in_a_filter_value_is_refused_not_echoed(client, world):
    await world.create_event(client)
    for params in (
        {"region": "colorado\x00"},
        {"topic": "cyber\x0bsecurity"},
        {"region": "a\x7fb", "topic": "x"},
        {"topic": "c1\x9b"},
        {"region": "cr\r"},
    ):
        for method in ("GET", "HEAD"):
            response = await client.request(
                method, "/calendar/all.ics", params=params, headers=IDENTITY
            )
            assert response.status_code == 422, (params, method)
            if method == "GET":
                problem = response.json()
                assert problem["reason"] == "invalid_value"
                assert problem["parameter"] in params
                assert not CONTROLS & set(response.text)
    # Text without control characters is still echoed as text (escaped).
    response = await client.get("/calendar/all.ics", params={"topic": "a\tb"}, headers=IDENTITY)
    assert response.status_code == 200
