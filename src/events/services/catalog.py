"""Reading events: the public list and detail, and the organizers' view of the same."""

from __future__ import annotations

from datetime import UTC, datetime

from events import schemas
from events.calendar import links
from events.config import get_settings
from events.db import fetch, fetch_one, load_json
from events.enums import EventStatus

EVENT_COLUMNS = (
    "e.id, e.slug, e.title, e.kind, e.status, e.summary, e.description, e.timezone, "
    "e.venue_name, e.venue_address, e.latitude, e.longitude, e.online_url, e.capacity, "
    "e.seats_taken, e.waitlisted, e.registration_opens_at, e.registration_closes_at, "
    "e.members_only, e.organization_seat_cap, e.approval_required, e.credit_hours, e.questions, "
    "e.starts_at, e.ends_at, e.published_at"
)
HOST_ORDER = "j.id"  # regions in the order the organizer gave them: the first one hosts
PUBLIC_STATUSES = (EventStatus.published.value, EventStatus.cancelled.value)


def registration_open(row: dict, now: datetime) -> bool:
    if row["status"] != EventStatus.published:
        return False
    opens, closes, ends = (
        row["registration_opens_at"],
        row["registration_closes_at"],
        row["ends_at"],
    )
    if opens is not None and now < opens:
        return False
    if closes is not None:
        return now < closes
    return ends is None or now < ends


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def event_url(slug: str) -> str:
    return f"{get_settings().base_url}/events/{slug}"


async def _labels(
    table: str, column: str, event_ids: list[int], order: str = "t.slug"
) -> dict[int, list[dict]]:
    if not event_ids:
        return {}
    placeholders = ", ".join("{}" for _ in event_ids)
    rows = await fetch(
        f"SELECT j.event, t.* FROM {table} j JOIN {column} t ON t.id = j.{column} "
        f"WHERE j.event IN ({placeholders}) ORDER BY {order}",
        *event_ids,
    )
    grouped: dict[int, list[dict]] = {event_id: [] for event_id in event_ids}
    for row in rows:
        grouped[row["event"]].append(row)
    return grouped


def _seats_left(row: dict) -> int | None:
    return None if row["capacity"] is None else max(row["capacity"] - row["seats_taken"], 0)


async def list_events(
    *,
    region: str | None = None,
    topic: str | None = None,
    kind: str | None = None,
    starts_after: datetime | None = None,
    starts_before: datetime | None = None,
    text: str | None = None,
    statuses: tuple[str, ...] = PUBLIC_STATUSES,
    published_only: bool = True,
    region_ids: frozenset[int] | None = None,
    page: int = 1,
    per_page: int = 20,
) -> schemas.Page[schemas.EventSummary]:
    where = ["e.status IN (" + ", ".join("{}" for _ in statuses) + ")"]
    args: list[object] = list(statuses)
    if published_only:  # a draft cancelled before publishing stays private
        where.append("e.published_at IS NOT NULL")
    if region:
        where.append(
            "EXISTS (SELECT 1 FROM event_region er JOIN region r ON r.id = er.region "
            "WHERE er.event = e.id AND r.slug = {})"
        )
        args.append(region)
    if region_ids is not None:  # an organizer's own regions
        ids = sorted(region_ids) or [-1]
        where.append(
            "EXISTS (SELECT 1 FROM event_region er WHERE er.event = e.id AND er.region IN ("
            + ", ".join("{}" for _ in ids)
            + "))"
        )
        args.extend(ids)
    if topic:
        where.append(
            "EXISTS (SELECT 1 FROM event_topic et JOIN topic t ON t.id = et.topic "
            "WHERE et.event = e.id AND t.slug = {})"
        )
        args.append(topic)
    if kind:
        where.append("e.kind = {}")
        args.append(kind)
    if starts_after:
        where.append("e.ends_at >= {}")
        args.append(starts_after)
    if starts_before:
        where.append("e.starts_at < {}")
        args.append(starts_before)
    if text:
        where.append("(LOWER(e.title) LIKE {} ESCAPE '\\' OR LOWER(e.summary) LIKE {} ESCAPE '\\')")
        pattern = "%" + _escape_like(text.lower()) + "%"
        args.extend([pattern, pattern])
    clause = " AND ".join(where)
    # One round trip for the page and the total (the count rides on each row).
    rows = await fetch(
        f"SELECT {EVENT_COLUMNS}, COUNT(*) OVER () AS total_count FROM event e WHERE {clause} "
        "ORDER BY e.starts_at NULLS LAST, e.id LIMIT {} OFFSET {}",
        *args,
        per_page,
        (page - 1) * per_page,
    )
    if rows:
        total = rows[0]["total_count"]
    else:  # past the last page (or nothing at all): the window had no row to ride on
        found = await fetch_one(f"SELECT COUNT(*) AS n FROM event e WHERE {clause}", *args)
        total = found["n"] if found else 0
    return schemas.Page(
        items=await summaries(rows),
        total=total,
        page=page,
        per_page=per_page,
    )


async def summaries(rows: list[dict]) -> list[schemas.EventSummary]:
    ids = [row["id"] for row in rows]
    regions = await _labels("event_region", "region", ids, order=HOST_ORDER)
    topics = await _labels("event_topic", "topic", ids)
    now = datetime.now(UTC)
    return [
        schemas.EventSummary(
            slug=row["slug"],
            title=row["title"],
            kind=row["kind"],
            status=row["status"],
            summary=row["summary"],
            timezone=row["timezone"],
            regions=[region["slug"] for region in regions[row["id"]]],
            topics=[topic["slug"] for topic in topics[row["id"]]],
            starts_at=row["starts_at"],
            ends_at=row["ends_at"],
            venue_name=row["venue_name"],
            online=row["online_url"] is not None,
            capacity=row["capacity"],
            seats_left=_seats_left(row),
            waitlist_length=row["waitlisted"],
            registration_open=registration_open(row, now),
            url=event_url(row["slug"]),
            calendar=links.event_feed(row["slug"]),
        )
        for row in rows
    ]


async def event_row(slug: str) -> dict | None:
    return await fetch_one(f"SELECT {EVENT_COLUMNS} FROM event e WHERE e.slug = {{}}", slug)


async def sessions_of(event_id: int) -> list[schemas.Session]:
    rows = await fetch(
        "SELECT id, title, description, starts_at, ends_at, location_name, location_address, "
        "required, status, revision FROM event_session WHERE event = {} ORDER BY starts_at, id",
        event_id,
    )
    return [schemas.Session(**{**row, "required": bool(row["required"])}) for row in rows]


async def event_detail(row: dict, *, for_organizer: bool = False) -> schemas.Event:
    regions = (await _labels("event_region", "region", [row["id"]], order=HOST_ORDER))[row["id"]]
    sessions = await sessions_of(row["id"])
    topics = (await _labels("event_topic", "topic", [row["id"]]))[row["id"]]
    venue = None
    if row["venue_name"]:
        venue = schemas.Venue(
            name=row["venue_name"],
            address=row["venue_address"],
            latitude=row["latitude"],
            longitude=row["longitude"],
        )
    return schemas.Event(
        slug=row["slug"],
        title=row["title"],
        kind=row["kind"],
        status=row["status"],
        summary=row["summary"],
        description=row["description"],
        timezone=row["timezone"],
        regions=[
            schemas.Region(
                slug=r["slug"],
                name=r["name"],
                timezone=r["timezone"],
                is_national=bool(r["is_national"]),
                calendar=links.region_feed(r["slug"]),
            )
            for r in regions
        ],
        topics=[schemas.Topic(slug=t["slug"], name=t["name"]) for t in topics],
        venue=venue,
        online=row["online_url"] is not None,
        capacity=row["capacity"],
        seats_taken=row["seats_taken"],
        seats_left=_seats_left(row),
        waitlist_length=row["waitlisted"],
        registration_opens_at=row["registration_opens_at"],
        registration_closes_at=row["registration_closes_at"],
        registration_open=registration_open(row, datetime.now(UTC)),
        members_only=bool(row["members_only"]),
        organization_seat_cap=row["organization_seat_cap"],
        approval_required=bool(row["approval_required"]),
        credit_hours=float(row["credit_hours"] or 0),
        questions=[schemas.Question(**q) for q in load_json(row["questions"]) or []],
        sessions=sessions,
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        url=event_url(row["slug"]),
        calendar=links.event_links(
            row["slug"],
            row["title"],
            event_url(row["slug"]),
            venue.name if venue else "Online",
            sessions,
        ),
        online_url=row["online_url"] if for_organizer else None,
    )


async def public_event(slug: str) -> schemas.Event | None:
    row = await event_row(slug)
    if row is None or row["status"] not in PUBLIC_STATUSES or row["published_at"] is None:
        return None
    return await event_detail(row)


async def regions() -> list[schemas.Region]:
    rows = await fetch("SELECT slug, name, timezone, is_national FROM region ORDER BY name")
    return [
        schemas.Region(
            **{**row, "is_national": bool(row["is_national"])},
            calendar=links.region_feed(row["slug"]),
        )
        for row in rows
    ]


async def topics() -> list[schemas.Topic]:
    rows = await fetch("SELECT slug, name FROM topic ORDER BY name")
    return [schemas.Topic(**row) for row in rows]


async def region_name(slug: str | None) -> str | None:
    """A region's name for people (headings say "KC Digital Drive", not "kansas-city")."""
    row = await fetch_one("SELECT name FROM region WHERE slug = {}", slug) if slug else None
    return row["name"] if row else slug


async def topic_name(slug: str | None) -> str | None:
    row = await fetch_one("SELECT name FROM topic WHERE slug = {}", slug) if slug else None
    return row["name"] if row else slug
