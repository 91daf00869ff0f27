"""Fixed-window counters for the limits on what one client, or one recipient, can cause:
registration emails, password links, console login failures (README, "Rate limits").

Counters live in Redis when REDIS_URL is set, so every process shares them (INCR and EXPIRE
in one round trip: two processes never both see "one left"); otherwise in the process's
memory. Keys are hashes: no email address or client address is stored in clear.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from functools import lru_cache

from litestar import Request
from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore

from events.config import get_settings
from events.errors import DomainError

NAMESPACE = "convene:limits"


class RateLimited(DomainError):
    status, code, title = 429, "rate_limited", "Too many requests"


@dataclass(frozen=True, slots=True)
class Limit:
    name: str  # the counter family, part of every key
    count: int  # allowed per window
    window: int  # seconds


def client_of(request: Request) -> str:
    """The client's address as the server sees it (no proxy header is trusted)."""
    return request.client.host if request.client else "unknown"


class Limiter:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = asyncio.Lock()  # the memory path's read-then-write

    @staticmethod
    def _key(limit: Limit, subject: str) -> str:
        return hashlib.sha256(f"{limit.name}\0{subject}".encode()).hexdigest()

    async def used(self, limit: Limit, subject: str) -> int:
        return int(await self.store.get(self._key(limit, subject)) or 0)

    async def exceeded(self, limit: Limit, subject: str) -> bool:
        return await self.used(limit, subject) >= limit.count

    async def hit(self, limit: Limit, subject: str) -> int:
        """Count one; the count in this window, this one included."""
        key = self._key(limit, subject)
        redis = getattr(self.store, "_redis", None)
        if redis is not None:  # RedisStore: atomic across processes
            name = self.store._make_key(key)  # type: ignore[attr-defined]
            async with redis.pipeline(transaction=True) as pipe:
                pipe.incr(name)
                pipe.expire(name, limit.window, nx=True)
                count, _ = await pipe.execute()
            return int(count)
        async with self._lock:
            count = int(await self.store.get(key) or 0) + 1
            remaining = await self.store.expires_in(key) if count > 1 else None
            await self.store.set(key, str(count), expires_in=remaining or limit.window)
            return count

    async def take(self, limit: Limit, subject: str) -> bool:
        """Count one if the limit allows it; False (nothing counted) once it is reached."""
        if await self.exceeded(limit, subject):
            return False
        return await self.hit(limit, subject) <= limit.count

    async def clear(self, limit: Limit, subject: str) -> None:
        await self.store.delete(self._key(limit, subject))


@lru_cache(maxsize=1)
def limiter() -> Limiter:
    url = get_settings().redis_url
    if url:
        from litestar.stores.redis import RedisStore

        return Limiter(RedisStore.with_client(url=url, namespace=NAMESPACE))
    return Limiter(MemoryStore())
