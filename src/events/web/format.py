"""What the pages print, from plain data: dates in an event's time zone, seats, map links,
Markdown. Pure: no database, no HTTP."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from urllib.parse import quote_plus
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from markdown_it import MarkdownIt
from markupsafe import Markup

from events import schemas

KIND_LABELS = {
    "workshop": "Workshop",
    "conference": "Conference",
    "training_track": "Training track",
    "webinar": "Webinar",
}
UTC_ZONE = ZoneInfo("UTC")
# English names by table: strftime's %a and %b cost more than the rest of a list page's dates.
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC_ZONE


def abbreviation(moment: datetime) -> str:
    """MST, EDT... or UTC-03 where the zone has no letters."""
    name = moment.tzname() or "UTC"
    return f"UTC{name}" if name[0] in "+-" else name


def day_label(moment: datetime, *, year: bool = True) -> str:
    text = f"{WEEKDAYS[moment.weekday()]}, {MONTHS[moment.month - 1]} {moment.day}"
    return f"{text}, {moment.year}" if year else text


def clock(moment: datetime) -> str:
    hour = moment.hour % 12 or 12
    return f"{hour}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"


@lru_cache(maxsize=4096)  # a list page formats the same events' dates again and again
def when(starts: datetime | None, ends: datetime | None, timezone: str) -> str:
    """An event's dates in its own time zone: one day with times, or a range of days."""
    if starts is None:
        return "Dates to be announced"
    if ends is None:
        return moment(starts, timezone)
    local = starts.astimezone(zone(timezone))
    end = ends.astimezone(zone(timezone))
    if local.date() == end.date():
        return f"{day_label(local)}, {clock(local)} – {clock(end)} {abbreviation(end)}"
    return f"{day_label(local, year=local.year != end.year)} – {day_label(end)}"


def moment(at: datetime, timezone: str) -> str:
    """One instant in a zone: "Tue, Mar 4, 2025, 9:00 AM MST"."""
    local = at.astimezone(zone(timezone))
    return f"{day_label(local)}, {clock(local)} {abbreviation(local)}"


def iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""


def session_when(starts: datetime, ends: datetime, timezone: str) -> str:
    """One session in the event's time zone, with the zone's abbreviation."""
    local, end = starts.astimezone(zone(timezone)), ends.astimezone(zone(timezone))
    if local.date() == end.date():
        return f"{day_label(local)}, {clock(local)} – {clock(end)} {abbreviation(end)}"
    return (
        f"{day_label(local)}, {clock(local)} {abbreviation(local)} – "
        f"{day_label(end)}, {clock(end)} {abbreviation(end)}"
    )


def day_bounds(
    first: date | None, last: date | None, timezone: str
) -> tuple[datetime | None, datetime | None]:
    """A from/to date range as instants: whole days in the given zone, both ends included."""
    tz = zone(timezone)
    start = datetime.combine(first, time(), tz) if first else None
    stop = datetime.combine(last + timedelta(days=1), time(), tz) if last else None
    return start, stop


def registration_note(
    *,
    status: str,
    opens_at: datetime | None,
    closes_at: datetime | None,
    is_open: bool,
    timezone: str,
    now: datetime,
) -> str | None:
    """When registration opens or closes, if that is still ahead."""
    if status != "published":
        return None
    if opens_at is not None and now < opens_at:
        return f"Registration opens {moment(opens_at, timezone)}."
    if is_open and closes_at is not None:
        return f"Registration closes {moment(closes_at, timezone)}."
    return None


def availability(
    *,
    status: str,
    capacity: int | None,
    seats_left: int | None,
    waitlist_length: int,
    registration_open: bool,
) -> tuple[str, str]:
    """(label, tone): what a visitor most needs to know about getting a seat."""
    if status == "cancelled":
        return "Cancelled", "alert"
    if not registration_open:
        return "Registration closed", "muted"
    if capacity is None:
        return "Open registration", "ok"
    if seats_left:
        return f"{seats_left} seat{'s' if seats_left != 1 else ''} left", "ok"
    waiting = f"{waitlist_length} on the waitlist" if waitlist_length else "waitlist open"
    return f"Full: {waiting}", "warn"


def map_link(venue: schemas.Venue | None) -> str | None:
    """OpenStreetMap: a pin from coordinates, else a search for the address or name."""
    if venue is None:
        return None
    if venue.latitude is not None and venue.longitude is not None:
        # 5 decimals: about a metre, and all a PostgreSQL REAL holds faithfully
        lat, lon = f"{venue.latitude:.5f}", f"{venue.longitude:.5f}"
        return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"
    query = venue.address or venue.name
    return f"https://www.openstreetmap.org/search?query={quote_plus(query)}"


# HTML in the source is shown as text; markdown-it drops javascript:, vbscript: and file:
# links and data: links other than images.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_markdown.enable(["table", "strikethrough"])


@lru_cache(maxsize=512)
def markdown(text: str, top_heading: int = 3) -> Markup:
    """Organizer-written Markdown as safe HTML. Its headings move under the page's own: the
    highest becomes an h3 (the description sits under an h2), so the page keeps one h1 and
    its headings in order."""
    tokens = _markdown.parse(text)
    headings = [token for token in tokens if token.type in ("heading_open", "heading_close")]
    if headings:
        shift = top_heading - min(int(token.tag[1]) for token in headings)
        for token in headings:
            token.tag = f"h{min(int(token.tag[1]) + shift, 6)}"
    return Markup(_markdown.renderer.render(tokens, _markdown.options, {}))
