"""Capacity under concurrency: real connections to the real server, on either database."""

from __future__ import annotations

import asyncio
import os

import httpx

from events.db import fetch, fetch_one
from tests.support.world import auth

ON_POSTGRES = os.environ["DATABASE_URL"].startswith("postgres")
SEATS, REQUESTS = (50, 200) if ON_POSTGRES else (10, 40)


async def _burst(
    server: str, requests: list[tuple[str, str, dict]], bodies: list | None = None
) -> list[httpx.Response]:
    """Send every request at once, each on its own connection (``bodies``: JSON, or None)."""
    limits = httpx.Limits(max_connections=len(requests), max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=server, limits=limits, timeout=60) as http:
        start = asyncio.Event()

        async def send(method: str, url: str, headers: dict, body: object) -> httpx.Response:
            await start.wait()
            return await http.request(method, url, headers=headers, json=body)

        pending = [
            asyncio.create_task(send(*request, body))
            for request, body in zip(requests, bodies or [None] * len(requests), strict=True)
        ]
        await asyncio.sleep(0.05)
        start.set()
        return await asyncio.gather(*pending)


async def _assert_counters_match_rows(event_slug: str) -> None:
    """The event's counters are derived data: they must equal what the rows say."""
    counters = await fetch_one(
        "SELECT seats_taken, waitlisted FROM event WHERE slug = {}", event_slug
    )
    rows = await _registrations(event_slug)
    assert counters["seats_taken"] == sum(row["status"] == "confirmed" for row in rows)
    assert counters["waitlisted"] == sum(row["status"] == "waitlisted" for row in rows)


async def _registrations(event_slug: str) -> list[dict]:
    return await fetch(
        "SELECT r.member, r.status, r.arrival FROM registration r JOIN event e ON e.id = r.event "
        "WHERE e.slug = {} ORDER BY r.arrival",
        event_slug,
    )


async def test_capacity_is_never_exceeded(server, client, world):
    event = await world.create_event(client, capacity=SEATS)
    people = await world.members(REQUESTS)
    url = f"/api/events/{event['slug']}/registration"

    responses = await _burst(server, [("POST", url, person.headers) for person in people])

    assert [r.status_code for r in responses] == [201] * REQUESTS
    rows = await _registrations(event["slug"])
    confirmed = [row for row in rows if row["status"] == "confirmed"]
    waitlisted = [row for row in rows if row["status"] == "waitlisted"]
    assert len(confirmed) == SEATS
    assert len(waitlisted) == REQUESTS - SEATS
    assert len({row["member"] for row in rows}) == REQUESTS
    arrivals = [row["arrival"] for row in rows]
    assert len(set(arrivals)) == REQUESTS
    # Arrival order: every seat went to someone who reached the counter before any waiter.
    assert max(row["arrival"] for row in confirmed) < min(row["arrival"] for row in waitlisted)
    await _assert_counters_match_rows(event["slug"])

    detail = (await client.get(f"/api/events/{event['slug']}")).json()
    assert detail["seats_left"] == 0
    assert detail["waitlist_length"] == REQUESTS - SEATS


async def test_waitlist_positions_follow_arrival_order(server, client, world):
    event = await world.create_event(client, capacity=2)
    people = await world.members(12)
    url = f"/api/events/{event['slug']}/registration"
    await _burst(server, [("POST", url, person.headers) for person in people[:9]])

    later = [await client.post(url, headers=person.headers) for person in people[9:]]

    assert [r.json()["waitlist_position"] for r in later] == [8, 9, 10]
    by_member = {row["member"]: row["arrival"] for row in await _registrations(event["slug"])}
    positions = {}
    for person in people:
        mine = (await client.get(url, headers=person.headers)).json()
        if mine["status"] == "waitlisted":
            positions[by_member[person.id]] = mine["waitlist_position"]
    assert [positions[arrival] for arrival in sorted(positions)] == list(range(1, 11))
    await _assert_counters_match_rows(event["slug"])


async def test_a_double_click_makes_one_registration(server, client, world):
    event = await world.create_event(client, capacity=5)
    person = await world.member()
    url = f"/api/events/{event['slug']}/registration"

    responses = await _burst(server, [("POST", url, person.headers)] * 20)

    assert sorted(r.status_code for r in responses) == [200] * 19 + [201]
    assert len({r.json()["id"] for r in responses}) == 1
    assert len(await _registrations(event["slug"])) == 1
    await _assert_counters_match_rows(event["slug"])


async def test_cancellations_racing_registrations_keep_the_count(server, client, world):
    seats = 10 if ON_POSTGRES else 5
    event = await world.create_event(client, capacity=seats)
    url = f"/api/events/{event['slug']}/registration"
    first = await world.members(seats * 2)
    for person in first:
        await client.post(url, headers=person.headers)
    newcomers = await world.members(seats)

    await _burst(
        server,
        [("DELETE", url, person.headers) for person in first[:seats]]
        + [("POST", url, person.headers) for person in newcomers],
    )

    rows = await _registrations(event["slug"])
    confirmed = [row for row in rows if row["status"] == "confirmed"]
    waitlisted = [row for row in rows if row["status"] == "waitlisted"]
    assert len(confirmed) == seats
    assert len(waitlisted) == seats  # the newcomers: every freed seat went to a waiter
    await _assert_counters_match_rows(event["slug"])
    # The original waiters were promoted ahead of anyone who arrived later.
    original_waiters = {person.id for person in first[seats:]}
    assert original_waiters <= {row["member"] for row in confirmed}


async def _pending_registrations(client, world, event: dict, count: int) -> list[int]:
    url = f"/api/events/{event['slug']}/registration"
    ids = []
    for person in await world.members(count):
        response = await client.post(url, json={}, headers=person.headers)
        assert response.json()["status"] == "pending", response.text
        ids.append(response.json()["id"])
    return ids


async def test_approve_and_decline_at_once_have_exactly_one_winner(server, client, world):
    tries = 10
    event = await world.create_event(client, capacity=tries, approval_required=True)
    ids = await _pending_registrations(client, world, event, tries)
    organizer = auth(world.colorado_organizer)
    base = "/api/manage/registrations/{}/"
    for registration_id in ids:
        approve, decline = await _burst(
            server,
            [
                ("POST", base.format(registration_id) + "approve", organizer),
                ("POST", base.format(registration_id) + "decline", organizer),
            ],
        )
        codes = sorted([approve.status_code, decline.status_code])
        assert codes == [200, 409], (approve.text, decline.text)
        loser = approve if approve.status_code == 409 else decline
        assert loser.json()["reason"] == "not_pending"
        row = await fetch_one(
            "SELECT status, confirmed_at FROM registration WHERE id = {}", registration_id
        )
        winner = "confirmed" if approve.status_code == 200 else "declined"
        assert row["status"] == winner
        assert (row["confirmed_at"] is not None) == (winner == "confirmed")
    await _assert_counters_match_rows(event["slug"])


async def test_a_check_in_never_lands_on_a_cancelled_registration(server, client, world):
    """The member cancels while staff check them in: the check-in either comes first (and
    the registration is then cancelled) or is refused; counters stay exact either way."""
    people = await world.members(6)
    event = await world.create_event(client, capacity=3)
    session_id = event["sessions"][0]["id"]
    url = f"/api/events/{event['slug']}/registration"
    for person in people:
        await client.post(url, json={}, headers=person.headers)
    rows = await fetch(
        "SELECT r.id, r.member FROM registration r JOIN event e ON e.id = r.event "
        "WHERE e.slug = {} AND r.status = 'confirmed'",
        event["slug"],
    )
    by_member = {row["member"]: row["id"] for row in rows}
    seated = [person for person in people if person.id in by_member]
    staff = auth(world.checkin_staff)
    for person in seated:
        check_in, cancel = await _burst(
            server,
            [
                ("POST", f"/api/manage/sessions/{session_id}/attendance", staff),
                ("DELETE", url, person.headers),
            ],
            bodies=[{"registration_ids": [by_member[person.id]]}, None],
        )
        assert cancel.status_code == 200, cancel.text
        assert check_in.status_code in (200, 409, 422), check_in.text
    await _assert_counters_match_rows(event["slug"])
