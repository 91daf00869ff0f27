"""The pure builders in events.calendar.ical: plain data in, bytes out (no server)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from events.calendar.ical import (
    FeedInfo,
    SessionEntry,
    google_link,
    outlook_link,
    render_calendar,
    render_session,
)
from tests.support.feeds import physical_lines
from tests.support.node import ROOT

INFO = FeedInfo("Test feed", "A feed for tests.", "https://convene.test/events")
DENVER = ZoneInfo("America/Denver")


def _entry(**changes) -> SessionEntry:
    entry = SessionEntry(
        uid="session-7@convene.test",
        sequence=2,
        stamp=datetime(2026, 11, 1, 12, 0, 5, tzinfo=UTC),
        starts_at=datetime(2027, 3, 14, 1, 30, tzinfo=DENVER),
        ends_at=datetime(2027, 3, 14, 3, 30, tzinfo=DENVER),
        summary="Café, Señor; Ölfeld\nzweite Zeile",
        description="x" * 300 + " ü; é, \\ done",
        url="https://convene.test/events/cafe",
        status="CONFIRMED",
        location="Hall; B, 2nd floor",
        geo=(39.7392, -104.9903),
        categories=("Cybersecurity", "Smart, Cities"),
        organizer_name='Colorado "Smart" Cities',
        organizer_url="https://convene.test/regions/colorado",
    )
    return replace(entry, **changes)


def test_equal_input_gives_equal_bytes():
    assert render_session(_entry()) == render_session(_entry())
    fragments = [render_session(_entry()), render_session(_entry(uid="session-8@convene.test"))]
    assert render_calendar(INFO, fragments) == render_calendar(INFO, list(fragments))
    assert b"METHOD" not in render_calendar(INFO, fragments)


def test_equal_input_gives_equal_bytes_in_another_process():
    """No clock, no randomness, no hash order: a fresh interpreter renders the same bytes."""
    program = (
        "import sys; from tests.events.calendar.test_ical import _entry, INFO; "
        "from events.calendar.ical import render_calendar, render_session; "
        "sys.stdout.buffer.write(render_calendar(INFO, [render_session(_entry())]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", program],
        cwd=ROOT,
        capture_output=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(ROOT)},
    )
    assert done.stdout == render_calendar(INFO, [render_session(_entry())])


def test_a_session_reads_back_in_icaljs(parse_ics):
    calendar = parse_ics(render_calendar(INFO, [render_session(_entry())]))
    [read] = calendar["events"]
    assert read["uid"] == "session-7@convene.test"
    assert read["sequence"] == 2
    assert read["start"] == "2027-03-14T08:30:00.000Z"  # 01:30 MST
    assert read["end"] == "2027-03-14T09:30:00.000Z"  # 03:30 MDT: one hour later
    assert read["summary"] == "Café, Señor; Ölfeld\nzweite Zeile"
    assert read["description"] == "x" * 300 + " ü; é, \\ done"
    assert read["location"] == "Hall; B, 2nd floor"
    assert read["geo"] == [39.7392, -104.9903]
    assert read["categories"] == ["Cybersecurity", "Smart, Cities"]
    assert read["organizer_cn"] == 'Colorado "Smart" Cities'
    assert read["organizer"] == "https://convene.test/regions/colorado"
    assert read["dtstamp"] == read["last_modified"] == "2026-11-01T12:00:05.000Z"
    assert read["status"] == "CONFIRMED"
    assert read["has_attendee"] is False
    assert calendar["name"] == calendar["x_wr_calname"] == "Test feed"
    assert calendar["description"] == calendar["x_wr_caldesc"] == "A feed for tests."
    assert calendar["refresh_interval"] == {"value": "PT6H", "type": "duration"}


def test_times_are_utc_instants_whatever_the_input_zone():
    body = render_session(
        _entry(
            starts_at=datetime(2027, 2, 1, 22, 0, tzinfo=timezone(timedelta(hours=5, minutes=30))),
            ends_at=datetime(2027, 2, 2, 1, 15, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        )
    )
    assert b"DTSTART:20270201T163000Z\r\n" in body
    assert b"DTEND:20270201T194500Z\r\n" in body
    assert b"TZID" not in body


def test_a_cancelled_session_is_transparent():
    body = render_session(_entry(status="CANCELLED"))
    assert b"STATUS:CANCELLED\r\n" in body and b"TRANSP:TRANSPARENT\r\n" in body
    assert b"TRANSP" not in render_session(_entry())


def test_optional_properties_are_left_out_when_unknown(parse_ics):
    body = render_session(
        _entry(location=None, geo=None, categories=(), organizer_name=None, organizer_url=None)
    )
    for name in (b"LOCATION", b"GEO", b"CATEGORIES", b"ORGANIZER"):
        assert name not in body
    [read] = parse_ics(render_calendar(INFO, [body]))["events"]
    assert (read["location"], read["geo"], read["categories"]) == (None, None, [])


def test_long_and_multibyte_text_is_folded_at_75_octets(parse_ics):
    text = ("Ölfeld 🚲 交通; " * 40).strip()
    info = FeedInfo(text, text, "https://convene.test/" + "a" * 120)
    body = render_calendar(info, [render_session(_entry(summary=text, description=text))])
    for line in physical_lines(body):
        assert len(line) <= 75, line
        line.decode("utf-8")
    calendar = parse_ics(body)
    assert calendar["name"] == calendar["x_wr_calname"] == calendar["description"] == text
    assert calendar["events"][0]["summary"] == calendar["events"][0]["description"] == text


def test_calendar_names_are_escaped_text(parse_ics):
    name = "NSCP events (region: a,b;c\\d\nnext line)"
    body = render_calendar(FeedInfo(name, name, INFO.url), [])
    assert b"NAME:NSCP events (region: a\\,b\\;c\\\\d\\nnext line)\r\n" in body
    calendar = parse_ics(body)
    assert calendar["name"] == calendar["x_wr_calname"] == calendar["x_wr_caldesc"] == name


def test_the_empty_calendar_holds_a_vtimezone_and_parses(parse_ics):
    body = render_calendar(INFO, [])
    assert b"BEGIN:VTIMEZONE\r\n" in body
    assert body.startswith(b"BEGIN:VCALENDAR\r\n") and body.endswith(b"END:VCALENDAR\r\n")
    calendar = parse_ics(body)
    assert calendar["events"] == []
    assert calendar["components"] == ["vtimezone"]
    assert calendar["timezones"] == ["UTC"]
    assert calendar["name"] == "Test feed"
    assert render_calendar(INFO, []) == body


def test_google_link_has_utc_times():
    link = google_link(
        "Drill, part 1",
        datetime(2027, 11, 7, 1, 30, tzinfo=DENVER, fold=1),
        datetime(2027, 11, 7, 3, 0, tzinfo=DENVER),
        "https://convene.test/events/drill",
        "City Hall",
    )
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "calendar.google.com",
        "/calendar/render",
    )
    query = parse_qs(parts.query)
    assert query["action"] == ["TEMPLATE"]
    assert query["dates"] == ["20271107T083000Z/20271107T100000Z"]
    assert query["text"] == ["Drill, part 1"]
    assert query["details"] == ["https://convene.test/events/drill"]
    assert query["location"] == ["City Hall"]


def test_outlook_link_has_utc_times():
    link = outlook_link(
        "Drill",
        datetime(2027, 3, 14, 1, 30, tzinfo=DENVER),
        datetime(2027, 3, 14, 3, 30, tzinfo=DENVER),
        "Details",
        "Online",
    )
    parts = urlsplit(link)
    assert parts.scheme == "https" and parts.netloc == "outlook.live.com"
    query = parse_qs(parts.query)
    assert query["startdt"] == ["2027-03-14T08:30:00Z"]
    assert query["enddt"] == ["2027-03-14T09:30:00Z"]
    assert query["subject"] == ["Drill"]
    assert query["rru"] == ["addevent"]
