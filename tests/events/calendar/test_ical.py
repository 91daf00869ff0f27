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
    add_links,
    clean_text,
    render_calendar,
    render_session,
)
from tests.support import strict_ical
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
    link = add_links(
        "Drill, part 1",
        datetime(2027, 11, 7, 1, 30, tzinfo=DENVER, fold=1),
        datetime(2027, 11, 7, 3, 0, tzinfo=DENVER),
        "https://convene.test/events/drill",
        "City Hall",
    ).google
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


def test_outlook_links_have_utc_times():
    links = add_links(
        "Drill",
        datetime(2027, 3, 14, 1, 30, tzinfo=DENVER),
        datetime(2027, 3, 14, 3, 30, tzinfo=DENVER),
        "Details",
        "Online",
    )
    for link, host in (
        (links.outlook_office, "outlook.office.com"),
        (links.outlook_com, "outlook.live.com"),
    ):
        parts = urlsplit(link)
        assert (parts.scheme, parts.netloc) == ("https", host)
        assert parts.path == "/calendar/0/deeplink/compose"
        query = parse_qs(parts.query)
        assert query["startdt"] == ["2027-03-14T08:30:00Z"]
        assert query["enddt"] == ["2027-03-14T09:30:00Z"]
        assert query["subject"] == ["Drill"]
        assert query["rru"] == ["addevent"]


def test_links_encode_spaces_as_percent_20_and_keep_every_character():
    """Outlook shows a "+" from a query as a plus sign: spaces must be %20."""
    links = add_links(
        "Smart Streets: 1 + 1 & more",
        datetime(2027, 3, 14, 15, 0, 0, 750000, tzinfo=UTC),
        datetime(2027, 3, 14, 16, 0, tzinfo=UTC),
        "Line one\nZweite Zeile, ü",
        "City Hall\x0b Room 2",
    )
    outlook_query = (
        "path=%2Fcalendar%2Faction%2Fcompose&rru=addevent"
        "&subject=Smart%20Streets%3A%201%20%2B%201%20%26%20more"
        "&startdt=2027-03-14T15%3A00%3A00Z&enddt=2027-03-14T16%3A00%3A00Z"
        "&body=Line%20one%0AZweite%20Zeile%2C%20%C3%BC&location=City%20Hall%0A%20Room%202"
    )
    assert links.outlook_office == (
        f"https://outlook.office.com/calendar/0/deeplink/compose?{outlook_query}"
    )
    assert (
        links.outlook_com == f"https://outlook.live.com/calendar/0/deeplink/compose?{outlook_query}"
    )
    assert links.google == (
        "https://calendar.google.com/calendar/render?action=TEMPLATE"
        "&text=Smart%20Streets%3A%201%20%2B%201%20%26%20more"
        "&dates=20270314T150000Z%2F20270314T160000Z"
        "&details=Line%20one%0AZweite%20Zeile%2C%20%C3%BC&location=City%20Hall%0A%20Room%202"
    )
    for link in (links.google, links.outlook_office, links.outlook_com):
        assert "+" not in link and " " not in link


# C0 but tab, LF and CR; DEL; C1 (what Word, terminals and old encodings leave behind).
CONTROLS = [
    chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)]
]


def test_clean_text_removes_every_control_character_and_keeps_text():
    assert clean_text("Café\tdata, ✓ 交通") == "Café\tdata, ✓ 交通"
    assert clean_text("a\r\nb\rc\nd") == "a\nb\nc\nd"
    assert clean_text("Word\x0bline\x0cpage\x85next") == "Word\nline\npage\nnext"
    dirty = "x" + "".join(CONTROLS) + "y"
    cleaned = clean_text(dirty)
    assert cleaned.replace("\n", "") == "xy"
    assert not any(ch in cleaned for ch in CONTROLS)


def test_no_control_character_reaches_the_bytes_and_strict_readers_accept_them():
    dirty = "".join(CONTROLS)
    entry = _entry(
        summary=f"Sum{dirty}mary",
        description=f"De{dirty}scription",
        location=f"Lo{dirty}cation",
        categories=(f"Ca{dirty}t",),
        organizer_name=f"Or{dirty}g",
        uid=f"session-7{dirty}@convene.test",
        url=f"https://convene.test/events/{dirty}cafe",
    )
    info = FeedInfo(
        f"Na{dirty}me", f"Fe{dirty}ed", f"https://convene.test/{dirty}", "Europe/Berlin"
    )
    body = render_calendar(info, [render_session(entry)])
    text = body.decode()
    assert not any(ch in text for ch in CONTROLS if ch not in "\r")
    assert "\r" not in text.replace("\r\n", "")
    calendar = strict_ical.parse(body)
    [event] = calendar.events
    assert event.summary.replace("\n", "") == "Summary"
    assert event.description.replace("\n", "") == "Description"
    assert b"X-WR-TIMEZONE:Europe/Berlin\r\n" in body
