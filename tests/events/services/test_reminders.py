"""Reminders and lost confirmations derived by the sweep, recorded once; delivery once.

Events are created through the real API, ten days ahead, and ``record_due`` is called with a
fixed ``now`` near them: the server's own sweeper (which uses the real clock) never sees them
as due, so it cannot race these tests.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from events.db import fetch, fetch_one
from events.enums import Channel, NotificationKind
from events.services import notifications, reminders
from tests.support.clock import days_from_today
from tests.support.world import auth

REMINDER_KINDS = ("reminder_24h", "reminder_1h")


def _start() -> datetime:
    """A session start far enough ahead that the real-time sweeper leaves it alone."""
    return days_from_today(10)


def _session(title: str, starts_at: datetime, hours: float = 2) -> dict:
    return {
        "title": title,
        "starts_at": starts_at.isoformat(),
        "ends_at": (starts_at + timedelta(hours=hours)).isoformat(),
    }


async def _event(client, world, start: datetime, **fields) -> dict:
    fields.setdefault("sessions", [_session("Main", start)])
    return await world.create_event(client, **fields)


async def _register(client, event: dict, person) -> dict:
    response = await client.post(
        f"/api/events/{event['slug']}/registration", headers=person.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def _reminders() -> set[tuple[str, int, int]]:
    rows = await fetch(
        "SELECT kind, registration, subject FROM notification WHERE kind IN ({}, {})",
        *REMINDER_KINDS,
    )
    return {(row["kind"], row["registration"], row["subject"]) for row in rows}


async def _reminder_rows() -> int:
    row = await fetch_one(
        "SELECT COUNT(*) AS n FROM notification WHERE kind IN ({}, {})", *REMINDER_KINDS
    )
    return row["n"]


async def test_a_session_23_hours_away_gets_the_24_hour_reminder_once(client, world):
    start = _start()
    event = await _event(client, world, start)
    registration = await _register(client, event, await world.member())
    session_id = event["sessions"][0]["id"]
    now = start - timedelta(hours=23)

    assert await reminders.record_due(now=now) == [registration["id"]]
    assert await _reminders() == {("reminder_24h", registration["id"], session_id)}

    assert await reminders.record_due(now=now) == []
    assert await reminders.record_due(now=now + timedelta(minutes=5)) == []
    assert await _reminder_rows() == 1


async def test_concurrent_sweeps_record_each_reminder_once(client, world):
    start = _start()
    event = await _event(
        client,
        world,
        start,
        sessions=[_session("Morning", start), _session("Afternoon", start + timedelta(hours=3))],
    )
    people = await world.members(3)
    registration_ids = [(await _register(client, event, person))["id"] for person in people]
    now = start - timedelta(hours=20)

    await asyncio.gather(reminders.record_due(now=now), reminders.record_due(now=now))
    await asyncio.gather(*(reminders.record_due(now=now) for _ in range(3)))

    expected = {
        ("reminder_24h", registration_id, session["id"])
        for registration_id in registration_ids
        for session in event["sessions"]
    }
    assert await _reminders() == expected
    assert await _reminder_rows() == len(expected) == 6


async def test_a_session_50_minutes_away_gets_only_the_1_hour_reminder(client, world):
    start = _start()
    event = await _event(client, world, start)
    registration = await _register(client, event, await world.member())
    session_id = event["sessions"][0]["id"]

    assert await reminders.record_due(now=start - timedelta(minutes=50)) == [registration["id"]]

    assert await _reminders() == {("reminder_1h", registration["id"], session_id)}


async def test_both_reminders_as_the_session_comes_closer(client, world):
    start = _start()
    event = await _event(client, world, start)
    registration = await _register(client, event, await world.member())
    session_id = event["sessions"][0]["id"]

    for hours_before in (30, 23, 12, 0.75, 0.5):
        await reminders.record_due(now=start - timedelta(hours=hours_before))

    assert await _reminders() == {
        ("reminder_24h", registration["id"], session_id),
        ("reminder_1h", registration["id"], session_id),
    }
    assert await reminders.record_due(now=start + timedelta(minutes=1)) == []  # started


async def test_a_session_25_hours_away_gets_nothing_yet(client, world):
    start = _start()
    event = await _event(client, world, start)
    await _register(client, event, await world.member())

    assert await reminders.record_due(now=start - timedelta(hours=25)) == []
    assert await _reminder_rows() == 0


async def test_a_cancelled_session_gets_no_reminder(client, world):
    start = _start()
    event = await _event(
        client,
        world,
        start,
        sessions=[_session("Kept", start), _session("Dropped", start + timedelta(hours=3))],
    )
    registration = await _register(client, event, await world.member())
    kept, dropped = event["sessions"]
    response = await client.post(
        f"/api/manage/sessions/{dropped['id']}/cancel", headers=auth(world.admin)
    )
    assert response.status_code == 200, response.text

    await reminders.record_due(now=start - timedelta(hours=20))

    assert await _reminders() == {("reminder_24h", registration["id"], kept["id"])}


async def test_a_cancelled_event_gets_no_reminder(client, world):
    start = _start()
    event = await _event(client, world, start)
    await _register(client, event, await world.member())
    response = await client.post(
        f"/api/manage/events/{event['slug']}/cancel", headers=auth(world.admin)
    )
    assert response.status_code == 200, response.text

    assert await reminders.record_due(now=start - timedelta(hours=23)) == []
    assert await reminders.record_due(now=start - timedelta(minutes=30)) == []
    assert await _reminder_rows() == 0


async def test_a_draft_event_gets_no_reminder(client, world):
    start = _start()
    event = await _event(client, world, start)
    await _register(client, event, await world.member())
    # A draft cannot take registrations through the API: turn the event back into one.
    await fetch("UPDATE event SET status = 'draft' WHERE slug = {}", event["slug"])

    assert await reminders.record_due(now=start - timedelta(hours=23)) == []
    assert await reminders.record_due(now=start - timedelta(minutes=30)) == []
    assert await _reminder_rows() == 0


async def test_only_confirmed_registrations_get_reminders(client, world):
    start = _start()
    full = await _event(client, world, start, capacity=1)
    holder, waiter, leaver = await world.members(3)
    confirmed = await _register(client, full, holder)
    waitlisted = await _register(client, full, waiter)
    assert waitlisted["status"] == "waitlisted"
    left = await _register(client, full, leaver)
    response = await client.delete(
        f"/api/events/{full['slug']}/registration", headers=leaver.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled"
    approval = await _event(client, world, start + timedelta(hours=1), approval_required=True)
    pending = await _register(client, approval, await world.member())
    assert pending["status"] == "pending"

    recorded = await reminders.record_due(now=start - timedelta(hours=20))

    assert recorded == [confirmed["id"]]
    assert await _reminders() == {
        ("reminder_24h", confirmed["id"], full["sessions"][0]["id"]),
    }
    assert {waitlisted["id"], left["id"], pending["id"]}.isdisjoint(
        registration for _, registration, _ in await _reminders()
    )


async def _lose_confirmation(registration_id: int, created_at: datetime) -> None:
    """As if the process died between the registration's commit and its outbox row."""
    await fetch(
        "DELETE FROM notification WHERE registration = {} AND kind = 'registered'",
        registration_id,
    )
    await fetch(
        "UPDATE registration SET created_at = {} WHERE id = {}", created_at, registration_id
    )


async def _confirmations(registration_id: int) -> list[dict]:
    return await fetch(
        "SELECT id, dedupe_key, sent_at FROM notification "
        "WHERE registration = {} AND kind = 'registered'",
        registration_id,
    )


async def test_a_lost_confirmation_is_derived_after_the_grace_and_within_the_lookback(
    client, world
):
    event = await _event(client, world, _start())
    recent, fresh, old = await world.members(3)
    recent_id = (await _register(client, event, recent))["id"]
    fresh_id = (await _register(client, event, fresh))["id"]
    old_id = (await _register(client, event, old))["id"]
    # A "now" ahead of the real clock: the server's sweeper sees these as not yet created.
    now = datetime.now(UTC) + timedelta(days=2)
    await _lose_confirmation(recent_id, now - timedelta(minutes=5))
    await _lose_confirmation(fresh_id, now - timedelta(seconds=5))  # within the grace
    await _lose_confirmation(old_id, now - timedelta(hours=2))  # beyond the lookback

    assert await reminders.record_due(now=now) == [recent_id]

    [derived] = await _confirmations(recent_id)
    assert derived["dedupe_key"] == notifications.dedupe_key(
        NotificationKind.registered, recent_id, None, Channel.email
    )
    assert await _confirmations(fresh_id) == []
    assert await _confirmations(old_id) == []
    # Derived once: a second sweep, or two at once, add nothing.
    await asyncio.gather(reminders.record_due(now=now), reminders.record_due(now=now))
    assert len(await _confirmations(recent_id)) == 1


async def test_a_confirmation_that_was_recorded_is_not_derived_again(client, world):
    event = await _event(client, world, _start())
    registration = await _register(client, event, await world.member())
    now = datetime.now(UTC) + timedelta(days=2)
    await fetch(
        "UPDATE registration SET created_at = {} WHERE id = {}",
        now - timedelta(minutes=5),
        registration["id"],
    )

    assert await reminders.record_due(now=now) == []
    assert len(await _confirmations(registration["id"])) == 1


async def test_concurrent_deliveries_send_once(client, world):
    start = _start()
    event = await _event(client, world, start)
    registration = await _register(client, event, await world.member())
    await reminders.record_due(now=start - timedelta(minutes=50))
    row = await fetch_one(
        "SELECT id FROM notification WHERE registration = {} AND kind = 'reminder_1h'",
        registration["id"],
    )
    assert row is not None

    results = await asyncio.gather(*(notifications.deliver(row["id"]) for _ in range(2)))

    assert sorted(results) == [False, True]
    delivered = await fetch_one(
        "SELECT sent_at, attempts FROM notification WHERE id = {}", row["id"]
    )
    assert delivered["sent_at"] is not None
    assert delivered["attempts"] == 1
    assert await notifications.deliver(row["id"]) is False
