"""Redis-backed stores that outlive a Redis outage (README, "When a part is down").

Rate limits, failed-login counters and the lists of ended sessions live in Redis when
REDIS_URL is set, so every web process shares them. Redis being down must not take the
public pages with it, so every store here is a ``ResilientStore``:

- while Redis answers, it is the store (shared by every process);
- when a call fails, the store falls back to the process's memory, and for
  ``RETRY_AFTER_SECONDS`` does not even try Redis (no request waits on a dead server);
  one warning is logged per outage, not one per request;
- what was written during the outage stays in memory and is read first, so a session
  ended during the outage stays ended when Redis returns; it is copied to Redis (unless
  Redis holds that key already) as soon as Redis answers again, so the other processes
  see it too.

Limits therefore fail over to per-process counters rather than failing open entirely. The
client reconnects by itself: a pooled connection idle for ``HEALTH_CHECK_SECONDS`` is
pinged before use, and a command that meets a stale connection is retried once on a new one.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import lru_cache
from typing import TypeVar

from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore
from litestar.stores.redis import RedisStore
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from events.config import Settings

logger = logging.getLogger("convene.redis")

TIMEOUT_SECONDS = 1.0  # connect and command: a request never waits longer on Redis
RETRY_AFTER_SECONDS = 2.0  # after a failure, memory only for this long
HEALTH_CHECK_SECONDS = 10  # a connection idle this long is pinged before it is used
FAILURES = (RedisError, OSError, asyncio.TimeoutError)

T = TypeVar("T")


class RedisUnavailable(Exception):
    """Redis did not answer, or failed a moment ago and is left alone for now."""


class RedisLink:
    """One client per Redis URL and process, and whether Redis is down: the stores share
    it, so an outage is noticed, logged and recovered from once."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.client = Redis.from_url(
            url,
            socket_connect_timeout=TIMEOUT_SECONDS,
            socket_timeout=TIMEOUT_SECONDS,
            health_check_interval=HEALTH_CHECK_SECONDS,
            retry=Retry(NoBackoff(), retries=1),  # a stale connection: once more, anew
        )
        self._down_since: float | None = None
        self._retry_at = 0.0
        self._on_recovery: list[Callable[[], Awaitable[None]]] = []

    @property
    def down(self) -> bool:
        return self._down_since is not None

    def on_recovery(self, hook: Callable[[], Awaitable[None]]) -> None:
        self._on_recovery.append(hook)

    def failed(self, exc: BaseException) -> None:
        if self._down_since is None:
            self._down_since = time.monotonic()
            logger.warning(
                "Redis is unreachable (%s: %s): limits and ended sessions use this "
                "process's memory until it answers again",
                type(exc).__name__,
                exc,
            )
        self._retry_at = time.monotonic() + RETRY_AFTER_SECONDS

    async def run(self, command: Callable[[], Awaitable[T]]) -> T:
        """``command`` against Redis; RedisUnavailable if it fails or Redis is resting."""
        if self._down_since is not None and time.monotonic() < self._retry_at:
            raise RedisUnavailable
        try:
            result = await command()
        except FAILURES as exc:
            self.failed(exc)
            raise RedisUnavailable from exc
        if self._down_since is not None:
            await self._recovered()
        return result

    async def check_back(self) -> None:
        """While Redis is down, try it again once its rest is over: the stores answer from
        memory for the keys written during the outage, and would never notice otherwise."""
        if self._down_since is not None and time.monotonic() >= self._retry_at:
            await self.ping()

    async def _recovered(self) -> None:
        if self._down_since is None:
            return  # another request noticed first
        seconds = time.monotonic() - self._down_since
        self._down_since = None
        logger.warning("Redis answers again after %.0f s", seconds)
        for hook in self._on_recovery:
            await hook()  # each hook reports its own failure through failed()

    async def ping(self) -> bool:
        """For readiness: a real round trip, whatever the circuit says."""
        try:
            await asyncio.wait_for(self.client.ping(), TIMEOUT_SECONDS)
        except FAILURES as exc:
            self.failed(exc)
            return False
        if self._down_since is not None:
            await self._recovered()
        return True


@lru_cache(maxsize=4)
def redis_link(url: str) -> RedisLink:
    return RedisLink(url)


class ResilientStore(Store):
    """A Litestar store on Redis that falls back to process memory (see the module)."""

    def __init__(self, link: RedisLink, namespace: str) -> None:
        self.link = link
        self.redis = RedisStore(link.client, namespace=namespace, handle_client_shutdown=False)
        self.memory = MemoryStore()  # what was written while Redis was down
        self._lock = asyncio.Lock()
        link.on_recovery(self._copy_to_redis)

    async def _held(self, key: str) -> bool:
        """Written during an outage, so memory has the latest (until copied to Redis)."""
        await self.link.check_back()
        return await self.memory.exists(key)

    async def _redis_or(
        self, command: Callable[[], Awaitable[T]], fallback: Callable[[], Awaitable[T]]
    ) -> T:
        try:
            return await self.link.run(command)
        except RedisUnavailable:
            return await fallback()

    async def set(
        self, key: str, value: str | bytes, expires_in: int | timedelta | None = None
    ) -> None:
        in_memory = lambda: self.memory.set(key, value, expires_in)  # noqa: E731
        if await self._held(key):
            return await in_memory()
        await self._redis_or(lambda: self.redis.set(key, value, expires_in), in_memory)

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        in_memory = lambda: self.memory.get(key, renew_for)  # noqa: E731
        if await self._held(key):
            return await in_memory()
        return await self._redis_or(lambda: self.redis.get(key, renew_for), in_memory)

    async def delete(self, key: str) -> None:
        await self.memory.delete(key)
        await self._redis_or(lambda: self.redis.delete(key), _none)

    async def delete_all(self) -> None:
        await self.memory.delete_all()
        await self._redis_or(self.redis.delete_all, _none)

    async def exists(self, key: str) -> bool:
        if await self._held(key):
            return True
        return await self._redis_or(lambda: self.redis.exists(key), _false)

    async def expires_in(self, key: str) -> int | None:
        if await self._held(key):
            return await self.memory.expires_in(key)
        return await self._redis_or(lambda: self.redis.expires_in(key), _none)

    async def increment(self, key: str, window: int) -> int:
        """Count one in a fixed window of ``window`` seconds; the count, this one included.
        On Redis INCR and EXPIRE NX in one round trip: two processes never both see "one
        left"."""

        async def in_redis() -> int:
            name = self.redis._make_key(key)
            async with self.link.client.pipeline(transaction=True) as pipe:
                pipe.incr(name)
                pipe.expire(name, window, nx=True)
                count, _ = await pipe.execute()
            return int(count)

        if await self._held(key):
            return await increment_in_memory(self.memory, key, window, self._lock)
        return await self._redis_or(
            in_redis, lambda: increment_in_memory(self.memory, key, window, self._lock)
        )

    async def _copy_to_redis(self) -> None:
        """Hand what the outage left in memory to Redis, keeping what Redis already holds."""
        entries = [
            (key, item.data, item.expires_in if item.expires_at else None)
            for key, item in list(self.memory._store.items())
            if not item.expired
        ]
        try:
            for key, data, seconds in entries:
                expiry = max(seconds, 1) if seconds is not None else None
                await self.link.client.set(self.redis._make_key(key), data, ex=expiry, nx=True)
        except FAILURES as exc:
            self.link.failed(exc)
            return
        for key, *_ in entries:
            await self.memory.delete(key)


async def increment_in_memory(store: Store, key: str, window: int, lock: asyncio.Lock) -> int:
    async with lock:  # read-then-write
        count = int(await store.get(key) or 0) + 1
        remaining = await store.expires_in(key) if count > 1 else None
        await store.set(key, str(count), expires_in=remaining or window)
        return count


async def _false() -> bool:
    return False


async def _none() -> None:
    return None


def app_stores(settings: Settings) -> dict[str, Store]:
    """The app's named stores: in Redis when there is one, so every process shares them;
    otherwise Litestar's per-process memory stores."""
    if not settings.redis_url:
        return {}
    link = redis_link(settings.redis_url)
    return {
        "rate_limit": ResilientStore(link, namespace="convene"),  # certs' public routes
        # console sessions ended by logging out (events.web.console.session)
        "console_sessions": ResilientStore(link, namespace="convene:console_sessions"),
        # member page sessions ended by signing out (events.web.member.session)
        "member_sessions": ResilientStore(link, namespace="convene:member_sessions"),
    }
