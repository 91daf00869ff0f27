"""The task broker: taskiq in-process by default, a Redis list when REDIS_URL is set.

taskiq-redis's ``ListQueueBroker.listen`` catches only Python's own ConnectionError, but
redis-py raises its own (``redis.exceptions.ConnectionError``, a ``RedisError``). Without
Redis the listener raised, taskiq's receiver stopped, the worker's child process exited
and its parent started a new one a few seconds later, again and again, and every task the
child had in hand (a certificate job half rendered) died with it. ``ReconnectingBroker``
waits instead: it retries with a growing pause, says so once per outage, and carries on
taking tasks when Redis is back. The tasks in hand go on meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncGenerator

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from taskiq import AsyncBroker, InMemoryBroker
from taskiq_redis import ListQueueBroker

logger = logging.getLogger("convene.tasks")

FIRST_PAUSE = 0.5  # seconds before the first retry; doubled after each failure
LONGEST_PAUSE = 5.0  # so that a worker is taking tasks within 5 s of Redis coming back
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class ReconnectingBroker(ListQueueBroker):
    """A Redis list queue whose listener outlives Redis outages."""

    async def listen(self) -> AsyncGenerator[bytes, None]:
        pause, down_since = FIRST_PAUSE, None
        while True:
            try:
                async with Redis(connection_pool=self.connection_pool) as redis:
                    popped = await redis.brpop([self.queue_name])
            except UNREACHABLE as exc:
                if down_since is None:
                    down_since = time.monotonic()
                    logger.warning("Redis is unreachable (%s); waiting for it to return", exc)
                await asyncio.sleep(pause)
                pause = min(pause * 2, LONGEST_PAUSE)
                continue
            if down_since is not None:
                logger.warning(
                    "Redis is back after %.0f s; taking tasks again", time.monotonic() - down_since
                )
                pause, down_since = FIRST_PAUSE, None
            if popped is not None:
                yield popped[1]


def build_broker(url: str | None, queue: str) -> AsyncBroker:
    if url:
        # No socket timeout: the worker blocks on BRPOP, and redis-py 8's 5 s default
        # would make an idle worker fail and restart every few seconds.
        return ReconnectingBroker(url=url, queue_name=queue, socket_timeout=None)
    return InMemoryBroker()
