"""What each public page shows: the catalogue's data, read through the catalog service and
shaped for the templates. Never the join link, never anything about attendees."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from urllib.parse import urlencode

from markupsafe import Markup
from msgspec import Struct

from events import schemas
from events.config import get_settings
from events.enums import EventKind
from events.errors import NotFound
from events.services import catalog
from events.web import format

PER_PAGE = 20
MAX_PAGE = 10_000
DEFAULT_TIMEZONE = "America/Chicago"  # when no region says otherwise (the national region's)


class Filters(Struct):
    """The events list's filters, as a visitor typed them; anything unusable is dropped."""

    region: str = ""
    topic: str = ""
    kind: str = ""
    date_from: date | None = None
    date_to: date | None = None
    q: str = ""
    problems: list[str] = []

    @property
    def active(self) -> bool:
        return any((self.region, self.topic, self.kind, self.date_from, self.date_to, self.q))

    def query(self, **extra: object) -> str:
        pairs = {
            "region": self.region,
            "topic": self.topic,
            "kind": self.kind,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "q": self.q,
            **extra,
        }
        return urlencode({key: value for key, value in pairs.items() if value})


def _date(text: str | None, label: str, problems: list[str]) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        problems.append(f"The {label} date should look like 2025-03-04; it was ignored.")
        return None


def parse_filters(
    *,
    region: str | None = None,
    topic: str | None = None,
    kind: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    q: str | None = None,
) -> Filters:
    problems: list[str] = []
    kind = (kind or "").strip()
    if kind and kind not in EventKind.__members__:
        problems.append(f"There is no kind of event called “{kind[:40]}”; it was ignored.")
        kind = ""
    first, last = _date(date_from, "“from”", problems), _date(date_to, "“to”", problems)
    if first and last and last < first:
        problems.append("The “to” date is before the “from” date: nothing can match.")
    return Filters(
        region=(region or "").strip()[:120],
        topic=(topic or "").strip()[:120],
        kind=kind,
        date_from=first,
        date_to=last,
        q=(q or "").strip()[:100],
        problems=problems,
    )


def page_number(text: str | None) -> int:
    try:
        return min(max(int(text or 1), 1), MAX_PAGE)
    except ValueError:
        return 1


class Reference(Struct):
    """Regions and topics: every list page needs them (the filter form, region names)."""

    regions: list[schemas.Region]
    topics: list[schemas.Topic]
    loaded_at: float


_reference: Reference | None = None


async def reference() -> Reference:
    """Regions and topics as of at most CALENDAR_STATE_TTL seconds ago (1 s by default, 0 in
    the tests): they change only when an administrator adds one, and reading them for each
    page was a third of the list page's extra cost over the JSON list (docs/benchmarks.md)."""
    global _reference
    now = time.monotonic()
    if _reference is None or now - _reference.loaded_at >= get_settings().calendar_state_ttl:
        _reference = Reference(
            regions=await catalog.regions(), topics=await catalog.topics(), loaded_at=now
        )
    return _reference


class PageLink(Struct):
    number: int | None  # None: an ellipsis
    url: str = ""
    current: bool = False


class Pagination(Struct):
    page: int
    pages: int
    links: list[PageLink]
    previous_url: str | None
    next_url: str | None


def pagination(path: str, filters: Filters, page: int, total: int) -> Pagination:
    pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)

    def url(number: int) -> str:
        query = filters.query(page=number if number > 1 else "")
        return f"{path}?{query}" if query else path

    shown = sorted({1, pages, *range(max(page - 2, 1), min(page + 2, pages) + 1)})
    links: list[PageLink] = []
    for number in shown:
        if links and links[-1].number is not None and number - links[-1].number > 1:
            links.append(PageLink(number=None))
        links.append(PageLink(number=number, url=url(number), current=number == page))
    return Pagination(
        page=page,
        pages=pages,
        links=links,
        previous_url=url(page - 1) if page > 1 else None,
        next_url=url(page + 1) if page < pages else None,
    )


class EventCard(Struct, frozen=True):
    """One event in a list. Frozen, so its rendered HTML can be remembered by value."""

    slug: str
    title: str
    kind: str
    summary: str
    cancelled: bool
    regions: tuple[str, ...]  # names
    when: str
    starts_iso: str
    place: str
    availability: str
    tone: str


def _availability(event: schemas.EventSummary | schemas.Event) -> tuple[str, str]:
    """Seats, waitlist or closed, and its tone: the same words on a card and an event page."""
    return format.availability(
        status=event.status,
        capacity=event.capacity,
        seats_left=event.seats_left,
        waitlist_length=event.waitlist_length,
        registration_open=event.registration_open,
    )


def event_card(event: schemas.EventSummary, region_names: dict[str, str]) -> EventCard:
    label, tone = _availability(event)
    place = event.venue_name or ("Online" if event.online else "Place to be announced")
    if event.venue_name and event.online:
        place = f"{event.venue_name} and online"
    return EventCard(
        slug=event.slug,
        title=event.title,
        kind=format.KIND_LABELS.get(event.kind, event.kind),
        summary=event.summary,
        cancelled=event.status == "cancelled",
        regions=tuple(region_names.get(slug, slug) for slug in event.regions),
        when=format.when(event.starts_at, event.ends_at, event.timezone),
        starts_iso=format.iso(event.starts_at),
        place=place,
        availability=label,
        tone=tone,
    )


class EventsPage(Struct):
    filters: Filters
    cards: list[EventCard]
    total: int
    pagination: Pagination
    regions: list[schemas.Region]
    topics: list[schemas.Topic]
    kinds: dict[str, str]
    upcoming_only: bool


async def events_page(filters: Filters, page: int) -> EventsPage:
    """The events list. Without a "from" date it shows what has not ended yet."""
    known = await reference()
    regions = known.regions
    names = {region.slug: region.name for region in regions}
    timezone = next(
        (r.timezone for r in regions if r.slug == filters.region),
        next((r.timezone for r in regions if r.is_national), DEFAULT_TIMEZONE),
    )
    starts_after, starts_before = format.day_bounds(filters.date_from, filters.date_to, timezone)
    upcoming_only = starts_after is None
    result = await catalog.list_events(
        region=filters.region or None,
        topic=filters.topic or None,
        kind=filters.kind or None,
        starts_after=starts_after or datetime.now(UTC),
        starts_before=starts_before,
        text=filters.q or None,
        page=page,
        per_page=PER_PAGE,
    )
    return EventsPage(
        filters=filters,
        cards=[event_card(event, names) for event in result.items],
        total=result.total,
        pagination=pagination("/events", filters, page, result.total),
        regions=regions,
        topics=known.topics,
        kinds=format.KIND_LABELS,
        upcoming_only=upcoming_only,
    )


class SessionLine(Struct):
    title: str
    description: str
    when: str
    starts_iso: str
    ends_iso: str
    location: str | None
    required: bool
    cancelled: bool


class EventPage(Struct):
    event: schemas.Event
    kind: str
    when: str
    starts_iso: str
    description: Markup
    sessions: list[SessionLine]
    availability: str
    tone: str
    map_url: str | None
    timezone_label: str
    registration_note: str | None


async def event_page(slug: str) -> EventPage:
    event = await catalog.public_event(slug)
    if event is None:
        raise NotFound(f"No event '{slug}'.")
    label, tone = _availability(event)
    first = event.starts_at or (event.sessions[0].starts_at if event.sessions else None)
    zone_label = event.timezone
    if first:
        zone_label += f" ({format.abbreviation(first.astimezone(format.zone(event.timezone)))})"
    return EventPage(
        event=event,
        kind=format.KIND_LABELS.get(event.kind, event.kind),
        when=format.when(event.starts_at, event.ends_at, event.timezone),
        starts_iso=format.iso(event.starts_at),
        description=format.markdown(event.description) if event.description else Markup(""),
        sessions=[
            SessionLine(
                title=session.title,
                description=session.description,
                when=format.session_when(session.starts_at, session.ends_at, event.timezone),
                starts_iso=format.iso(session.starts_at),
                ends_iso=format.iso(session.ends_at),
                location=session.location_name,
                required=session.required,
                cancelled=session.status == "cancelled",
            )
            for session in event.sessions
        ],
        availability=label,
        tone=tone,
        map_url=format.map_link(event.venue),
        timezone_label=zone_label,
        registration_note=format.registration_note(
            status=event.status,
            opens_at=event.registration_opens_at,
            closes_at=event.registration_closes_at,
            is_open=event.registration_open,
            timezone=event.timezone,
            now=datetime.now(UTC),
        ),
    )


class RegionsPage(Struct):
    regions: list[schemas.Region]


async def regions_page() -> RegionsPage:
    return RegionsPage(regions=(await reference()).regions)


class RegionPage(Struct):
    region: schemas.Region
    cards: list[EventCard]
    total: int
    pagination: Pagination


async def region_page(slug: str, page: int) -> RegionPage:
    """A region and its upcoming events (those it hosts or co-hosts)."""
    regions = (await reference()).regions
    region = next((r for r in regions if r.slug == slug), None)
    if region is None:
        raise NotFound(f"No region '{slug}'.")
    result = await catalog.list_events(
        region=slug, starts_after=datetime.now(UTC), page=page, per_page=PER_PAGE
    )
    names = {r.slug: r.name for r in regions}
    return RegionPage(
        region=region,
        cards=[event_card(event, names) for event in result.items],
        total=result.total,
        pagination=pagination(f"/regions/{slug}", Filters(), page, result.total),
    )
