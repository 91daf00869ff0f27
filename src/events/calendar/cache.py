"""In-process caches for rendered feeds, invalidated by what the database says changed.

Each process keeps its own caches. Whether the data changed is read from the database
(the newest ``updated_at`` and the row counts of events and sessions) at most once per
``ttl`` seconds, so every process sees every change within that time, whichever process
made it, with no message bus.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import format_datetime
from typing import Generic, TypeVar

from zlib_ng import gzip_ng

from events.db import fetch_one

logger = logging.getLogger("convene.calendar")
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
    last_modified_http: str | None  # formatted once, not per request

    @classmethod
    def of(
        cls, body: bytes, last_modified: datetime | None, *, gzipped: bytes | None = None
    ) -> RenderedFeed:
        """Hash and compress once per build (big feeds bring their gzip made of blocks).
        zlib-ng at level 4 compresses about as well as zlib at 6, several times faster."""
        digest = hashlib.sha256(body).hexdigest()[:32]
        return cls(
            body=body,
            gzipped=gzipped or gzip_ng.compress(body, compresslevel=4, mtime=0),
            etag=f'"{digest}"',
            gzip_etag=f'"{digest}-gz"',
            last_modified=last_modified,
            last_modified_http=format_datetime(last_modified, usegmt=True)
            if last_modified
            else None,
        )


class ChangeClock:
    """A token that changes whenever feed data may have changed (and once a day, since
    cancelled sessions leave the feeds 30 days after their cancellation)."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._token: tuple | None = None
        self._read_at = 0.0
        self._lock = asyncio.Lock()
        self._refreshing: asyncio.Task | None = None

    async def token(self) -> tuple:
        """The current token, at most ``ttl`` (plus one query) old. A background task
        re-reads it every ``ttl`` seconds, so no request waits on the database."""
        if self.ttl <= 0:
            return await self._read()
        if self._token is None:
            await self._read()
        if self._refreshing is None or self._refreshing.done():
            self._refreshing = asyncio.create_task(self._refresh_forever())
        return self._token

    async def _refresh_forever(self) -> None:
        while True:
            await asyncio.sleep(max(0.0, self.ttl - (time.monotonic() - self._read_at)))
            try:
                await self._read()
            except Exception as error:  # keep serving the cached feeds; try again
                logger.warning("feed change check failed: %s", error)
                await asyncio.sleep(self.ttl)

    async def _read(self) -> tuple:
        async with self._lock:
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
