"""The iMIP builder (events.calendar.invitations): plain data in, a VCALENDAR with METHOD,
ORGANIZER and ATTENDEE out, read by icalendar, the strict `ical` package and ical.js."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import icalendar
import pytest

from events.calendar.ical import SessionEntry
from events.calendar.invitations import Invitation, Method, Party, render, sequence
from tests.support import icaljs, strict_ical

STAMP = datetime(2026, 12, 1, 15, 30, 7, 123456, tzinfo=UTC)
ORGANIZER = Party("Colorado Smart Cities Alliance", "colorado@events.nscp.example")
ATTENDEE = Party("Ana Nguyễn, P.E.", "ana@denvergov.example")


@pytest.fixture(scope="module")
def ical_js():
    return icaljs.install()


def _entry(session_id: int, **changes) -> SessionEntry:
    entry = SessionEntry(
        uid=f"session-{session_id}@convene.test",
        sequence=3,
        stamp=datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
        starts_at=datetime(2026, 12, 15, 17, 0, tzinfo=UTC),
        ends_at=datetime(2026, 12, 15, 20, 0, tzinfo=UTC),
        summary="Smart Streetlights 101",
        description="You are registered (confirmed).",
        url="https://convene.test/events/streetlights",
        status="CONFIRMED",
        location="City Hall, 1437 Bannock St",
        organizer_name="Colorado Smart Cities Alliance",
        organizer_url="https://convene.test/regions/colorado",
    )
    return replace(entry, **changes)


def _invitation(method: Method, *entries: SessionEntry, **sequences: int) -> Invitation:
    return Invitation(
        method=method,
        organizer=ORGANIZER,
        attendee=ATTENDEE,
        sessions=entries,
        sequence={entry.uid: sequences.get(entry.uid.split("@")[0], 0) for entry in entries},
        stamp=STAMP,
    )


@pytest.mark.parametrize(
    ("revision", "cancellations", "own_cancel", "expected"),
    [
        (0, 0, False, 0),  # the first REQUEST: the feed's SEQUENCE
        (0, 0, True, 1),  # the member cancels: above it
        (0, 1, False, 2),  # registers again: above the CANCEL
        (1, 1, False, 3),  # the session moves
        (1, 1, True, 4),  # cancels again
        (2, 2, False, 6),  # the event is cancelled (revision 2) after a second return
    ],
)
def test_the_sequence_rule(revision, cancellations, own_cancel, expected):
    assert sequence(revision, cancellations, own_cancel=own_cancel) == expected


def test_each_message_outranks_the_one_before_it():
    """The life of one registration, in order: every SEQUENCE is above the previous one."""
    steps = [
        sequence(0, 0),  # REQUEST
        sequence(1, 0),  # updated REQUEST (time changed)
        sequence(1, 0, own_cancel=True),  # CANCEL
        sequence(1, 1),  # REQUEST after registering again
        sequence(2, 1),  # CANCEL of the session (its revision rose)
    ]
    assert steps == sorted(set(steps))


def test_a_request_names_the_organizer_and_the_attendee(ical_js):
    data = render(
        _invitation(Method.request, _entry(7), _entry(8, summary="Day two"), **{"session-8": 2})
    )

    calendar = icalendar.Calendar.from_ical(data)
    assert calendar["METHOD"] == "REQUEST" and calendar["VERSION"] == "2.0"
    first, second = calendar.walk("VEVENT")
    assert (str(first["UID"]), int(first["SEQUENCE"])) == ("session-7@convene.test", 0)
    assert (str(second["UID"]), int(second["SEQUENCE"])) == ("session-8@convene.test", 2)
    organizer = first["ORGANIZER"]
    assert str(organizer) == "mailto:colorado@events.nscp.example"
    assert organizer.params["CN"] == "Colorado Smart Cities Alliance"
    attendee = first["ATTENDEE"]
    assert str(attendee) == "mailto:ana@denvergov.example"
    assert attendee.params["CN"] == "Ana Nguyễn, P.E."
    assert (attendee.params["PARTSTAT"], attendee.params["RSVP"]) == ("NEEDS-ACTION", "FALSE")
    assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
    assert first["DTSTAMP"].dt == STAMP.replace(microsecond=0)  # when the message is made
    assert first["DTSTART"].dt == datetime(2026, 12, 15, 17, 0, tzinfo=UTC)
    assert b"DTSTART:20261215T170000Z" in data  # UTC instants, no VTIMEZONE
    assert b"VTIMEZONE" not in data and first["STATUS"] == "CONFIRMED"
    assert len(strict_ical.parse(data).events) == 2
    read = ical_js.parse(data)
    assert read["method"] == "REQUEST"
    event = read["events"][0]
    assert event["organizer"] == "mailto:colorado@events.nscp.example"
    assert event["attendee"]["value"] == "mailto:ana@denvergov.example"
    assert event["attendee"]["partstat"] == "NEEDS-ACTION"
    assert event["start"] == "2026-12-15T17:00:00.000Z"


def test_a_cancel_marks_every_session_cancelled(ical_js):
    data = render(_invitation(Method.cancel, _entry(7), _entry(8), **{"session-7": 1}))

    calendar = icalendar.Calendar.from_ical(data)
    assert calendar["METHOD"] == "CANCEL"
    assert [str(e["STATUS"]) for e in calendar.walk("VEVENT")] == ["CANCELLED", "CANCELLED"]
    assert [int(e["SEQUENCE"]) for e in calendar.walk("VEVENT")] == [1, 0]
    assert all(str(e["ORGANIZER"]).startswith("mailto:") for e in calendar.walk("VEVENT"))
    read = ical_js.parse(data)
    assert read["method"] == "CANCEL"
    assert {e["status"] for e in read["events"]} == {"CANCELLED"}
    strict_ical.parse(data)


def test_names_with_control_characters_stay_readable_by_strict_parsers(ical_js):
    invitation = replace(
        _invitation(Method.request, _entry(7, summary="Pasted\x0bTitle\x07")),
        attendee=Party("Dana\x0b Web\x00", "dana@denvergov.example"),
        organizer=Party("Colorado\x1f", "colorado@events.nscp.example"),
    )
    data = render(invitation)

    strict_ical.parse(data)
    read = ical_js.parse(data)
    assert read["events"][0]["attendee"]["cn"] == "Dana Web"
    assert read["events"][0]["summary"] == "Pasted\nTitle"
