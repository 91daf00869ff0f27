"""Item 11.10: region feeds name their zone, downloads carry a filename, and times are
stored in whole seconds, so the API, the feeds and the links say the same instant."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

from events.db import fetch, fetch_one
from tests.support.feeds import IDENTITY, get_feed, instant, path_of, read_feed
from tests.support.node import ROOT
from tests.support.world import auth

MIGRATION = ROOT / "migrations" / "events" / "events_2026_11_26t09_00_00_000000.py"


async def test_region_feeds_carry_their_zone_and_other_feeds_none(client, world, parse_ics):
    event = await world.create_event(client, regions=["colorado", "the-connective"])
    for path, zone in (
        ("/calendar/regions/colorado.ics", "America/Denver"),
        ("/calendar/regions/the-connective.ics", "America/Phoenix"),
        ("/calendar/regions/national.ics", "America/Chicago"),
        (f"/calendar/events/{event['slug']}.ics", None),
        ("/calendar/all.ics", None),
        ("/calendar/all.ics?region=colorado", None),
    ):
        calendar = await read_feed(client, parse_ics, path)
        assert calendar["x_wr_timezone"] == zone, path


async def test_every_feed_download_has_a_safe_filename(client, world):
    event = await world.create_event(client)
    person = await world.member()
    link = (await client.get("/api/me/calendar", headers=person.headers)).json()
    expected = {
        "/calendar/regions/colorado.ics": "convene-colorado.ics",
        f"/calendar/events/{event['slug']}.ics": f"convene-{event['slug']}.ics",
        "/calendar/all.ics": "convene-events.ics",
        "/calendar/all.ics?region=colorado&kind=workshop": "convene-events-colorado-workshop.ics",
        # Whatever a subscriber types, the header stays a plain quoted token (RFC 6266).
        "/calendar/all.ics?topic=Caf%C3%A9%20%22x%22%3B%20%5C%2F..": "convene-events-caf-x.ics",
        path_of(link["url"]): "convene-my-events.ics",
    }
    for path, filename in expected.items():
        for method in ("GET", "HEAD"):
            response = await client.request(method, path, headers=IDENTITY)
            assert response.status_code == 200, (path, response.text)
            assert response.headers["content-disposition"] == f'inline; filename="{filename}"'
    gzipped = await get_feed(client, "/calendar/regions/colorado.ics", accept_encoding="gzip")
    assert gzipped.headers["content-disposition"] == 'inline; filename="convene-colorado.ics"'


async def test_times_are_stored_in_whole_seconds_and_agree_everywhere(client, world, parse_ics):
    event = await world.create_event(
        client,
        registration_opens_at="2030-05-01T08:00:00.999+00:00",
        sessions=[
            {
                "title": "Main",
                "starts_at": "2030-06-03T15:00:00.750+00:00",
                "ends_at": "2030-06-03T17:30:00.250+00:00",
            }
        ],
    )
    [session] = event["sessions"]
    assert instant(session["starts_at"]) == datetime(2030, 6, 3, 15, 0, tzinfo=UTC)
    assert instant(session["ends_at"]) == datetime(2030, 6, 3, 17, 30, tzinfo=UTC)
    assert instant(event["registration_opens_at"]) == datetime(2030, 5, 1, 8, 0, tzinfo=UTC)
    # A change with a fraction: stored whole too.
    patched = await client.patch(
        f"/api/manage/sessions/{session['id']}",
        json={"ends_at": "2030-06-03T18:00:00.500+00:00"},
        headers=auth(world.admin),
    )
    assert patched.status_code == 200, patched.text
    updated = await client.patch(
        f"/api/manage/events/{event['slug']}",
        json={"registration_closes_at": "2030-06-02T12:00:00.125+00:00"},
        headers=auth(world.admin),
    )
    assert updated.status_code == 200, updated.text
    row = await fetch_one(
        "SELECT starts_at, ends_at FROM event_session WHERE id = {}", session["id"]
    )
    assert instant(row["starts_at"]).microsecond == instant(row["ends_at"]).microsecond == 0
    detail = (await client.get(f"/api/events/{event['slug']}")).json()
    [api_session] = detail["sessions"]
    starts, ends = instant(api_session["starts_at"]), instant(api_session["ends_at"])
    assert (starts, ends) == (
        datetime(2030, 6, 3, 15, 0, tzinfo=UTC),
        datetime(2030, 6, 3, 18, 0, tzinfo=UTC),
    )
    assert instant(detail["registration_closes_at"]) == datetime(2030, 6, 2, 12, tzinfo=UTC)
    [read] = (await read_feed(client, parse_ics, f"/calendar/events/{event['slug']}.ics"))["events"]
    assert (instant(read["start"]), instant(read["end"])) == (starts, ends)
    google = parse_qs(urlsplit(detail["calendar"]["google"]).query)
    assert google["dates"] == ["20300603T150000Z/20300603T180000Z"]
    outlook = parse_qs(urlsplit(detail["calendar"]["outlook_office"]).query)
    assert (instant(outlook["startdt"][0]), instant(outlook["enddt"][0])) == (starts, ends)


async def test_the_migration_truncates_times_stored_with_fractions(client, world):
    event = await world.create_event(client)
    [session] = event["sessions"]
    fraction = datetime(2030, 6, 3, 15, 0, 0, 750000, tzinfo=UTC)
    await fetch(
        "UPDATE event_session SET starts_at = {}, ends_at = {} WHERE id = {}",
        fraction,
        fraction.replace(hour=16),
        session["id"],
    )
    await fetch(
        "UPDATE event SET registration_opens_at = {}, starts_at = {} WHERE slug = {}",
        fraction.replace(month=5),
        fraction,
        event["slug"],
    )
    spec = importlib.util.spec_from_file_location("whole_seconds_migration", MIGRATION)
    assert spec and spec.loader
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    manager = await migration.forwards()
    for step in manager.raw:
        await step()
    row = await fetch_one(
        "SELECT starts_at, ends_at FROM event_session WHERE id = {}", session["id"]
    )
    assert instant(row["starts_at"]) == datetime(2030, 6, 3, 15, tzinfo=UTC)
    assert instant(row["ends_at"]) == datetime(2030, 6, 3, 16, tzinfo=UTC)
    row = await fetch_one(
        "SELECT registration_opens_at, starts_at FROM event WHERE slug = {}", event["slug"]
    )
    assert instant(row["registration_opens_at"]) == datetime(2030, 5, 3, 15, tzinfo=UTC)
    assert instant(row["starts_at"]) == datetime(2030, 6, 3, 15, tzinfo=UTC)
