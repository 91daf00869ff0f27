"""The sweep's housekeeping: long-expired unconfirmed web registrations and ended admin
sessions go; everything still usable stays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from piccolo.apps.user.tables import BaseUser
from piccolo_api.session_auth.tables import SessionsBase

from events.db import fetch, fetch_one
from events.services import housekeeping


async def _confirmation(event_id: int, email: str, expires_at: datetime, used: bool) -> int:
    row = await fetch_one(
        "INSERT INTO email_confirmation (event, email, name, answers, created_at, expires_at, "
        "used_at, attempts) VALUES ({}, {}, 'Someone', {}, {}, {}, {}, 0) RETURNING id",
        event_id,
        email,
        "{}",
        expires_at - timedelta(hours=48),
        expires_at,
        expires_at if used else None,
    )
    assert row is not None
    return row["id"]


async def test_purge_removes_only_what_nothing_can_use(client, world):
    event = await world.create_event(client)
    event_row = await fetch_one("SELECT id FROM event WHERE slug = {}", event["slug"])
    assert event_row is not None
    now = datetime.now(UTC)
    long_dead = await _confirmation(event_row["id"], "a@x.test", now - timedelta(days=9), False)
    confirmed = await _confirmation(event_row["id"], "b@x.test", now - timedelta(days=9), True)
    recent = await _confirmation(event_row["id"], "c@x.test", now - timedelta(days=1), False)

    user = await BaseUser.create_user(
        username="someone", password="a long enough password", email="s@x.test", active=True
    )
    local = datetime.now()  # noqa: DTZ005 - Piccolo's session table is naive
    ended = await SessionsBase.create_session(user.id, expiry_date=local - timedelta(minutes=1))
    live = await SessionsBase.create_session(user.id, expiry_date=local + timedelta(hours=1))

    await housekeeping.purge()  # the server's own sweeper may have run it first
    left = {row["id"] for row in await fetch("SELECT id FROM email_confirmation")}
    assert left == {confirmed, recent} and long_dead not in left
    # A month after the event, its confirmations (and their manage links) go too.
    await fetch(
        "UPDATE event SET ends_at = {} WHERE id = {}", now - timedelta(days=31), event_row["id"]
    )
    await housekeeping.purge()
    assert await fetch("SELECT id FROM email_confirmation") == []
    tokens = {row["token"] for row in await fetch("SELECT token FROM sessions")}
    assert tokens == {live.token} and ended.token not in tokens
    assert await housekeeping.purge() == 0  # idempotent
