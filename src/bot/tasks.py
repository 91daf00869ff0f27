"""The bot's share of the periodic sweep (imported by the web app and the worker)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from events.db import fetch
from events.tasks import register_sweep

# Slack retries an undelivered event three times within minutes: a day covers every retry.
KEEP_SEEN_EVENTS = timedelta(days=1)


async def purge_seen_events() -> int:
    """Events API deliveries old enough that Slack will never send them again."""
    cutoff = datetime.now(UTC) - KEEP_SEEN_EVENTS
    return len(await fetch("DELETE FROM slack_event_seen WHERE seen_at < {} RETURNING id", cutoff))


register_sweep(purge_seen_events)
