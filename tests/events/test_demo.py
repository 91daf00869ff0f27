"""The demo coalition (events.demo.load_demo), loaded in-process into the test database."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from events.db import fetch, fetch_one
from events.demo import load_demo
from events.enums import EventKind
from events.tables import ALL_TABLES
from tests.support import world as world_module


async def _row_counts() -> dict[str, int]:
    counts = {}
    for table in ALL_TABLES:
        name = table._meta.tablename
        row = await fetch_one(f"SELECT COUNT(*) AS n FROM {name}")
        counts[name] = row["n"] if row else 0
    return counts


@pytest.fixture(scope="module")
async def demo(database_url):
    """The demo, loaded once into an emptied database for this module's tests."""
    await world_module.reset_database()
    loaded = await load_demo()
    yield loaded
    await world_module.reset_database()


async def _events() -> dict[str, dict]:
    rows = await fetch("SELECT * FROM event")
    return {row["slug"]: row for row in rows}


async def _sessions(event_id: int) -> list[dict]:
    return await fetch("SELECT * FROM event_session WHERE event = {} ORDER BY starts_at", event_id)


async def test_first_load_reports_that_it_loaded(demo):
    assert demo is True


async def test_regions_are_the_seven_networks_and_national_with_their_time_zones(demo):
    rows = await fetch("SELECT slug, timezone, is_national FROM region")
    zones = {row["slug"]: row["timezone"] for row in rows}
    assert zones == {
        "colorado": "America/Denver",
        "southern-arizona": "America/Phoenix",  # Tucson
        "the-connective": "America/Phoenix",  # Phoenix
        "north-florida": "America/New_York",  # Jacksonville
        "north-texas": "America/Chicago",  # Dallas
        "illinois": "America/Chicago",  # Chicago
        "kansas-city": "America/Chicago",
        "national": "America/Chicago",
    }
    national = [row["slug"] for row in rows if row["is_national"]]
    assert national == ["national"]


async def test_twelve_organizations_with_email_domains(demo):
    organizations = await fetch("SELECT id, slug, is_member FROM organization")
    assert len(organizations) == 12
    domains = await fetch("SELECT DISTINCT organization FROM organization_domain")
    assert len(domains) == 12
    guests = [row["slug"] for row in organizations if not row["is_member"]]
    assert len(guests) >= 1  # someone to show members-only refusals with


async def test_demo_members_belong_to_organizations(demo):
    rows = await fetch("SELECT organization FROM member")
    assert len(rows) >= 12
    assert all(row["organization"] is not None for row in rows)


async def test_about_twenty_published_events(demo):
    events = await _events()
    assert 18 <= len(events) <= 22
    assert {row["status"] for row in events.values()} == {"published"}
    for row in events.values():
        assert await _sessions(row["id"]), row["slug"]
        assert row["venue_name"] or row["online_url"], row["slug"]


async def test_every_topic_and_every_kind_is_present(demo):
    kinds = {row["kind"] for row in await fetch("SELECT DISTINCT kind FROM event")}
    assert kinds == {kind.value for kind in EventKind}
    topics = await fetch("SELECT slug FROM topic")
    used = await fetch("SELECT DISTINCT t.slug FROM event_topic et JOIN topic t ON t.id = et.topic")
    assert {row["slug"] for row in used} == {row["slug"] for row in topics}
    assert len(topics) == 5


async def test_each_event_uses_the_time_zone_of_one_of_its_regions(demo):
    zones: dict[str, set[str]] = {}
    for row in await fetch(
        "SELECT e.slug, r.timezone FROM event e "
        "JOIN event_region er ON er.event = e.id JOIN region r ON r.id = er.region"
    ):
        zones.setdefault(row["slug"], set()).add(row["timezone"])
    events = await _events()
    assert set(zones) == set(events)
    for slug, row in events.items():
        assert row["timezone"] in zones[slug], slug


async def test_a_six_session_cybersecurity_training_track(demo):
    tracks = await fetch(
        "SELECT e.id, e.timezone FROM event e JOIN event_topic et ON et.event = e.id "
        "JOIN topic t ON t.id = et.topic WHERE e.kind = 'training_track' "
        "AND t.slug = 'cybersecurity'"
    )
    six = [row for row in tracks if len(await _sessions(row["id"])) == 6]
    assert len(six) == 1
    track = six[0]
    sessions = await _sessions(track["id"])
    zone = ZoneInfo(track["timezone"])
    local_starts = [s["starts_at"].astimezone(zone) for s in sessions]
    assert len({start.date() for start in local_starts}) == 6  # one class a day, six days
    assert {start.hour for start in local_starts} == {10}  # 10:00 local, DST or not
    assert any(s["required"] for s in sessions)
    assert not all(s["required"] for s in sessions)  # an elective among them


async def test_a_two_day_conference(demo):
    two_day = []
    for row in (await _events()).values():
        if row["kind"] != "conference":
            continue
        zone = ZoneInfo(row["timezone"])
        days = sorted({s["starts_at"].astimezone(zone).date() for s in await _sessions(row["id"])})
        if len(days) == 2 and (days[1] - days[0]).days == 1:
            two_day.append(row["slug"])
    assert two_day


async def test_at_least_two_full_events_with_a_waitlist(demo):
    rows = await fetch(
        "SELECT e.slug, e.capacity, e.seats_taken, "
        "(SELECT COUNT(*) FROM registration r WHERE r.event = e.id "
        "AND r.status = 'confirmed') AS confirmed, "
        "(SELECT COUNT(*) FROM registration r WHERE r.event = e.id "
        "AND r.status = 'waitlisted') AS waitlisted "
        "FROM event e WHERE e.capacity IS NOT NULL"
    )
    full = [row for row in rows if row["seats_taken"] == row["capacity"] and row["waitlisted"] > 0]
    assert len(full) >= 2, rows
    for row in full:
        assert row["confirmed"] == row["capacity"], row
    for row in rows:  # and no event holds more than its seats
        assert row["confirmed"] == row["seats_taken"] <= row["capacity"], row


async def test_waitlists_are_ordered_by_arrival(demo):
    rows = await fetch(
        "SELECT event, arrival FROM registration WHERE status = 'waitlisted' ORDER BY event"
    )
    confirmed = await fetch(
        "SELECT event, MAX(arrival) AS last FROM registration WHERE status = 'confirmed' "
        "GROUP BY event"
    )
    last_confirmed = {row["event"]: row["last"] for row in confirmed}
    assert rows
    for row in rows:
        assert row["arrival"] > last_confirmed[row["event"]]


async def test_second_load_changes_nothing(demo):
    before = await _row_counts()
    assert before["event"] >= 18
    assert await load_demo() is False
    assert await _row_counts() == before


async def test_demo_is_served_by_the_api(demo, client):
    response = await client.get("/api/events", params={"per_page": 100})
    assert response.status_code == 200
    listed = response.json()
    assert listed["total"] == len(await _events())
    full = [e for e in listed["items"] if e["seats_left"] == 0 and e["waitlist_length"] > 0]
    assert len(full) >= 2
    regions = (await client.get("/api/regions")).json()
    assert len(regions) == 8


async def test_every_region_has_a_mailbox(demo):
    """The Reply-To of its emails and the ORGANIZER of its calendar invitations."""
    regions = await fetch("SELECT slug, mailbox FROM region")
    assert len(regions) == 8
    assert all(row["mailbox"] == f"{row['slug']}@events.nscp.example" for row in regions)
