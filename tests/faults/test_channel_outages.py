"""The SMTP relay and Slack go away in the middle of delivering and come back on the same
port: every message arrives once, after the channel is back."""

from __future__ import annotations

from tests.faults import traffic
from tests.support.polling import eventually


async def _all_attempted(stack, channel: str) -> bool:
    rows = await stack.sql(
        "SELECT COUNT(*) AS n FROM notification WHERE channel = $1 AND sent_at IS NULL "
        "AND attempts = 0",
        channel,
    )
    return rows[0]["n"] == 0


async def _outage(stack, seed, slug: str, channel: str, received, stop, start) -> None:
    """Register 100 members; stop the channel once some of their messages went through,
    until every other one failed at least once; then start it again."""
    members = seed.members[:100]
    stack.start_worker()
    async with stack.client() as client:
        event = await traffic.held_event(client, seed, slug, capacity=200)
        await traffic.register_all(client, members[:50], slug, traffic.Answers())
        assert await eventually(lambda: _at_least(received, 10), timeout=60, interval=0.02)
        stop()
        await traffic.register_all(client, members[50:], slug, traffic.Answers())
    assert await eventually(lambda: _all_attempted(stack, channel), timeout=60)
    failed = await stack.sql(
        "SELECT COUNT(*) AS n FROM notification WHERE channel = $1 AND sent_at IS NULL", channel
    )
    assert failed[0]["n"] > 0, "the outage came too late to fail anything"
    start()
    await traffic.settle(stack)
    await traffic.assert_delivered_exactly_once(stack)
    await traffic.assert_registrations_intact(stack, event["slug"], members)


async def _at_least(received, count: int) -> bool:
    return len(received()) >= count


async def test_an_smtp_outage_delays_emails_and_loses_none(stack, seed):
    await _outage(
        stack, seed, "smtp-drill", "email", stack.smtp.received, stack.smtp.stop, stack.smtp.start
    )


async def test_a_slack_outage_delays_direct_messages_and_loses_none(stack, seed):
    await _outage(
        stack,
        seed,
        "slack-drill",
        "slack",
        lambda: stack.slack.calls("chat.postMessage"),
        stack.slack.stop,
        stack.slack.start,
    )
