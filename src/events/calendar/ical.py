"""Pure iCalendar builders: plain data in, bytes out. No database, no HTTP.

Times are UTC instants (``DTSTART:20261201T170000Z``), which every client reads alike,
so no VTIMEZONE is needed. DTSTAMP is the entry's last change and there is no METHOD,
so equal data always serialises to equal bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlencode

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

from events.text import ANY_CONTROL, CONTROLS

PRODID = "-//NSCP//Convene//EN"
REFRESH = timedelta(hours=6)
# RFC 5545 3.3.11: TEXT holds no CONTROL character but HTAB (a line break is the escaped
# LF). Strict readers (the `ical` package of Home Assistant) reject the whole calendar for
# one U+000B pasted from Word, so none may leave: C0 but tab, LF and CR, DEL, and C1.
# Word's manual line break (VT), page break (FF) and NEL stand for line breaks.
_BREAKS = re.compile(r"\r\n?|[\x0b\x0c\x85]")


def clean_text(value: str, *, uri: bool = False) -> str:
    """Text as iCalendar may carry it: line breaks as LF, no control character (and in a
    URI no whitespace control at all). Every text value of a feed goes through here,
    whatever the database holds."""
    if uri:
        return ANY_CONTROL.sub("", value)
    if CONTROLS.search(value) is None and "\r" not in value:
        return value  # the usual case: nothing to copy
    return CONTROLS.sub("", _BREAKS.sub("\n", value))


@dataclass(frozen=True, slots=True)
class FeedInfo:
    name: str
    description: str
    url: str
    timezone: str | None = None  # X-WR-TIMEZONE: the zone clients show the feed in


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
    value.params.update({name: clean_text(text) for name, text in params.items() if text})
    return value


def _text(value: str) -> vText:
    return vText(clean_text(value))


def _uri(value: str) -> vUri:
    return vUri(clean_text(value, uri=True))


def render_session(entry: SessionEntry) -> bytes:
    return session_component(entry).to_ical()


def session_component(entry: SessionEntry) -> Event:
    """The VEVENT of one session: the feeds serialise it, invitations add their parties."""
    # Properties are set as typed values rather than through Event.add(): the same bytes,
    # without add()'s type guessing, which is a sixth of the cost of a cold feed.
    event = Event()
    event["UID"] = _text(entry.uid)
    event["DTSTAMP"] = vDDDTypes(_utc(entry.stamp))
    event["LAST-MODIFIED"] = vDDDTypes(_utc(entry.stamp))
    event["SEQUENCE"] = vInt(entry.sequence)
    event["DTSTART"] = vDDDTypes(_utc(entry.starts_at))
    event["DTEND"] = vDDDTypes(_utc(entry.ends_at))
    event["SUMMARY"] = _text(entry.summary)
    event["DESCRIPTION"] = _text(entry.description)
    event["URL"] = _with(_uri(entry.url), VALUE="URI")
    event["STATUS"] = _text(entry.status)
    if entry.location:
        event["LOCATION"] = _text(entry.location)
    if entry.geo:
        event["GEO"] = vGeo(entry.geo)
    if entry.categories:
        event["CATEGORIES"] = vCategory([clean_text(name) for name in entry.categories])
    if entry.organizer_url:
        organizer = vCalAddress(clean_text(entry.organizer_url, uri=True))
        event["ORGANIZER"] = _with(organizer, CN=entry.organizer_name)
    if entry.status == "CANCELLED":
        event["TRANSP"] = vText("TRANSPARENT")
    return event


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
    calendar.add("name", _text(info.name))
    calendar.add("x-wr-calname", _text(info.name))
    calendar.add("description", _text(info.description))
    calendar.add("x-wr-caldesc", _text(info.description))
    if info.timezone:
        calendar.add("x-wr-timezone", _text(info.timezone))
    calendar.add("url", _uri(info.url), parameters={"VALUE": "URI"})
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


GOOGLE = "https://calendar.google.com/calendar/render"
OUTLOOK_OFFICE = "https://outlook.office.com/calendar/0/deeplink/compose"  # work or school
OUTLOOK_COM = "https://outlook.live.com/calendar/0/deeplink/compose"  # personal accounts


@dataclass(frozen=True, slots=True)
class AddLinks:
    """The links that add one session to a calendar service, one per service."""

    google: str
    outlook_office: str
    outlook_com: str


def _query(params: dict[str, str]) -> str:
    # Spaces as %20, not "+": Outlook shows a "+" as a plus sign (calendar-link#219), and
    # Google reads either. Control characters are cleaned as in the feeds.
    return urlencode({k: clean_text(v) for k, v in params.items()}, quote_via=quote)


def add_links(
    title: str, starts_at: datetime, ends_at: datetime, details: str, where: str
) -> AddLinks:
    """The one builder of "add to calendar" links (pages, API, bot), in whole UTC seconds."""
    google = _query(
        {
            "action": "TEMPLATE",
            "text": title,
            "dates": f"{_stamp(starts_at)}/{_stamp(ends_at)}",
            "details": details,
            "location": where,
        }
    )
    outlook = _query(
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
    return AddLinks(
        google=f"{GOOGLE}?{google}",
        outlook_office=f"{OUTLOOK_OFFICE}?{outlook}",
        outlook_com=f"{OUTLOOK_COM}?{outlook}",
    )
