"""Redis killed and started again, empty: the queue loses what it held.

The worker must ride the outage out (issue 14, fault 5): before, taskiq-redis's listener
raised redis-py's ConnectionError, the worker's child process exited and was restarted
every few seconds, and the certificate job it was running died with it.
"""

from __future__ import annotations

from tests.faults import traffic
from tests.faults.stack import Stack
from tests.support.polling import eventually


async def _job(stack: Stack) -> dict:
    rows = await stack.sql("SELECT status, total, done FROM certificate_job")
    return rows[0] if rows else {}


async def test_a_redis_outage_neither_restarts_the_worker_nor_loses_a_message(stack, seed):
    stack.start_worker()
    assert await eventually(lambda: _async(stack.worker_children()), timeout=30)
    first, later = seed.members[:120], seed.members[120:140]
    answers = traffic.Answers()
    async with stack.client() as client:
        event = await traffic.held_event(client, seed, "redis-drill", capacity=200)
        registrations = await traffic.register_all(client, first, event["slug"], answers)
        await traffic.check_in(client, seed, event, registrations)
        await traffic.bulk_issue(client, seed, event["slug"])

        async def rendering() -> bool:
            job = await _job(stack)
            return job.get("status") == "running" and job["total"] > 0

        assert await eventually(rendering, timeout=60, interval=0.05), await _job(stack)
        children = stack.worker_children()
        stack.redis.kill()  # with a job in hand

        async def finished() -> bool:
            return (await _job(stack)).get("status") == "done"

        # The job is finished by the same worker process, while Redis is still down.
        assert await eventually(finished, timeout=60, interval=0.2), await _job(stack)
        assert stack.worker_children() == children, "the worker's child was restarted"
        assert stack.worker.poll() is None

        stack.redis.start()  # empty: the tasks it held are gone; the sweep re-derives them
        await traffic.register_all(client, later, event["slug"], answers)
    await traffic.settle(stack)
    await traffic.assert_delivered_exactly_once(stack)
    await traffic.assert_registrations_intact(stack, event["slug"], first + later)
    assert await traffic.assert_certificates_intact(stack, event["slug"]) == len(first)
    assert "restarted" not in stack.log("worker").read_text()


async def _async(value):
    return value
