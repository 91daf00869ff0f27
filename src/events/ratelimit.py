"""Fixed-window counters for the limits on what one client, or one recipient, can cause:
registration emails, password links, console login failures (README, "Rate limits").

Counters live in Redis when REDIS_URL is set, so every process shares them (INCR and EXPIRE
in one round trip: two processes never both see "one left"), and in the process's memory
while Redis is down (events.stores); without Redis, in the process's memory. Keys are
hashes: no email address or client address is stored in clear.
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
from events.stores import ResilientStore, increment_in_memory, redis_link

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
        if isinstance(self.store, ResilientStore):  # atomic across processes
            return await self.store.increment(key, limit.window)
        return await increment_in_memory(self.store, key, limit.window, self._lock)

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
        return Limiter(ResilientStore(redis_link(url), namespace=NAMESPACE))
    return Limiter(MemoryStore())
