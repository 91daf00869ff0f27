"""What the pages print, from plain data: seats, map links, Markdown, and the dates of
events.formatting (shared with the bot). Pure: no database, no HTTP."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from urllib.parse import quote_plus

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markupsafe import Markup

from events import schemas

# The views and the console name these through this module.
from events.formatting import KIND_LABELS as KIND_LABELS
from events.formatting import abbreviation as abbreviation
from events.formatting import clock as clock
from events.formatting import moment as moment
from events.formatting import session_when as session_when
from events.formatting import when as when
from events.formatting import zone as zone


def iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""


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


def _image_as_link(renderer, tokens, idx, options, env) -> str:  # markdown-it render rule
    """An image from anywhere would tell that host who reads the page: link to it instead."""
    token = tokens[idx]
    label = renderer.renderInlineAsText(token.children or [], options, env) or "image"
    return f'<a href="{escapeHtml(str(token.attrGet("src")))}">{escapeHtml(label)}</a>'


_markdown.add_render_rule("image", _image_as_link)
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
