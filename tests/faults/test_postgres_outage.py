"""PostgreSQL stopped (immediate shutdown: every connection drops) while 200 members
register, and started again. Clients retry what failed; nothing is lost or doubled, and
what they were told during the outage says to retry (issue 14, fault 7: 503
``database_unavailable`` with Retry-After, not 500)."""

from __future__ import annotations

import asyncio

from tests.faults import traffic


async def test_a_database_outage_during_registrations_loses_and_doubles_nothing(stack, seed):
    members = seed.members[:200]
    answers = traffic.Answers()
    stack.start_worker()
    async with stack.client() as client:
        event = await traffic.held_event(client, seed, "database-drill", capacity=150)
        crowd = asyncio.create_task(traffic.register_all(client, members, event["slug"], answers))
        while sum(201 in seen or 200 in seen for seen in answers.seen.values()) < 40:
            await asyncio.sleep(0.01)
        stack.postgres.stop("immediate")
        for _ in range(100):  # until some clients met it (10 s at most)
            if len(answers.errors) >= 20 or crowd.done():
                break
            await asyncio.sleep(0.1)
        stack.postgres.start()
        await crowd
    assert answers.retried > 0, "no client met the outage"
    await traffic.settle(stack)
    await traffic.assert_delivered_exactly_once(stack)
    statuses = await traffic.assert_registrations_intact(stack, event["slug"], members)
    assert statuses == {"confirmed": 150, "waitlisted": 50}
    wrong = [
        (response.status_code, response.headers.get("retry-after"), response.text[:200])
        for response in answers.errors
        if response.status_code != 503
        or "database_unavailable" not in response.text
        or not response.headers.get("retry-after")
    ]
    assert not wrong, f"{len(wrong)} of {len(answers.errors)} outage answers: {wrong[:3]}"
