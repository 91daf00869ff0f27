"""Background work: notifications leave through the outbox, exactly once, and are re-derived."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from events import tasks
from events.db import fetch, fetch_one
from events.services import notifications
from tests.support.polling import eventually


async def _sent(notification_id: int):
    row = await fetch_one("SELECT sent_at FROM notification WHERE id = {}", notification_id)
    return row and row["sent_at"]


async def _promotion(client, world) -> int:
    event = await world.create_event(client, capacity=1)
    holder, waiter = await world.members(2)
    url = f"/api/events/{event['slug']}/registration"
    await client.post(url, headers=holder.headers)
    await client.post(url, headers=waiter.headers)
    await client.delete(url, headers=holder.headers)
    row = await fetch_one("SELECT id FROM notification ORDER BY id DESC LIMIT 1")
    return row["id"]


async def test_health_names_the_broker(client):
    broker = (await client.get("/health")).json()["broker"]
    assert broker == ("redis" if os.environ.get("REDIS_URL") else "in-process")


async def test_a_promotion_is_delivered_after_the_commit(client, world):
    notification_id = await _promotion(client, world)
    assert await eventually(lambda: _sent(notification_id))


async def test_delivery_happens_once(client, world):
    notification_id = await _promotion(client, world)
    assert await eventually(lambda: _sent(notification_id))
    assert await notifications.deliver(notification_id) is False
    row = await fetch_one("SELECT attempts FROM notification WHERE id = {}", notification_id)
    assert row["attempts"] == 1


async def test_the_sweep_delivers_what_a_lost_task_left_behind(client, world, server):
    notification_id = await _promotion(client, world)
    await eventually(lambda: _sent(notification_id))
    # Simulate a task lost with its worker: unsent, claimed long ago.
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    await fetch(
        "UPDATE notification SET sent_at = NULL, claimed_at = {}, created_at = {} WHERE id = {}",
        long_ago,
        long_ago,
        notification_id,
    )
    await tasks.broker.startup()
    try:
        assert await tasks.sweep_outbox(grace=timedelta(0)) == 1
        assert await eventually(lambda: _sent(notification_id))
    finally:
        await tasks.broker.shutdown()
