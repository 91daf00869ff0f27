"""The bot's housekeeping: Events API delivery ids are kept a day, then dropped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.tasks import purge_seen_events
from events.db import fetch


async def test_old_delivery_ids_are_purged_recent_ones_kept(world):
    now = datetime.now(UTC)
    for event_id, seen_at in (("Ev-old", now - timedelta(days=2)), ("Ev-new", now)):
        await fetch(
            "INSERT INTO slack_event_seen (event_id, seen_at) VALUES ({}, {})", event_id, seen_at
        )
    await purge_seen_events()
    await purge_seen_events()  # again: nothing more to do
    assert [row["event_id"] for row in await fetch("SELECT event_id FROM slack_event_seen")] == [
        "Ev-new"
    ]
