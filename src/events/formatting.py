"""How Convene prints an event's dates for people, on the pages and in Slack alike: in the
event's own time zone, with the zone's abbreviation. Pure: no database, no HTTP, no web."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from events.zones import is_known_zone

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
TO_BE_ANNOUNCED = "Dates to be announced"


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    """The zone of that name; UTC for a name this system does not know."""
    return ZoneInfo(name) if is_known_zone(name) else UTC_ZONE


def abbreviation(moment: datetime) -> str:
    """MST, EDT... or UTC-03 where the zone has no letters."""
    name = moment.tzname() or "UTC"
    return f"UTC{name}" if name[0] in "+-" else name


def day_label(moment: datetime, *, year: bool = True) -> str:
    """Tue, Mar 4, 2025; or Tue, Mar 4 without the year."""
    text = f"{WEEKDAYS[moment.weekday()]}, {MONTHS[moment.month - 1]} {moment.day}"
    return f"{text}, {moment.year}" if year else text


def clock(moment: datetime) -> str:
    hour = moment.hour % 12 or 12
    return f"{hour}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"


def when(
    starts: datetime | None,
    ends: datetime | None,
    timezone: str,
    *,
    now: datetime | None = None,
    times_across_days: bool = False,
) -> str:
    """A span in the event's own zone, the one formatter for pages, Slack cards and answers.

    - one day: "Tue, Mar 4, 2025, 9:00 AM – 12:00 PM MST";
    - several days: "Tue, Mar 4 – Thu, Mar 6, 2025" (an event), or with
      ``times_across_days`` both ends in full (a session past midnight keeps its times);
    - no end: the start alone; no start: "Dates to be announced".

    With ``now`` (a conversation rather than a page), years equal to now's are left out.
    """
    this_year = now.astimezone(zone(timezone)).year if now is not None else None
    return _when(starts, ends, timezone, this_year, times_across_days)


def session_when(
    starts: datetime, ends: datetime, timezone: str, *, now: datetime | None = None
) -> str:
    """A session: ``when`` that keeps the times when it runs past midnight."""
    return when(starts, ends, timezone, now=now, times_across_days=True)


def moment(at: datetime, timezone: str, *, now: datetime | None = None) -> str:
    """One instant in a zone: "Tue, Mar 4, 2025, 9:00 AM MST"."""
    return when(at, None, timezone, now=now)


@lru_cache(maxsize=4096)  # a list page formats the same events' dates again and again
def _when(
    starts: datetime | None,
    ends: datetime | None,
    timezone: str,
    this_year: int | None,
    times_across_days: bool,
) -> str:
    if starts is None:
        return TO_BE_ANNOUNCED
    tz = zone(timezone)
    start = starts.astimezone(tz)
    if ends is None:
        return _instant(start, this_year)
    end = ends.astimezone(tz)
    if start.date() == end.date():
        # a day with a clock change (1:00 AM MST – 4:00 AM MDT) names both zones
        changed = f" {abbreviation(start)}" if start.tzname() != end.tzname() else ""
        day = _day(start, this_year)
        return f"{day}, {clock(start)}{changed} – {clock(end)} {abbreviation(end)}"
    if times_across_days:
        return f"{_instant(start, this_year)} – {_instant(end, this_year)}"
    # the end's year covers the start's unless they differ
    start_year = start.year != end.year and start.year != this_year
    return f"{day_label(start, year=start_year)} – {_day(end, this_year)}"


def _day(moment: datetime, this_year: int | None) -> str:
    return day_label(moment, year=moment.year != this_year)


def _instant(moment: datetime, this_year: int | None) -> str:
    return f"{_day(moment, this_year)}, {clock(moment)} {abbreviation(moment)}"


@dataclass(frozen=True, slots=True)
class StartsIn:
    """When something starts, said from ``now``: a reminder's words, in Slack and email."""

    phrase: str  # "later today at 4:00 PM MDT": follows "starts"
    headline: str  # "Later today": an email's subject


def starts_in(starts: datetime, now: datetime, timezone: str) -> StartsIn:
    """ "in an hour", "later today at 4:00 PM MDT", "tomorrow at 9:00 AM MST", "on Tue,
    Mar 4 at 9:00 AM MST": days counted in the event's zone, from the moment the message
    is written (a reminder delivered late says what is true then)."""
    tz = zone(timezone)
    start, today = starts.astimezone(tz), now.astimezone(tz).date()
    at = f"{clock(start)} {abbreviation(start)}"
    minutes = round((starts - now).total_seconds() / 60)
    if minutes <= 0:
        return StartsIn(f"now ({at})", "Starting now")
    if minutes < 50:
        unit = "minute" if minutes == 1 else "minutes"
        return StartsIn(f"in {minutes} {unit}, at {at}", f"In {minutes} {unit}")
    if minutes <= 75:
        return StartsIn(f"in an hour, at {at}", "In an hour")
    days = (start.date() - today).days
    if days == 0:
        return StartsIn(f"later today at {at}", "Later today")
    if days == 1:
        return StartsIn(f"tomorrow at {at}", "Tomorrow")
    day = day_label(start, year=start.year != today.year)
    return StartsIn(f"on {day} at {at}", f"On {day}")
