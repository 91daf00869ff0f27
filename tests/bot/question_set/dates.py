"""What members' date words mean, as [start, end) instants in the member's own time zone.

The grader and the world use the same definitions: the world places events inside these
ranges, the grader expects the events the API has there. Pure: no clock of its own, ``now``
is always given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)


@dataclass(frozen=True, slots=True)
class Span:
    """[start, end); end None: open-ended ("coming up")."""

    start: datetime
    end: datetime | None


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), zone)


def _first_of_next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def today(now: datetime, zone: str) -> date:
    return now.astimezone(ZoneInfo(zone)).date()


def span(phrase: str, now: datetime, zone: str) -> Span:
    """``phrase``: upcoming, tomorrow, this_week (until Sunday night), next_week (Monday to
    Sunday), this_month (until its end), next_month, month:<1-12> (the next such month
    at least three days from over: "in January")."""
    tz = ZoneInfo(zone)
    day = today(now, zone)
    if phrase == "upcoming":
        return Span(now, None)
    if phrase == "tomorrow":
        return Span(_midnight(day + timedelta(days=1), tz), _midnight(day + timedelta(days=2), tz))
    if phrase == "this_week":
        return Span(now, _midnight(day + timedelta(days=7 - day.weekday()), tz))
    if phrase == "next_week":
        monday = day + timedelta(days=7 - day.weekday())
        return Span(_midnight(monday, tz), _midnight(monday + timedelta(days=7), tz))
    if phrase == "this_month":
        return Span(now, _midnight(_first_of_next_month(day), tz))
    if phrase in ("next_month", "month_after_next"):
        first = _first_of_next_month(day)
        if phrase == "month_after_next":  # where the world puts what "next month" must skip
            first = _first_of_next_month(first)
        return Span(_midnight(first, tz), _midnight(_first_of_next_month(first), tz))
    if phrase.startswith("month:"):
        month = int(phrase.removeprefix("month:"))
        first = date(day.year, month, 1)
        if _first_of_next_month(first) - timedelta(days=3) <= day:
            first = date(day.year + 1, month, 1)
        start = max(_midnight(first, tz), now)
        return Span(start, _midnight(_first_of_next_month(first), tz))
    raise ValueError(f"unknown date phrase {phrase!r}")


def place(phrase: str, now: datetime, zone: str, day_in_span: int) -> date:
    """A date for an event "in" ``phrase``: the span's ``day_in_span``-th day (from 1), or
    two days after ``now`` when the span has started already (an "in January" asked on
    January 10th), kept inside the span."""
    found = span(phrase, now, zone)
    first = found.start.astimezone(ZoneInfo(zone)).date()
    wanted = first + timedelta(days=day_in_span - 1)
    if found.start == now:  # the span is under way: not before the day after tomorrow
        wanted = max(wanted, today(now, zone) + timedelta(days=2))
    if found.end is not None:
        last = (found.end - timedelta(seconds=1)).astimezone(ZoneInfo(zone)).date()
        wanted = min(wanted, last)
    return wanted
