"""The bot's tasks and its share of the periodic sweep (handed to the sweeper by
bot.plugin). The worker imports this module (Procfile) so that it knows the tasks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot import posts
from events.db import fetch
from events.tasks import SWEEP_GRACE, RetryPoller, broker

# Slack retries an undelivered event three times within minutes: a day covers every retry.
KEEP_SEEN_EVENTS = timedelta(days=1)


async def purge_seen_events() -> int:
    """Events API deliveries old enough that Slack will never send them again."""
    cutoff = datetime.now(UTC) - KEEP_SEEN_EVENTS
    return len(await fetch("DELETE FROM slack_event_seen WHERE seen_at < {} RETURNING id", cutoff))


@broker.task(task_name="deliver_slack_post")
async def deliver_slack_post(post_id: int) -> bool:
    return await posts.deliver(post_id)


async def sweep_slack_posts() -> int:
    """Re-queue posts that a lost task left unsent, or whose retry is now due."""
    due = await posts.due(SWEEP_GRACE)
    for post_id in due:
        await deliver_slack_post.kiq(post_id)
    return len(due)


def slack_post_retries() -> RetryPoller:
    """Posts whose retry is due, queued within seconds (a frequent sweep)."""
    return RetryPoller(posts.OUTBOX, deliver_slack_post)
