"""The worker killed (kill -9, children and all) in the middle of delivering: 200
registrations (a Slack DM and an email each) and a bulk certificate issue queued."""

from __future__ import annotations

from tests.faults import traffic
from tests.support.polling import eventually


async def test_a_worker_killed_mid_delivery_loses_and_doubles_nothing(stack, seed):
    members = seed.members[:200]
    answers = traffic.Answers()
    async with stack.client() as client:  # the worker is not running yet: work piles up
        event = await traffic.held_event(client, seed, "crash-drill", capacity=150)
        registrations = await traffic.register_all(client, members, event["slug"], answers)
        await traffic.check_in(client, seed, event, registrations)
        await traffic.bulk_issue(client, seed, event["slug"])
    stack.start_worker()

    async def delivering() -> bool:
        return len(stack.slack.calls("chat.postMessage")) >= 60

    assert await eventually(delivering, timeout=60, interval=0.02)
    stack.kill_worker()
    cut_short = await traffic.in_hand(stack)
    stack.start_worker()

    await traffic.settle(stack)
    await traffic.assert_delivered_exactly_once(stack, cut_short)
    statuses = await traffic.assert_registrations_intact(stack, event["slug"], members)
    assert statuses == {"confirmed": 150, "waitlisted": 50}
    assert await traffic.assert_certificates_intact(stack, event["slug"]) == 150
