"""The bot's share of the periodic sweep (handed to the sweeper by bot.plugin)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from events.db import fetch

# Slack retries an undelivered event three times within minutes: a day covers every retry.
KEEP_SEEN_EVENTS = timedelta(days=1)


async def purge_seen_events() -> int:
    """Events API deliveries old enough that Slack will never send them again."""
    cutoff = datetime.now(UTC) - KEEP_SEEN_EVENTS
    return len(await fetch("DELETE FROM slack_event_seen WHERE seen_at < {} RETURNING id", cutoff))
