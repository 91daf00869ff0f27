"""Which sessions each feed holds, rendered through two caches.

A feed is assembled from per-session VEVENT fragments. A fragment is keyed by the session,
its revision and the change times of the session and its event (plus, in a personal feed,
the member's registration state), so after one change only that fragment is rendered
again. Whole public feeds are also cached until the ChangeClock ticks.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal
from urllib.parse import urlsplit

from events.calendar import gzip_blocks, ical
from events.calendar.cache import LRU, ChangeClock, RenderedFeed
from events.calendar.entries import Personal, build_entry
from events.config import get_settings
from events.db import fetch, fetch_one
from events.errors import InvalidInput
from events.services.join_links import join_link

CANCELLED_KEPT = timedelta(days=30)  # cancelled sessions stay visible this long
HISTORY = timedelta(days=365)  # sessions that ended longer ago leave the feeds
THREAD_THRESHOLD = 200  # render this many or more fragments off the event loop

KEY_COLUMNS = (
    "s.id, s.revision, s.updated_at AS session_updated_at, e.updated_at AS event_updated_at"
)
DETAIL_COLUMNS = (
    "s.id AS session_id, s.title AS session_title, s.description AS session_description, "
    "s.starts_at, s.ends_at, s.location_name, s.location_address, s.status AS session_status, "
    "s.revision, s.updated_at AS session_updated_at, e.id AS event_id, e.slug, "
    "e.title AS event_title, e.summary AS event_summary, e.status AS event_status, "
    "e.venue_name, e.venue_address, e.latitude, e.longitude, e.online_url IS NOT NULL AS online, "
    "e.online_url, e.updated_at AS event_updated_at"
)


@dataclass(frozen=True, slots=True)
class FeedScope:
    """Which public feed: one event, a region, or everything with optional filters. It is
    the key of the feed cache, so it holds all that shapes a feed: ``feed`` names the route,
    which decides the calendar's name, description, URL and zone (a region's feed and
    all.ics filtered by that region hold the same events under different names)."""

    feed: Literal["event", "region", "all"]
    event: str | None = None
    region: str | None = None
    topic: str | None = None
    kind: str | None = None


def check_filter(name: str, value: str | None) -> None:
    """Filter values are echoed into the calendar's name: text a calendar can carry, or 422."""
    if value is not None and ical.clean_text(value) != value:
        raise InvalidInput(
            f"The {name} filter holds a control character.",
            reason="invalid_value",
            parameter=name,
        )


fragments: LRU[tuple, bytes] = LRU(max_entries=200_000)
segments: LRU[tuple, bytes] = LRU(max_entries=10_000)  # compressed blocks of big feeds
feeds: LRU[FeedScope, tuple[tuple, RenderedFeed]] = LRU(max_entries=512)
_clock: ChangeClock | None = None
_building: dict[FeedScope, asyncio.Lock] = {}


def clock() -> ChangeClock:
    global _clock
    if _clock is None:
        _clock = ChangeClock(ttl=get_settings().calendar_state_ttl)
    return _clock


def _visible(now: datetime) -> tuple[str, list[object]]:
    cutoff = now - CANCELLED_KEPT
    return (
        "(e.status = 'published' OR (e.status = 'cancelled' AND e.published_at IS NOT NULL "
        "AND e.cancelled_at >= {})) "
        "AND (s.status = 'scheduled' OR s.cancelled_at >= {}) AND s.ends_at >= {}",
        [cutoff, cutoff, now - HISTORY],
    )


def _scope_filter(scope: FeedScope) -> tuple[str, list[object]]:
    clauses, args = [], []
    if scope.event:
        clauses.append("e.slug = {}")
        args.append(scope.event)
    if scope.region:
        clauses.append(
            "EXISTS (SELECT 1 FROM event_region er JOIN region r ON r.id = er.region "
            "WHERE er.event = e.id AND r.slug = {})"
        )
        args.append(scope.region)
    if scope.topic:
        clauses.append(
            "EXISTS (SELECT 1 FROM event_topic et JOIN topic t ON t.id = et.topic "
            "WHERE et.event = e.id AND t.slug = {})"
        )
        args.append(scope.topic)
    if scope.kind:
        clauses.append("e.kind = {}")
        args.append(scope.kind)
    return "".join(f" AND {clause}" for clause in clauses), args


Describe = Callable[[], Awaitable[ical.FeedInfo | None]]


async def public_feed(scope: FeedScope, describe: Describe) -> RenderedFeed | None:
    """The cached feed, or a fresh build. ``describe`` (the feed's name, or None when it
    does not exist) is only asked on a build, so serving from cache costs no query."""
    token = await clock().token()
    cached = feeds.get(scope)
    if cached and cached[0] == token:
        return cached[1]
    lock = _building.setdefault(scope, asyncio.Lock())
    try:
        async with lock:  # one build per feed, however many subscribers ask at once
            cached = feeds.get(scope)
            if cached and cached[0] == token:
                return cached[1]
            info = await describe()
            if info is None:
                return None
            feed = await _build_public(scope, info)
            feeds.put(scope, (token, feed))
            return feed
    finally:
        if not lock.locked():  # nobody waiting: forget it (query strings are unbounded)
            _building.pop(scope, None)


async def _build_public(scope: FeedScope, info: ical.FeedInfo) -> RenderedFeed:
    visible, visible_args = _visible(datetime.now(UTC))
    where, where_args = _scope_filter(scope)
    keys = await fetch(
        f"SELECT {KEY_COLUMNS} FROM event_session s JOIN event e ON e.id = s.event "
        f"WHERE {visible}{where} ORDER BY s.starts_at, s.id",
        *visible_args,
        *where_args,
    )
    return await _assemble(info, [(_version(row), row["id"]) for row in keys], {})


def _version(row: dict, variant: object = None) -> tuple:
    return (
        row["id"],
        row["revision"],
        row["session_updated_at"],
        row["event_updated_at"],
        variant,
    )


async def _assemble(
    info: ical.FeedInfo,
    wanted: list[tuple[tuple, int]],
    personal: dict[int, Personal],
    changed: datetime | None = None,
) -> RenderedFeed:
    """``wanted``: (fragment key, session id) in feed order. ``changed``: a change outside
    the sessions and events (a registration) that Last-Modified must not predate."""
    missing = [session_id for key, session_id in wanted if fragments.get(key) is None]
    if missing:
        entries = await session_entries(missing, personal)
        keyed = {key: entries[session_id] for key, session_id in wanted if session_id in entries}
        rendered = await _render_all(list(keyed.values()))
        for key, body in zip(keyed, rendered, strict=True):
            fragments.put(key, body)
    bodies, newest = [], None
    for key, _ in wanted:
        body = fragments.get(key)
        if body is None:  # evicted meanwhile: render it alone
            body = ical.render_session((await session_entries([key[0]], personal))[key[0]])
        bodies.append(body)
        newest = max(newest or key[2], key[2], key[3])
    if changed and (newest is None or changed > newest):
        newest = changed
    if len(bodies) < 2 * gzip_blocks.BLOCK:
        return RenderedFeed.of(ical.render_calendar(info, bodies), newest)
    return await _assemble_in_blocks(info, [key for key, _ in wanted], bodies, newest)


async def _assemble_in_blocks(
    info: ical.FeedInfo, keys: list[tuple], bodies: list[bytes], newest: datetime | None
) -> RenderedFeed:
    """A big feed's gzip from compressed blocks (``gzip_blocks``): after one change, one
    block is compressed again. The work runs off the event loop; the caches stay on it."""
    head, tail = ical.calendar_head(info)
    parts = [
        (("head", head), head),
        *gzip_blocks.blocks(keys, bodies, session_of=lambda key: key[0]),
        (("tail", tail), tail),
    ]
    found = {key: segment for key, _ in parts if (segment := segments.get(key)) is not None}
    missing = [(key, text) for key, text in parts if key not in found]

    def build() -> tuple[list[bytes], RenderedFeed]:
        made = [gzip_blocks.deflate_segment(text) for _, text in missing]
        compressed = {**found, **{key: seg for (key, _), seg in zip(missing, made, strict=True)}}
        body = b"".join(text for _, text in parts)
        gzipped = gzip_blocks.member([compressed[key] for key, _ in parts], body)
        return made, RenderedFeed.of(body, newest, gzipped=gzipped)

    made, feed = await asyncio.to_thread(build)
    for (key, _), segment in zip(missing, made, strict=True):
        segments.put(key, segment)
    return feed


async def _render_all(entries: list[ical.SessionEntry]) -> list[bytes]:
    if len(entries) >= THREAD_THRESHOLD:  # keep the event loop answering meanwhile
        return await asyncio.to_thread(lambda: [ical.render_session(e) for e in entries])
    return [ical.render_session(entry) for entry in entries]


async def session_entries(
    session_ids: list[int], personal: dict[int, Personal]
) -> dict[int, ical.SessionEntry]:
    """The sessions as the feeds show them (``personal``: as one member's feed does); the
    calendar invitations by email are built from the same entries, so UIDs agree."""
    settings = get_settings()
    host = urlsplit(settings.base_url).hostname or "convene"
    entries: dict[int, ical.SessionEntry] = {}
    for start in range(0, len(session_ids), 5000):  # stay under parameter limits
        chunk = session_ids[start : start + 5000]
        rows = await fetch(
            f"SELECT {DETAIL_COLUMNS} FROM event_session s JOIN event e ON e.id = s.event "
            "WHERE s.id IN (" + ", ".join("{}" for _ in chunk) + ")",
            *chunk,
        )
        event_ids = sorted({row["event_id"] for row in rows})
        regions, topics = await _labels(event_ids)
        for row in rows:
            entries[row["session_id"]] = build_entry(
                row,
                host=host,
                event_url=f"{settings.base_url}/events/{row['slug']}",
                regions=regions.get(row["event_id"], []),
                topics=topics.get(row["event_id"], []),
                region_url=f"{settings.base_url}/regions/{{slug}}",
                personal=personal.get(row["session_id"]),
            )
    return entries


async def _labels(event_ids: list[int]) -> tuple[dict[int, list[dict]], dict[int, list[str]]]:
    if not event_ids:
        return {}, {}
    placeholders = ", ".join("{}" for _ in event_ids)
    region_rows = await fetch(
        "SELECT er.event, r.slug, r.name FROM event_region er JOIN region r ON r.id = er.region "
        f"WHERE er.event IN ({placeholders}) ORDER BY er.id",
        *event_ids,
    )
    topic_rows = await fetch(
        "SELECT et.event, t.name FROM event_topic et JOIN topic t ON t.id = et.topic "
        f"WHERE et.event IN ({placeholders}) ORDER BY t.name",
        *event_ids,
    )
    regions: dict[int, list[dict]] = {}
    for row in region_rows:
        regions.setdefault(row["event"], []).append({"slug": row["slug"], "name": row["name"]})
    topics: dict[int, list[str]] = {}
    for row in topic_rows:
        topics.setdefault(row["event"], []).append(row["name"])
    return regions, topics


async def personal_feed(member_id: int, info: ical.FeedInfo) -> RenderedFeed:
    """Every session of every event the member is registered for (not cached whole:
    registrations change often; the fragments are)."""
    visible, visible_args = _visible(datetime.now(UTC))
    rows = await fetch(
        f"SELECT {KEY_COLUMNS}, r.status AS registration_status, r.arrival, r.event, "
        "r.updated_at AS registration_updated_at, "
        "e.online_url, e.status AS event_status, "
        "(SELECT COUNT(*) FROM registration w WHERE w.event = r.event "
        "AND w.status = 'waitlisted' AND w.arrival <= r.arrival) AS position, "
        # A waiter's position moves when a registration ahead of it changes.
        "(SELECT MAX(w.updated_at) FROM registration w WHERE w.event = r.event "
        "AND w.arrival < r.arrival) AS queue_changed_at "
        "FROM registration r JOIN event e ON e.id = r.event "
        "JOIN event_session s ON s.event = e.id "
        "WHERE r.member = {} AND r.status IN ('confirmed', 'waitlisted', 'pending') "
        f"AND {visible} ORDER BY s.starts_at, s.id",
        member_id,
        *visible_args,
    )
    # Registrations change the feed without touching sessions or events: a promotion, a
    # cancellation (its sessions leave the feed). Last-Modified must move with them.
    latest = await fetch_one(
        "SELECT MAX(updated_at) AS changed FROM registration WHERE member = {}", member_id
    )
    changed = _instant(latest["changed"]) if latest else None
    personal: dict[int, Personal] = {}
    wanted = []
    for row in rows:
        status = row["registration_status"]
        changed_at = _instant(row["registration_updated_at"])
        queue_changed_at = _instant(row["queue_changed_at"])
        if status == "waitlisted" and queue_changed_at and changed_at:
            changed_at = max(changed_at, queue_changed_at)
        mine = Personal(
            status=status,
            waitlist_position=row["position"] if status == "waitlisted" else None,
            join_url=join_link(row["online_url"], status, row["event_status"]),
            changed_at=changed_at,
        )
        personal[row["id"]] = mine
        wanted.append((_version(row, mine), row["id"]))
        if changed_at and (changed is None or changed_at > changed):
            changed = changed_at
    return await _assemble(info, wanted, personal, changed)


def _instant(value: datetime | str | None) -> datetime | None:
    """Aggregates come back untyped from SQLite (ISO text); columns as aware datetimes."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value
