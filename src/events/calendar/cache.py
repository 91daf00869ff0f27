"""In-process caches for rendered feeds, invalidated by what the database says changed.

Each process keeps its own caches. Whether the data changed is read from the database
(the newest ``updated_at`` and the row counts of events and sessions) at most once per
``ttl`` seconds, so every process sees every change within that time, whichever process
made it, with no message bus.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import time
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Generic, TypeVar

from events.db import fetch_one

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRU(Generic[K, V]):
    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.max_entries:
            self._items.popitem(last=False)

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


@dataclass(frozen=True, slots=True)
class RenderedFeed:
    body: bytes
    gzipped: bytes
    etag: str  # strong, of the identity body
    gzip_etag: str  # each encoding is its own representation
    last_modified: datetime | None

    @classmethod
    def of(cls, body: bytes, last_modified: datetime | None) -> RenderedFeed:
        digest = hashlib.sha256(body).hexdigest()[:32]
        return cls(
            body=body,
            gzipped=gzip.compress(body, compresslevel=6, mtime=0),
            etag=f'"{digest}"',
            gzip_etag=f'"{digest}-gz"',
            last_modified=last_modified,
        )


class ChangeClock:
    """A token that changes whenever feed data may have changed (and once a day, since
    cancelled sessions leave the feeds 30 days after their cancellation)."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._token: tuple | None = None
        self._read_at = 0.0
        self._lock = asyncio.Lock()

    async def token(self) -> tuple:
        if self._token is not None and time.monotonic() - self._read_at < self.ttl:
            return self._token
        async with self._lock:
            if self._token is None or time.monotonic() - self._read_at >= self.ttl:
                row = await fetch_one(
                    "SELECT (SELECT MAX(updated_at) FROM event_session) AS sessions_changed, "
                    "(SELECT COUNT(*) FROM event_session) AS sessions, "
                    "(SELECT MAX(updated_at) FROM event) AS events_changed, "
                    "(SELECT COUNT(*) FROM event) AS events"
                )
                self._token = (*(row.values() if row else ()), _today())
                self._read_at = time.monotonic()
        return self._token


def _today() -> date:
    return datetime.now(UTC).date()
