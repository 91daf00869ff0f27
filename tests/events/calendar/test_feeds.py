"""The public feeds (/calendar/events, /calendar/all, /calendar/regions), read by ical.js.

Every assertion about feed content goes through Mozilla's ical.js (``parse_ics``), an
independent parser, except for the checks that are about the raw bytes themselves.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from events.db import fetch
from tests.support.clock import days_from_today
from tests.support.feeds import (
    IDENTITY,
    by_summary,
    by_uid,
    get_feed,
    instant,
    path_of,
    physical_lines,
    read_feed,
    session_ids,
)

DENVER = ZoneInfo("America/Denver")
PHOENIX = ZoneInfo("America/Phoenix")


def _coordinates(latitude: float, longitude: float):
    """PostgreSQL keeps coordinates as single-precision REAL: equal to about a metre."""
    return pytest.approx([latitude, longitude], abs=1e-5)


def _local(zone: ZoneInfo, *args: int, fold: int = 0) -> str:
    return datetime(*args, tzinfo=zone, fold=fold).isoformat()


def _session(title: str, starts_at: str, ends_at: str, **more) -> dict:
    return {"title": title, "starts_at": starts_at, "ends_at": ends_at, **more}


def _event_path(event: dict) -> str:
    return f"/calendar/events/{event['slug']}.ics"


def _soon(days: int = 10, hours: int = 0) -> datetime:
    """A whole-second instant in the future (iCalendar has no fractions of a second)."""
    return days_from_today(days) + timedelta(hours=hours)


def _one_session(title: str = "Main", days: int = 10, hours: int = 2) -> list[dict]:
    start = _soon(days)
    return [_session(title, start.isoformat(), (start + timedelta(hours=hours)).isoformat())]


async def _db_times(session_id: int) -> tuple[datetime, datetime]:
    rows = await fetch("SELECT starts_at, ends_at FROM event_session WHERE id = {}", session_id)
    return instant(rows[0]["starts_at"]), instant(rows[0]["ends_at"])


async def _patch_session(client, world, session_id: int, **changes) -> dict:
    response = await client.patch(
        f"/api/manage/sessions/{session_id}",
        json=changes,
        headers={"Authorization": f"Bearer {world.admin}"},
    )
    assert response.status_code == 200, response.text
    return response.json()


async def _cancel_session(client, world, session_id: int) -> dict:
    response = await client.post(
        f"/api/manage/sessions/{session_id}/cancel",
        headers={"Authorization": f"Bearer {world.admin}"},
    )
    assert response.status_code == 200, response.text
    return response.json()


async def _cancel_event(client, world, slug: str) -> dict:
    response = await client.post(
        f"/api/manage/events/{slug}/cancel", headers={"Authorization": f"Bearer {world.admin}"}
    )
    assert response.status_code == 200, response.text
    return response.json()


# -- Times ---------------------------------------------------------------------------------

# (title, starts_at, ends_at, the UTC instants every client must show)
DENVER_SESSIONS = [
    # Spring forward, 2027-03-14: 02:00 MST becomes 03:00 MDT, so this session lasts 1 hour.
    (
        "Spring forward",
        _local(DENVER, 2027, 3, 14, 1, 30),
        _local(DENVER, 2027, 3, 14, 3, 30),
        "2027-03-14T08:30:00Z",
        "2027-03-14T09:30:00Z",
    ),
    # Fall back, 2027-11-07: 00:30 MDT until the second 01:30 (MST), 2 hours.
    (
        "Fall back",
        _local(DENVER, 2027, 11, 7, 0, 30),
        _local(DENVER, 2027, 11, 7, 1, 30, fold=1),
        "2027-11-07T06:30:00Z",
        "2027-11-07T08:30:00Z",
    ),
    # Inside the repeated hour: 01:15 MDT (first pass) to 01:45 MST (second pass).
    (
        "Repeated hour",
        _local(DENVER, 2027, 11, 7, 1, 15),
        _local(DENVER, 2027, 11, 7, 1, 45, fold=1),
        "2027-11-07T07:15:00Z",
        "2027-11-07T08:45:00Z",
    ),
    # Just after the switch, at 03:00 local on the spring date.
    (
        "After the switch",
        _local(DENVER, 2027, 3, 14, 3, 0),
        _local(DENVER, 2027, 3, 14, 4, 0),
        "2027-03-14T09:00:00Z",
        "2027-03-14T10:00:00Z",
    ),
    (
        "Ordinary summer day",
        _local(DENVER, 2027, 7, 1, 9, 0),
        _local(DENVER, 2027, 7, 1, 17, 0),
        "2027-07-01T15:00:00Z",
        "2027-07-01T23:00:00Z",
    ),
    (
        "Three days",
        _local(DENVER, 2027, 5, 10, 8, 0),
        _local(DENVER, 2027, 5, 12, 17, 0),
        "2027-05-10T14:00:00Z",
        "2027-05-12T23:00:00Z",
    ),
]

PHOENIX_SESSIONS = [
    # Phoenix keeps MST (-07:00) all year, on Denver's switch dates as on any other.
    (
        "Winter",
        _local(PHOENIX, 2027, 1, 20, 9, 0),
        _local(PHOENIX, 2027, 1, 20, 12, 0),
        "2027-01-20T16:00:00Z",
        "2027-01-20T19:00:00Z",
    ),
    (
        "Denver springs forward",
        _local(PHOENIX, 2027, 3, 14, 1, 30),
        _local(PHOENIX, 2027, 3, 14, 3, 30),
        "2027-03-14T08:30:00Z",
        "2027-03-14T10:30:00Z",
    ),
    (
        "Summer",
        _local(PHOENIX, 2027, 7, 1, 9, 0),
        _local(PHOENIX, 2027, 7, 1, 17, 30),
        "2027-07-01T16:00:00Z",
        "2027-07-02T00:30:00Z",
    ),
    (
        "Denver falls back",
        _local(PHOENIX, 2027, 11, 7, 0, 30),
        _local(PHOENIX, 2027, 11, 7, 2, 30),
        "2027-11-07T07:30:00Z",
        "2027-11-07T09:30:00Z",
    ),
    # Given with offsets far from the event's zone: only the instant matters.
    (
        "Offset +05:30",
        "2027-02-01T22:00:00+05:30",
        "2027-02-02T01:15:00+05:30",
        "2027-02-01T16:30:00Z",
        "2027-02-01T19:45:00Z",
    ),
    (
        "Offset +14:00 across the date line",
        "2027-02-02T06:00:00+14:00",
        "2027-02-04T06:00:00-10:00",
        "2027-02-01T16:00:00Z",
        "2027-02-04T16:00:00Z",
    ),
    (
        "Offset -09:30",
        "2027-02-03T08:00:00-09:30",
        "2027-02-03T09:00:00-09:30",
        "2027-02-03T17:30:00Z",
        "2027-02-03T18:30:00Z",
    ),
]


def test_the_local_times_above_mean_what_the_comments_say():
    """The expected instants are hand-written; zoneinfo must agree with them."""
    for _, starts_at, ends_at, start_utc, end_utc in DENVER_SESSIONS + PHOENIX_SESSIONS:
        assert instant(starts_at) == instant(start_utc)
        assert instant(ends_at) == instant(end_utc)


async def _timed_events(client, world) -> tuple[dict, dict]:
    denver = await world.create_event(
        client,
        title="Denver times",
        timezone="America/Denver",
        regions=["colorado"],
        sessions=[_session(t, s, e) for t, s, e, _, _ in DENVER_SESSIONS],
    )
    phoenix = await world.create_event(
        client,
        title="Phoenix times",
        timezone="America/Phoenix",
        regions=["the-connective"],
        venue={"name": "Phoenix Convention Center", "address": "100 N 3rd St, Phoenix, AZ"},
        sessions=[_session(t, s, e) for t, s, e, _, _ in PHOENIX_SESSIONS],
    )
    return denver, phoenix


async def _assert_times(calendar: dict, event: dict, expected: list[tuple]) -> None:
    seen = by_summary(calendar)
    api = {session["title"]: session for session in event["sessions"]}
    for title, _, _, start_utc, end_utc in expected:
        read = seen[f"{event['title']}: {title}"]
        assert read["start_zone"] != "floating" and read["end_zone"] != "floating", read
        db_start, db_end = await _db_times(api[title]["id"])
        assert instant(read["start"]) == db_start == instant(api[title]["starts_at"]), title
        assert instant(read["end"]) == db_end == instant(api[title]["ends_at"]), title
        assert (db_start, db_end) == (instant(start_utc), instant(end_utc)), title


async def test_instants_read_by_icaljs_equal_the_database_in_every_public_feed(
    client, world, parse_ics
):
    denver, phoenix = await _timed_events(client, world)
    for path in (
        _event_path(denver),
        "/calendar/all.ics",
        "/calendar/regions/colorado.ics",
    ):
        await _assert_times(await read_feed(client, parse_ics, path), denver, DENVER_SESSIONS)
    for path in (
        _event_path(phoenix),
        "/calendar/all.ics",
        "/calendar/regions/the-connective.ics",
    ):
        await _assert_times(await read_feed(client, parse_ics, path), phoenix, PHOENIX_SESSIONS)


async def test_instants_in_the_personal_feed_equal_the_database(client, world, parse_ics):
    denver, phoenix = await _timed_events(client, world)
    person = await world.member()
    for event in (denver, phoenix):
        response = await client.post(
            f"/api/events/{event['slug']}/registration", headers=person.headers
        )
        assert response.status_code == 201, response.text
    link = (await client.get("/api/me/calendar", headers=person.headers)).json()
    calendar = await read_feed(client, parse_ics, path_of(link["url"]))
    assert len(calendar["events"]) == len(DENVER_SESSIONS) + len(PHOENIX_SESSIONS)
    await _assert_times(calendar, denver, DENVER_SESSIONS)
    await _assert_times(calendar, phoenix, PHOENIX_SESSIONS)


async def test_a_multi_day_session_is_one_event_spanning_the_days(client, world, parse_ics):
    event = await world.create_event(
        client,
        title="Summit",
        sessions=[_session("Summit", "2027-05-10T08:00:00-06:00", "2027-05-12T17:00:00-06:00")],
    )
    calendar = await read_feed(client, parse_ics, _event_path(event))
    [read] = calendar["events"]
    assert read["summary"] == "Summit"  # a session named like its event adds nothing
    assert instant(read["end"]) - instant(read["start"]) == timedelta(days=2, hours=9)


# -- Identity, SEQUENCE, LAST-MODIFIED -------------------------------------------------------


async def test_uids_are_stable_unique_and_derived_from_the_session(client, world, parse_ics):
    start = _soon(20)
    event = await world.create_event(
        client,
        sessions=[
            _session(
                f"Part {n}",
                (start + timedelta(days=n)).isoformat(),
                (start + timedelta(days=n, hours=1)).isoformat(),
            )
            for n in range(3)
        ],
    )
    first = await read_feed(client, parse_ics, _event_path(event))
    second = await read_feed(client, parse_ics, _event_path(event))
    everything = await read_feed(client, parse_ics, "/calendar/all.ics")
    uids = [e["uid"] for e in first["events"]]
    assert len(set(uids)) == 3
    assert uids == [e["uid"] for e in second["events"]]
    assert set(uids) == set(by_uid(everything))
    for session in event["sessions"]:
        [uid] = [e["uid"] for e in first["events"] if e["summary"].endswith(session["title"])]
        assert uid == f"session-{session['id']}@127.0.0.1"


async def test_a_reschedule_keeps_the_uid_and_raises_the_sequence(client, world, parse_ics):
    event = await world.create_event(client, sessions=_one_session())
    [session] = event["sessions"]
    before = (await read_feed(client, parse_ics, _event_path(event)))["events"][0]
    assert before["sequence"] == 0
    assert before["last_modified"] and before["dtstamp"]

    moved = _soon(12, 3)
    changed = await _patch_session(
        client,
        world,
        session["id"],
        starts_at=moved.astimezone(DENVER).isoformat(),
        ends_at=(moved + timedelta(hours=2)).isoformat(),
    )

    after = (await read_feed(client, parse_ics, _event_path(event)))["events"][0]
    assert after["uid"] == before["uid"]
    assert after["sequence"] > before["sequence"]
    assert after["sequence"] == changed["sessions"][0]["revision"]
    assert instant(after["start"]) == moved
    assert instant(after["end"]) == moved + timedelta(hours=2)
    assert instant(after["last_modified"]) >= instant(before["last_modified"])
    assert after["dtstamp"] == after["last_modified"]


async def test_a_location_change_raises_the_sequence_a_title_change_does_not(
    client, world, parse_ics
):
    event = await world.create_event(client, sessions=_one_session("Opening"))
    [session] = event["sessions"]
    path = _event_path(event)
    first = (await read_feed(client, parse_ics, path))["events"][0]
    assert first["location"] == "City Hall, 1437 Bannock St, Denver, CO"

    await _patch_session(client, world, session["id"], location_name="Room 101")
    moved = (await read_feed(client, parse_ics, path))["events"][0]
    assert moved["location"] == "Room 101"
    assert moved["sequence"] == first["sequence"] + 1

    await _patch_session(client, world, session["id"], title="Welcome")
    renamed = (await read_feed(client, parse_ics, path))["events"][0]
    assert renamed["summary"] == f"{event['title']}: Welcome"
    assert renamed["sequence"] == moved["sequence"]
    assert renamed["uid"] == first["uid"]

    # Resending the same times changes nothing that a calendar shows.
    await _patch_session(
        client, world, session["id"], starts_at=session["starts_at"], ends_at=session["ends_at"]
    )
    assert (await read_feed(client, parse_ics, path))["events"][0]["sequence"] == moved["sequence"]


async def test_moving_the_venue_raises_the_sequence_of_sessions_held_there(
    client, world, parse_ics
):
    start = _soon(15)
    event = await world.create_event(
        client,
        sessions=[
            _session("At the venue", start.isoformat(), (start + timedelta(hours=1)).isoformat()),
            _session(
                "Elsewhere",
                (start + timedelta(hours=2)).isoformat(),
                (start + timedelta(hours=3)).isoformat(),
                location_name="Library",
            ),
        ],
    )
    response = await client.patch(
        f"/api/manage/events/{event['slug']}",
        json={"venue": {"name": "Convention Center", "latitude": 39.74, "longitude": -104.99}},
        headers={"Authorization": f"Bearer {world.admin}"},
    )
    assert response.status_code == 200, response.text
    seen = by_summary(await read_feed(client, parse_ics, _event_path(event)))
    venue, elsewhere = seen[f"{event['title']}: At the venue"], seen[f"{event['title']}: Elsewhere"]
    assert (venue["sequence"], venue["location"]) == (1, "Convention Center")
    assert venue["geo"] == _coordinates(39.74, -104.99)
    assert (elsewhere["sequence"], elsewhere["location"], elsewhere["geo"]) == (0, "Library", None)


# -- Cancellations -------------------------------------------------------------------------


async def test_a_cancelled_session_stays_as_cancelled_with_a_higher_sequence(
    client, world, parse_ics
):
    start = _soon(9)
    event = await world.create_event(
        client,
        sessions=[
            _session("Day 1", start.isoformat(), (start + timedelta(hours=2)).isoformat()),
            _session(
                "Day 2",
                (start + timedelta(days=1)).isoformat(),
                (start + timedelta(days=1, hours=2)).isoformat(),
            ),
        ],
    )
    ids = session_ids(event)
    before = by_summary(await read_feed(client, parse_ics, _event_path(event)))

    await _cancel_session(client, world, ids["Day 2"])

    for path in (_event_path(event), "/calendar/all.ics", "/calendar/regions/colorado.ics"):
        seen = by_summary(await read_feed(client, parse_ics, path))
        day1, day2 = seen[f"{event['title']}: Day 1"], seen[f"{event['title']}: Day 2"]
        old = before[f"{event['title']}: Day 2"]
        assert day2["status"] == "CANCELLED"
        assert day2["uid"] == old["uid"]
        assert day2["sequence"] > old["sequence"]
        assert (day2["start"], day2["end"]) == (old["start"], old["end"])
        assert day1["status"] == "CONFIRMED"
        assert day1["sequence"] == before[f"{event['title']}: Day 1"]["sequence"]


async def test_a_cancelled_event_keeps_all_its_sessions_as_cancelled(client, world, parse_ics):
    start = _soon(30)
    event = await world.create_event(
        client,
        kind="training_track",
        sessions=[
            _session(
                f"Module {n}",
                (start + timedelta(weeks=n)).isoformat(),
                (start + timedelta(weeks=n, hours=2)).isoformat(),
            )
            for n in range(1, 4)
        ],
    )
    before = by_uid(await read_feed(client, parse_ics, _event_path(event)))

    await _cancel_event(client, world, event["slug"])

    for path in (_event_path(event), "/calendar/all.ics", "/calendar/regions/colorado.ics"):
        after = by_uid(await read_feed(client, parse_ics, path))
        assert set(after) == set(before)
        for uid, read in after.items():
            assert read["status"] == "CANCELLED"
            assert read["sequence"] > before[uid]["sequence"]


async def test_cancelled_sessions_leave_the_feeds_after_30_days(client, world, parse_ics):
    event = await world.create_event(client, sessions=_one_session("Gone soon"))
    [session] = event["sessions"]
    await _cancel_session(client, world, session["id"])
    path = _event_path(event)
    assert (await read_feed(client, parse_ics, path))["events"][0]["status"] == "CANCELLED"

    # Cancelled 29 days ago: still shown.
    await fetch(
        "UPDATE event_session SET cancelled_at = {}, updated_at = {} WHERE id = {}",
        datetime.now(UTC) - timedelta(days=29),
        datetime.now(UTC) - timedelta(days=29),
        session["id"],
    )
    assert len((await read_feed(client, parse_ics, path))["events"]) == 1

    # Cancelled 31 days ago: gone from every feed, which stays valid.
    await fetch(
        "UPDATE event_session SET cancelled_at = {}, updated_at = {} WHERE id = {}",
        datetime.now(UTC) - timedelta(days=31),
        datetime.now(UTC) - timedelta(days=31),
        session["id"],
    )
    for feed in (path, "/calendar/all.ics", "/calendar/regions/colorado.ics"):
        assert (await read_feed(client, parse_ics, feed))["events"] == []


async def test_cancelled_events_leave_the_feeds_after_30_days(client, world, parse_ics):
    event = await world.create_event(client, sessions=_one_session("Whole event"))
    other = await world.create_event(client, sessions=_one_session("Still on"))
    await _cancel_event(client, world, event["slug"])
    assert len((await read_feed(client, parse_ics, "/calendar/all.ics"))["events"]) == 2

    long_ago = datetime.now(UTC) - timedelta(days=31)
    await fetch(
        "UPDATE event SET cancelled_at = {}, updated_at = {} WHERE slug = {}",
        long_ago,
        long_ago,
        event["slug"],
    )
    await fetch(
        "UPDATE event_session SET updated_at = {} WHERE event = "
        "(SELECT id FROM event WHERE slug = {})",
        long_ago,
        event["slug"],
    )
    remaining = await read_feed(client, parse_ics, "/calendar/all.ics")
    assert [e["summary"] for e in remaining["events"]] == [f"{other['title']}: Still on"]
    assert (await read_feed(client, parse_ics, _event_path(event)))["events"] == []


# -- Privacy -------------------------------------------------------------------------------


async def test_public_feeds_hold_no_join_url_no_attendee_and_no_personal_data(
    client, world, parse_ics
):
    join_url = "https://meet.example.test/j/secret-room-4711"
    event = await world.create_event(
        client,
        kind="webinar",
        venue=None,
        online_url=join_url,
        regions=["the-connective"],
        topics=["connectivity"],
        sessions=_one_session("Live"),
    )
    person = await world.member(name="Zelda Quuxington")
    response = await client.post(
        f"/api/events/{event['slug']}/registration", headers=person.headers
    )
    assert response.json()["status"] == "confirmed"

    for path in (
        _event_path(event),
        "/calendar/all.ics",
        "/calendar/all.ics?kind=webinar",
        "/calendar/all.ics?region=the-connective&topic=connectivity",
        "/calendar/regions/the-connective.ics",
    ):
        response = await get_feed(client, path)
        body = response.content.decode()
        assert join_url not in body and "secret-room" not in body, path
        assert "ATTENDEE" not in body.upper(), path
        assert "Zelda" not in body and person.email not in body, path
        calendar = parse_ics(body)
        assert calendar["has_attendee"] is False
        [read] = calendar["events"]
        assert read["location"] == "Online"
        assert join_url not in (read["description"] or "")
        # ical.js unfolds lines: the join URL must not hide across a fold either.
        assert not any(join_url in str(value) for value in read.values())


# -- Filters and routes --------------------------------------------------------------------


async def _filter_world(client, world) -> dict[str, dict]:
    events = {
        "co-cyber": await world.create_event(
            client, regions=["colorado"], topics=["cybersecurity"], kind="workshop"
        ),
        "phx-cyber": await world.create_event(
            client,
            regions=["the-connective"],
            topics=["cybersecurity", "resilience"],
            kind="conference",
            timezone="America/Phoenix",
        ),
        "phx-transport": await world.create_event(
            client, regions=["the-connective"], topics=["transportation"], kind="workshop"
        ),
        "national-webinar": await world.create_event(
            client,
            regions=["national"],
            topics=["cybersecurity"],
            kind="webinar",
            venue=None,
            online_url="https://meet.example.test/national",
        ),
        "cohosted": await world.create_event(
            client, regions=["colorado", "the-connective"], topics=["environment"]
        ),
        "draft": await world.create_event(
            client, publish=False, regions=["the-connective"], topics=["cybersecurity"]
        ),
    }
    return events


def _titles(calendar: dict) -> set[str]:
    return {event["summary"].split(":")[0] for event in calendar["events"]}


async def test_filters_select_exactly_the_matching_events(client, world, parse_ics):
    events = await _filter_world(client, world)
    title = {key: event["title"] for key, event in events.items()}

    async def titles(path: str) -> set[str]:
        return _titles(await read_feed(client, parse_ics, path))

    published = {t for k, t in title.items() if k != "draft"}
    assert await titles("/calendar/all.ics") == published
    assert await titles("/calendar/all.ics?region=the-connective&topic=cybersecurity") == {
        title["phx-cyber"]
    }
    assert await titles("/calendar/all.ics?region=the-connective") == {
        title["phx-cyber"],
        title["phx-transport"],
        title["cohosted"],
    }
    assert await titles("/calendar/all.ics?topic=cybersecurity") == {
        title["co-cyber"],
        title["phx-cyber"],
        title["national-webinar"],
    }
    assert await titles("/calendar/all.ics?kind=webinar") == {title["national-webinar"]}
    assert await titles("/calendar/all.ics?kind=workshop&region=colorado") == {
        title["co-cyber"],
        title["cohosted"],
    }
    assert await titles("/calendar/all.ics?region=colorado&topic=transportation") == set()
    assert await titles("/calendar/regions/the-connective.ics") == {
        title["phx-cyber"],
        title["phx-transport"],
        title["cohosted"],
    }
    assert await titles("/calendar/regions/colorado.ics") == {title["co-cyber"], title["cohosted"]}
    assert await titles("/calendar/regions/national.ics") == {title["national-webinar"]}


async def test_drafts_never_appear(client, world, parse_ics):
    events = await _filter_world(client, world)
    draft = events["draft"]
    assert (await get_feed(client, _event_path(draft))).status_code == 404
    for path in (
        "/calendar/all.ics",
        "/calendar/all.ics?region=the-connective&topic=cybersecurity",
        "/calendar/regions/the-connective.ics",
    ):
        body = (await get_feed(client, path)).text
        assert draft["title"] not in body and draft["slug"] not in body, path


async def test_unknown_feeds_and_paths_without_ics_answer_404(client, world):
    event = await world.create_event(client)
    assert (await get_feed(client, "/calendar/regions/atlantis.ics")).status_code == 404
    assert (await get_feed(client, "/calendar/events/no-such-event.ics")).status_code == 404
    assert (await get_feed(client, f"/calendar/events/{event['slug']}")).status_code == 404
    assert (await get_feed(client, f"/calendar/events/{event['slug']}.ical")).status_code == 404
    assert (await get_feed(client, "/calendar/regions/colorado")).status_code == 404
    assert (await get_feed(client, "/calendar/regions/.ics")).status_code == 404
    assert (await get_feed(client, "/calendar/all")).status_code == 404
    assert (await get_feed(client, "/calendar/all.ics?kind=party")).status_code == 400


async def test_filter_values_in_the_feed_name_are_escaped(client, world, parse_ics):
    """The filters go into the calendar's NAME: whatever a subscriber types stays text."""
    await world.create_event(client)
    region, topic = "a,b;c\\d\nnext", "x\ny"
    response = await client.get(
        "/calendar/all.ics", params={"region": region, "topic": topic}, headers=IDENTITY
    )
    assert response.status_code == 200, response.text
    calendar = parse_ics(response.content)
    name = f"NSCP events (region: {region}, topic: {topic})"
    assert calendar["name"] == calendar["x_wr_calname"] == name
    assert calendar["events"] == []


async def test_a_cohosted_event_is_organized_by_its_first_region(client, world, parse_ics):
    event = await world.create_event(client, regions=["colorado", "the-connective"])
    hosts = [region["name"] for region in event["regions"]]
    for path in ("/calendar/regions/colorado.ics", "/calendar/regions/the-connective.ics"):
        [read] = (await read_feed(client, parse_ics, path))["events"]
        assert read["organizer_cn"] == hosts[0]
        assert (
            read["organizer"]
            == f"{event['url'].rsplit('/events/', 1)[0]}/regions/" + (event["regions"][0]["slug"])
        )
        assert f"Co-hosted by {hosts[0]} and {hosts[1]}." in read["description"]


# -- Calendar and event properties ----------------------------------------------------------


async def test_every_public_feed_carries_the_calendar_properties(client, world, parse_ics, server):
    event = await world.create_event(client, title="Smart Streets", summary="Curb data.")
    expected = {
        _event_path(event): ("Smart Streets", f"{server}/events/{event['slug']}"),
        "/calendar/all.ics": ("NSCP events", f"{server}/events"),
        "/calendar/all.ics?region=colorado&topic=cybersecurity": (
            "NSCP events (region: colorado, topic: cybersecurity)",
            f"{server}/events",
        ),
        "/calendar/regions/colorado.ics": (
            "Colorado Smart Cities Alliance",
            f"{server}/regions/colorado",
        ),
    }
    for path, (name, url) in expected.items():
        response = await get_feed(client, path)
        calendar = parse_ics(response.content)
        assert calendar["name"] == calendar["x_wr_calname"] == name, path
        assert calendar["description"], path
        assert calendar["url"] == url, path
        assert calendar["refresh_interval"] == {"value": "PT6H", "type": "duration"}, path
        assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT6H\r\n" in response.content
        assert calendar["x_published_ttl"] == "PT6H", path
        assert calendar["prodid"] and calendar["version"] == "2.0"
        assert calendar["method"] is None and b"METHOD" not in response.content
    assert (
        parse_ics((await get_feed(client, _event_path(event))).content)["description"]
        == "Curb data."
    )


async def test_event_properties(client, world, parse_ics, server):
    event = await world.create_event(
        client,
        title="Curb Summit",
        summary="Everything about the curb.",
        topics=["transportation", "connectivity"],
        venue={
            "name": "Denver Central Library",
            "address": "10 W 14th Ave Pkwy, Denver, CO",
            "latitude": 39.7372,
            "longitude": -104.9877,
        },
        sessions=[
            {**_one_session("Keynote")[0], "description": "Opening talk."},
        ],
    )
    [read] = (await read_feed(client, parse_ics, _event_path(event)))["events"]
    event_url = f"{server}/events/{event['slug']}"
    assert read["summary"] == "Curb Summit: Keynote"
    assert read["description"] == (
        f"Everything about the curb.\n\nOpening talk.\n\nDetails and registration: {event_url}"
    )
    assert read["url"] == event_url
    assert read["location"] == "Denver Central Library, 10 W 14th Ave Pkwy, Denver, CO"
    assert read["geo"] == _coordinates(39.7372, -104.9877)
    assert read["categories"] == ["Connectivity", "Transportation"]
    assert read["organizer"] == f"{server}/regions/colorado"
    assert read["organizer_cn"] == "Colorado Smart Cities Alliance"
    assert read["status"] == "CONFIRMED"
    assert read["sequence"] == 0
    assert read["last_modified"] == read["dtstamp"]
    assert read["has_attendee"] is False


async def test_no_geo_without_coordinates_and_online_events_say_online(client, world, parse_ics):
    plain = await world.create_event(client, title="Plain", sessions=_one_session("A"))
    online = await world.create_event(
        client,
        title="Web",
        venue=None,
        online_url="https://meet.example.test/web",
        topics=[],
        sessions=_one_session("B"),
    )
    [read_plain] = (await read_feed(client, parse_ics, _event_path(plain)))["events"]
    [read_online] = (await read_feed(client, parse_ics, _event_path(online)))["events"]
    assert read_plain["geo"] is None
    assert read_plain["location"] == "City Hall, 1437 Bannock St, Denver, CO"
    assert (read_online["location"], read_online["geo"]) == ("Online", None)
    assert read_online["categories"] == []


# -- Text ----------------------------------------------------------------------------------

TRICKY_TITLE = "Café, Señor; Ölfeld\nzweite Zeile"
LONG_TEXT = (
    'Commas, semicolons; colons: back\\slashes \\n (not a newline), quotes "x", '
    "emoji 🚲🚦, CJK 交通, accents àéîõü. "
)


def _long_description() -> str:
    text = (LONG_TEXT * 10)[:497] + "end"
    assert len(text) == 500
    return text


async def test_text_round_trips_exactly_and_lines_are_folded_at_75_octets(
    client, world, parse_ics, server
):
    description = _long_description()
    session_text = "Line one,\nline two;\n\nthird paragraph — ✓"
    event = await world.create_event(
        client,
        title=TRICKY_TITLE,
        summary=description,
        topics=["cybersecurity"],
        venue={"name": "Halle; Süd, Eingang B", "address": "Straße 1\nZimmer 2"},
        sessions=[{**_one_session("Teil 1, Ü; ß")[0], "description": session_text}],
    )
    for path in (_event_path(event), "/calendar/all.ics", "/calendar/regions/colorado.ics"):
        response = await get_feed(client, path)
        for line in physical_lines(response.content):
            assert len(line) <= 75, line
            line.decode("utf-8")  # folding never splits a character
        calendar = parse_ics(response.content)
        [read] = calendar["events"]
        assert read["summary"] == f"{TRICKY_TITLE}: Teil 1, Ü; ß"
        assert read["description"] == (
            f"{description}\n\n{session_text}\n\n"
            f"Details and registration: {server}/events/{event['slug']}"
        )
        assert read["location"] == "Halle; Süd, Eingang B, Straße 1\nZimmer 2"
    event_calendar = parse_ics((await get_feed(client, _event_path(event))).content)
    assert event_calendar["name"] == event_calendar["x_wr_calname"] == TRICKY_TITLE
    assert event_calendar["description"] == description


async def test_identical_data_serialises_to_identical_bytes(client, world, parse_ics):
    event = await world.create_event(client, sessions=_one_session())
    await world.create_event(client, sessions=_one_session("Other"))
    for path in (_event_path(event), "/calendar/all.ics", "/calendar/regions/colorado.ics"):
        first = await get_feed(client, path)
        second = await get_feed(client, path)
        assert first.content == second.content, path
        assert first.headers["etag"] == second.headers["etag"]
        assert b"\r\nMETHOD" not in first.content
    # The same session is the same VEVENT in every feed that holds it.
    one = (await get_feed(client, _event_path(event))).content
    vevent = one[one.index(b"BEGIN:VEVENT") : one.index(b"END:VEVENT")]
    assert vevent in (await get_feed(client, "/calendar/all.ics")).content


# -- Links in the API ----------------------------------------------------------------------


async def test_event_detail_offers_ics_webcal_google_and_outlook_links(client, world, server):
    event = await world.create_event(
        client,
        title="Linked",
        sessions=[_session("Only", "2027-03-14T01:30:00-07:00", "2027-03-14T03:30:00-06:00")],
    )
    detail = (await client.get(f"/api/events/{event['slug']}")).json()
    links = detail["calendar"]
    assert links["ics"] == f"{server}/calendar/events/{event['slug']}.ics"
    assert links["webcal"] == "webcal://" + links["ics"].split("://", 1)[1]
    assert (await get_feed(client, path_of(links["ics"]))).status_code == 200

    google = urlsplit(links["google"])
    assert (google.scheme, google.netloc) == ("https", "calendar.google.com")
    query = parse_qs(google.query)
    assert query["dates"] == ["20270314T083000Z/20270314T093000Z"]
    assert query["text"] == ["Linked"]
    assert f"{server}/events/{event['slug']}" in query["details"][0]

    outlook = urlsplit(links["outlook"])
    assert outlook.scheme == "https" and outlook.netloc.startswith("outlook.")
    query = parse_qs(outlook.query)
    assert instant(query["startdt"][0]) == instant("2027-03-14T08:30:00Z")
    assert instant(query["enddt"][0]) == instant("2027-03-14T09:30:00Z")
    assert query["startdt"][0].endswith("Z") and query["enddt"][0].endswith("Z")
    assert query["subject"] == ["Linked"]


async def test_summaries_and_regions_offer_their_feed_links(client, world, server):
    event = await world.create_event(client)
    listing = (await client.get("/api/events")).json()
    [summary] = [item for item in listing["items"] if item["slug"] == event["slug"]]
    assert summary["calendar"]["ics"] == f"{server}/calendar/events/{event['slug']}.ics"
    assert summary["calendar"]["webcal"] == (
        f"webcal://{server.split('://', 1)[1]}/calendar/events/{event['slug']}.ics"
    )
    regions = (await client.get("/api/regions")).json()
    assert {region["slug"] for region in regions} == {"colorado", "the-connective", "national"}
    for region in regions:
        links = region["calendar"]
        assert links["ics"] == f"{server}/calendar/regions/{region['slug']}.ics"
        assert links["webcal"] == "webcal://" + links["ics"].split("://", 1)[1]
        assert (await get_feed(client, path_of(links["ics"]))).status_code == 200
