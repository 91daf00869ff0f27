"""What the pages print: pure functions, no server (dates: tests/events/test_formatting.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from events import schemas
from events.web import format


def test_day_bounds_cover_whole_local_days():
    first, stop = format.day_bounds(date(2027, 3, 4), date(2027, 3, 5), "America/Denver")
    assert first == datetime(2027, 3, 4, 7, tzinfo=UTC)
    assert stop == datetime(2027, 3, 6, 7, tzinfo=UTC)
    assert format.day_bounds(None, None, "UTC") == (None, None)


def test_availability():
    def label(**fields):
        base = {
            "status": "published",
            "capacity": 10,
            "seats_left": 3,
            "waitlist_length": 0,
            "registration_open": True,
        }
        return format.availability(**(base | fields))

    assert label() == ("3 seats left", "ok")
    assert label(seats_left=1) == ("1 seat left", "ok")
    assert label(seats_left=0, waitlist_length=4) == ("Full: 4 on the waitlist", "warn")
    assert label(seats_left=0) == ("Full: waitlist open", "warn")
    assert label(capacity=None, seats_left=None) == ("Open registration", "ok")
    assert label(registration_open=False) == ("Registration closed", "muted")
    assert label(status="cancelled") == ("Cancelled", "alert")


def test_registration_note():
    now = datetime(2027, 1, 1, tzinfo=UTC)
    later = datetime(2027, 1, 10, 17, tzinfo=UTC)
    common = {"status": "published", "timezone": "America/Denver", "now": now}
    assert format.registration_note(opens_at=later, closes_at=None, is_open=False, **common) == (
        "Registration opens Sun, Jan 10, 2027, 10:00 AM MST."
    )
    assert format.registration_note(opens_at=None, closes_at=later, is_open=True, **common) == (
        "Registration closes Sun, Jan 10, 2027, 10:00 AM MST."
    )
    assert format.registration_note(opens_at=None, closes_at=None, is_open=True, **common) is None


def test_map_link_from_coordinates_or_address():
    pinned = schemas.Venue(name="Library", address="10 W 14th", latitude=39.7375, longitude=-105)
    assert format.map_link(pinned) == (
        "https://www.openstreetmap.org/?mlat=39.73750&mlon=-105.00000#map=17/39.73750/-105.00000"
    )
    assert format.map_link(schemas.Venue(name="City Hall", address="1437 Bannock St & 14th")) == (
        "https://www.openstreetmap.org/search?query=1437+Bannock+St+%26+14th"
    )
    assert format.map_link(schemas.Venue(name="City Hall")).endswith("query=City+Hall")
    assert format.map_link(None) is None


def test_markdown_is_safe_and_its_headings_sit_under_the_page():
    html = format.markdown(
        "# Agenda\n\n## Morning\n\n<script>alert(1)</script> <b>x</b>\n\n"
        "[bad](javascript:alert(1)) [good](https://nscp.example/) ![i](data:text/html,x)"
    )
    assert "<h3>Agenda</h3>" in html and "<h4>Morning</h4>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;b&gt;" in html
    assert 'href="javascript:' not in html and 'src="data:text/html' not in html
    assert '<a href="https://nscp.example/">good</a>' in html
    assert "<h3>Only</h3>" in format.markdown("###### Only")


def test_markdown_images_become_links_so_no_outside_host_sees_the_visitor():
    html = format.markdown('See ![the "map"](https://tracker.example/p.png) and ![](/x.png).')
    assert "<img" not in html
    assert '<a href="https://tracker.example/p.png">the &quot;map&quot;</a>' in html
    assert '<a href="/x.png">image</a>' in html
    assert 'href="javascript' not in format.markdown("![x](javascript:alert(1))")
