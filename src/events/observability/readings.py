"""Gauges read from the database and Redis when /metrics is scraped.

They are the state of the whole deployment, not of one process: whichever web process
answers a scrape reads the same numbers. Each source is one cheap query (a GROUP BY over
an index); a process reuses what it read for ``METRICS_CACHE_SECONDS`` (5 s), so scrapes
from several Prometheus servers cost one read.

Extensions add their own sources (``ConvenePlugin.metrics``): the bot its Slack posts'
outbox, certificates their jobs. A source that fails (the database is down) is reported
as ``convene_metrics_source_up{source=...} 0`` and the others are still answered.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from prometheus_client.core import GaugeMetricFamily, Metric

from events.db import fetch
from events.enums import Channel, RegistrationStatus
from events.services import confirmation_emails, member_logins, notifications, password_links
from events.services.outbox import Outbox

logger = logging.getLogger("convene.metrics")

OUTBOX_DEPTH = "convene_outbox_depth"
OUTBOX_AGE = "convene_outbox_oldest_age_seconds"
SOURCE_UP = "convene_metrics_source_up"


@dataclass(frozen=True, slots=True)
class Reading:
    """One gauge sample: the family's name and help, the labels and the value."""

    name: str
    help: str
    value: float
    labels: Mapping[str, str] = field(default_factory=dict)


MetricsSource = Callable[[], Awaitable[Iterable[Reading]]]


def _timestamp(value: object) -> datetime:
    """MIN() of a timestamp comes back as text from SQLite."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def outbox_readings(outbox: str, channel: str, backlog: Sequence[Mapping]) -> list[Reading]:
    """The depth and oldest row's age of one outbox (``backlog``: Outbox.backlog's row, or
    none when it is empty)."""
    labels = {"outbox": outbox, "channel": channel}
    pending = sum(row["pending"] for row in backlog)
    oldest = [_timestamp(row["oldest"]) for row in backlog if row["oldest"] is not None]
    age = (datetime.now(UTC) - min(oldest)).total_seconds() if oldest else 0.0
    return [
        Reading(
            OUTBOX_DEPTH, "Messages still to send (due, backing off or in hand)", pending, labels
        ),
        Reading(OUTBOX_AGE, "Age of the oldest message still to send; 0 when none", age, labels),
    ]


async def registrations() -> list[Reading]:
    rows = await fetch("SELECT status, COUNT(*) AS n FROM registration GROUP BY status")
    counts = {row["status"]: row["n"] for row in rows}
    return [
        Reading(
            "convene_registrations",
            "Registrations by status",
            counts.get(status, 0),
            {"status": status},
        )
        for status in RegistrationStatus
    ]


async def _one_outbox(name: str, channel: str, outbox: Outbox) -> list[Reading]:
    return outbox_readings(name, channel, await outbox.backlog())


async def outboxes() -> list[Reading]:
    """Notifications (one outbox per channel), confirmation, sign-in and invitation emails."""
    by_channel = {row["key"]: row for row in await notifications.OUTBOX.backlog(by="channel")}
    readings = [
        reading
        for channel in Channel
        for reading in outbox_readings(
            "notification", channel, [by_channel[channel]] if channel in by_channel else []
        )
    ]
    readings += await _one_outbox("email_confirmation", Channel.email, confirmation_emails.OUTBOX)
    readings += await _one_outbox("member_login", Channel.email, member_logins.OUTBOX)
    readings += await _one_outbox("organizer_invitation", Channel.email, password_links.OUTBOX)
    return readings


class TaskQueue:
    """The taskiq queue's length in Redis: tasks queued and not yet taken by a worker."""

    __name__ = "task_queue"

    def __init__(self, redis_url: str, queue: str) -> None:
        from redis.asyncio import Redis

        self.queue = queue
        self.client = Redis.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2)

    async def __call__(self) -> list[Reading]:
        depth = await self.client.llen(self.queue)
        return [Reading("convene_task_queue_depth", "Tasks waiting for a worker", depth)]

    async def close(self) -> None:
        await self.client.aclose()


class GaugeReader:
    """Reads every source at most once per ``ttl`` seconds; concurrent scrapes share a read."""

    def __init__(self, sources: Sequence[MetricsSource], ttl: float) -> None:
        self.sources = list(sources)
        self.ttl = ttl
        self._lock = asyncio.Lock()
        self._read_at: float | None = None
        self._readings: list[Reading] = []

    async def read(self) -> list[Reading]:
        async with self._lock:
            fresh = self._read_at is not None and time.monotonic() - self._read_at < self.ttl
            if not fresh:
                self._readings = [reading async for reading in self._read_all()]
                self._read_at = time.monotonic()
            return self._readings

    async def _read_all(self):
        for source in self.sources:
            name = source.__name__
            try:
                readings, up = list(await source()), 1
            except Exception as error:  # noqa: BLE001 - report it, answer the rest
                logger.warning("metrics source %s failed: %s", name, error)
                readings, up = [], 0
            for reading in readings:
                yield reading
            yield Reading(
                SOURCE_UP, "1 when the source answered its last read", up, {"source": name}
            )


def families(readings: Iterable[Reading]) -> Iterator[Metric]:
    """Readings as Prometheus gauge families (one per name; labels in the first's order)."""
    grouped: dict[str, tuple[GaugeMetricFamily, list[str]]] = {}
    for reading in readings:
        if reading.name not in grouped:
            labels = list(reading.labels)
            grouped[reading.name] = (
                GaugeMetricFamily(reading.name, reading.help, labels=labels),
                labels,
            )
        family, labels = grouped[reading.name]
        family.add_metric([reading.labels[label] for label in labels], reading.value)
    yield from (family for family, _ in grouped.values())
