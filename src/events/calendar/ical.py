"""Pure iCalendar builders: plain data in, bytes out. No database, no HTTP.

Times are UTC instants (``DTSTART:20261201T170000Z``), which every client reads alike,
so no VTIMEZONE is needed. DTSTAMP is the entry's last change and there is no METHOD,
so equal data always serialises to equal bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from icalendar import (
    Calendar,
    Event,
    Timezone,
    TimezoneStandard,
    vCalAddress,
    vCategory,
    vDDDTypes,
    vDuration,
    vGeo,
    vInt,
    vText,
    vUri,
)

PRODID = "-//NSCP//Convene//EN"
REFRESH = timedelta(hours=6)


@dataclass(frozen=True, slots=True)
class FeedInfo:
    name: str
    description: str
    url: str


@dataclass(frozen=True, slots=True)
class SessionEntry:
    """One VEVENT: one session of an event, as a subscriber should see it."""

    uid: str
    sequence: int
    stamp: datetime  # the last change: DTSTAMP and LAST-MODIFIED
    starts_at: datetime
    ends_at: datetime
    summary: str
    description: str
    url: str
    status: str  # CONFIRMED, TENTATIVE or CANCELLED
    location: str | None = None
    geo: tuple[float, float] | None = None
    categories: tuple[str, ...] = ()
    organizer_name: str | None = None
    organizer_url: str | None = None


def _utc(value: datetime) -> datetime:
    # Whole seconds: iCalendar has no fractions, and links should agree with feeds.
    return value.astimezone(UTC).replace(microsecond=0)


def _with(value, **params):
    value.params.update(params)
    return value


def render_session(entry: SessionEntry) -> bytes:
    # Properties are set as typed values rather than through Event.add(): the same bytes,
    # without add()'s type guessing, which is a sixth of the cost of a cold feed.
    event = Event()
    event["UID"] = vText(entry.uid)
    event["DTSTAMP"] = vDDDTypes(_utc(entry.stamp))
    event["LAST-MODIFIED"] = vDDDTypes(_utc(entry.stamp))
    event["SEQUENCE"] = vInt(entry.sequence)
    event["DTSTART"] = vDDDTypes(_utc(entry.starts_at))
    event["DTEND"] = vDDDTypes(_utc(entry.ends_at))
    event["SUMMARY"] = vText(entry.summary)
    event["DESCRIPTION"] = vText(entry.description)
    event["URL"] = _with(vUri(entry.url), VALUE="URI")
    event["STATUS"] = vText(entry.status)
    if entry.location:
        event["LOCATION"] = vText(entry.location)
    if entry.geo:
        event["GEO"] = vGeo(entry.geo)
    if entry.categories:
        event["CATEGORIES"] = vCategory(list(entry.categories))
    if entry.organizer_url:
        event["ORGANIZER"] = _with(vCalAddress(entry.organizer_url), CN=entry.organizer_name)
    if entry.status == "CANCELLED":
        event["TRANSP"] = vText("TRANSPARENT")
    return event.to_ical()


def _utc_timezone() -> bytes:
    """A calendar needs one component; an empty feed gets this harmless UTC VTIMEZONE."""
    zone = Timezone()
    zone.add("tzid", "UTC")
    standard = TimezoneStandard()
    standard.add("dtstart", datetime(1970, 1, 1))
    standard.add("tzoffsetfrom", timedelta(0))
    standard.add("tzoffsetto", timedelta(0))
    standard.add("tzname", "UTC")
    zone.add_component(standard)
    return zone.to_ical()


_EMPTY = _utc_timezone()


def calendar_head(info: FeedInfo) -> tuple[bytes, bytes]:
    """The VCALENDAR lines before and after the components."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    # NAME and the X-WR- properties are TEXT, but icalendar leaves them unescaped (vUnknown):
    # a newline in a title would fail to serialise, a comma or backslash would be misread.
    calendar.add("name", vText(info.name))
    calendar.add("x-wr-calname", vText(info.name))
    calendar.add("description", info.description)
    calendar.add("x-wr-caldesc", vText(info.description))
    calendar.add("url", vUri(info.url), parameters={"VALUE": "URI"})
    # RFC 7986 wants VALUE=DURATION, which icalendar's refresh_interval leaves out.
    calendar.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    text = calendar.to_ical()
    end = b"END:VCALENDAR\r\n"
    return text[: -len(end)], end


def render_calendar(info: FeedInfo, fragments: Iterable[bytes]) -> bytes:
    head, tail = calendar_head(info)
    body = b"".join(fragments)
    return head + (body or _EMPTY) + tail


def _stamp(value: datetime) -> str:
    return _utc(value).strftime("%Y%m%dT%H%M%SZ")


def google_link(
    title: str, starts_at: datetime, ends_at: datetime, details: str, where: str
) -> str:
    query = urlencode(
        {
            "action": "TEMPLATE",
            "text": title,
            "dates": f"{_stamp(starts_at)}/{_stamp(ends_at)}",
            "details": details,
            "location": where,
        }
    )
    return f"https://calendar.google.com/calendar/render?{query}"


def outlook_link(
    title: str, starts_at: datetime, ends_at: datetime, details: str, where: str
) -> str:
    query = urlencode(
        {
            "path": "/calendar/action/compose",
            "rru": "addevent",
            "subject": title,
            "startdt": _utc(starts_at).isoformat().replace("+00:00", "Z"),
            "enddt": _utc(ends_at).isoformat().replace("+00:00", "Z"),
            "body": details,
            "location": where,
        }
    )
    return f"https://outlook.live.com/calendar/0/deeplink/compose?{query}"
