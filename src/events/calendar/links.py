"""Links the API offers next to each event and region: .ics, webcal, Google, Outlook."""

from __future__ import annotations

from datetime import UTC, datetime

from events import schemas
from events.calendar import ical
from events.calendar.tokens import webcal
from events.config import get_settings


def feed(path: str) -> schemas.CalendarLinks:
    url = f"{get_settings().base_url}{path}"
    return schemas.CalendarLinks(ics=url, webcal=webcal(url))


def event_feed(slug: str) -> schemas.CalendarLinks:
    return feed(f"/calendar/events/{slug}.ics")


def region_feed(slug: str) -> schemas.CalendarLinks:
    return feed(f"/calendar/regions/{slug}.ics")


def event_links(
    slug: str, title: str, url: str, where: str, sessions: list[schemas.Session]
) -> schemas.CalendarLinks:
    """Google and Outlook add one event at a time: the next session (the .ics has all)."""
    links = event_feed(slug)
    scheduled = [s for s in sessions if s.status == "scheduled"]
    now = datetime.now(UTC)
    upcoming = [s for s in scheduled if s.ends_at >= now] or scheduled
    if not upcoming:
        return links
    session = upcoming[0]
    name = (
        title if session.title in ("", title) or len(sessions) == 1 else f"{title}: {session.title}"
    )
    details = f"{url}\n\nAll sessions: {links.ics}" if len(sessions) > 1 else url
    place = session.location_name or where
    added = ical.add_links(name, session.starts_at, session.ends_at, details, place)
    links.google = added.google
    links.outlook_office = added.outlook_office
    links.outlook = added.outlook_com
    return links
