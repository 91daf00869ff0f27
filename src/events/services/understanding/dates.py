"""Time expressions as ranges of instants: "tomorrow", "this week", "next month",
"in January", "over the next 2 weeks", "on Friday", "Dec 12". Relative to an injected
``now`` and read in the asker's time zone ("tomorrow" in Phoenix is not tomorrow in UTC).

Ranges are recognised by the patterns below; single days ("Friday", "Dec 12", "12/15") are
read by dateparser, with the future preferred ("Friday" is the coming one).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True)
class DateRange:
    start: datetime  # aware; events ending after it...
    end: datetime | None  # ...and starting before it (None: no end)
    label: str  # as said back: "next month (January 2027)"
    span: tuple[int, int]  # where it was in the text


MONTHS = {name.lower(): n for n, name in enumerate(calendar.month_name) if name}
MONTHS |= {name.lower(): n for n, name in enumerate(calendar.month_abbr) if name}
MONTHS["sept"] = 9
WEEKDAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_MONTH_WORDS = "|".join(sorted(MONTHS, key=len, reverse=True))
_NUMBER_WORDS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}

UNTIL_FURTHER = timedelta(days=366)


def _pattern(text: str) -> re.Pattern[str]:
    return re.compile(rf"\b(?:{text})\b", re.IGNORECASE)


PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("count", _pattern(r"(?:in |over |during |within )?(?:the )?(?:next|coming) "
                       r"(\d+|a|one|two|three|four|five|six|few|couple(?: of)?) "
                       r"(days?|weeks?|months?)")),
    ("today", _pattern(r"today|tonight|this (?:morning|afternoon|evening)")),
    ("tomorrow", _pattern(r"tomorrow|tmrw|tmr|tomorow")),
    ("weekend", _pattern(r"this weekend|over the weekend|on the weekend")),
    ("this_week", _pattern(r"this week|later this week|rest of (?:the|this) week")),
    ("next_week", _pattern(r"next week|the week after")),
    ("this_month", _pattern(r"this month|later this month|rest of (?:the|this) month")),
    ("next_month", _pattern(r"next month")),
    ("this_year", _pattern(r"this year|later this year")),
    ("next_year", _pattern(r"next year")),
    ("month", _pattern(rf"(?:(?:in|during|for|this|next|early|late|mid|by) (?:early |late )?)?"
                       rf"({_MONTH_WORDS})\.?(?: (20\d\d))?(?! \d)")),
    ("day", _pattern(rf"(?:(?:on|this|next|coming) )?(?:{WEEKDAYS})"
                     rf"|(?:{_MONTH_WORDS})\.? \d{{1,2}}(?:st|nd|rd|th)?(?:,? 20\d\d)?"
                     rf"|\d{{1,2}}(?:st|nd|rd|th)? (?:of )?(?:{_MONTH_WORDS})"
                     r"|\d{1,2}/\d{1,2}(?:/(?:20)?\d\d)?")),
    ("upcoming", _pattern(r"coming up|upcoming|in the future|ahead|soon")),
]  # fmt: skip
# Month words that are also everyday words count only after a preposition ("in May").
AMBIGUOUS_MONTHS = {"may", "march", "jan", "mar", "jun", "sat", "sun", "dec", "oct", "aug"}


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), zone)


def _first_of_month(year: int, month: int) -> date:
    return date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def _count(match: re.Match[str], now: datetime) -> tuple[datetime, datetime, str]:
    amount, unit = match.group(1).lower(), match.group(2).lower()
    n = int(amount) if amount.isdigit() else _NUMBER_WORDS.get(amount, 3)
    days = {"d": 1, "w": 7, "m": 30}[unit[0]] * n
    return now, now + timedelta(days=days), f"the next {n} {unit.rstrip('s')}{'s' * (n > 1)}"


def _range(
    name: str, match: re.Match[str], now: datetime, zone: ZoneInfo
) -> tuple[datetime, datetime | None, str] | None:
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    if name == "count":
        return _count(match, now)
    if name in ("today", "tomorrow"):
        day = today + timedelta(days=name == "tomorrow")
        return _midnight(day, zone), _midnight(day + timedelta(days=1), zone), name
    if name == "weekend":
        saturday, next_monday = monday + timedelta(days=5), monday + timedelta(days=7)
        start = max(now, _midnight(saturday, zone))
        return start, _midnight(next_monday, zone), "this weekend"
    if name == "this_week":
        return now, _midnight(monday + timedelta(days=7), zone), "this week"
    if name == "next_week":
        start = monday + timedelta(days=7)
        return _midnight(start, zone), _midnight(start + timedelta(days=7), zone), "next week"
    if name == "this_month":
        end = _first_of_month(today.year, today.month + 1)
        return now, _midnight(end, zone), "this month"
    if name == "next_month":
        start = _first_of_month(today.year, today.month + 1)
        end = _first_of_month(start.year, start.month + 1)
        label = f"next month ({calendar.month_name[start.month]} {start.year})"
        return _midnight(start, zone), _midnight(end, zone), label
    if name in ("this_year", "next_year"):
        year = today.year + (name == "next_year")
        start = now if name == "this_year" else _midnight(date(year, 1, 1), zone)
        return start, _midnight(date(year + 1, 1, 1), zone), f"in {year}"
    if name == "month":
        return _month(match, today, now, zone)
    if name == "upcoming":
        return now, None, "coming up"
    return None


def _month(
    match: re.Match[str], today: date, now: datetime, zone: ZoneInfo
) -> tuple[datetime, datetime | None, str] | None:
    word = match.group(1).lower()
    said = match.group(0).lower()
    if word in AMBIGUOUS_MONTHS and said == word:  # "may I...", "march", "sat": not a date
        return None
    month = MONTHS[word]
    year = int(match.group(2)) if match.group(2) else today.year
    if not match.group(2) and (month < today.month or said.startswith("next ")):
        year += 1  # "in January", asked in December: the coming one
    start = _first_of_month(year, month)
    end = _first_of_month(year, month + 1)
    label = f"in {calendar.month_name[month]} {year}"
    return max(now, _midnight(start, zone)), _midnight(end, zone), label


@lru_cache(maxsize=1)
def _dateparser():
    import dateparser  # ~0.3 s to import: only when a text names a day

    return dateparser


def _day(said: str, now: datetime, zone: ZoneInfo) -> tuple[datetime, datetime, str] | None:
    words = said.lower().split()
    if words[0] in ("on", "this", "coming"):
        said = " ".join(words[1:])
    if len(words) == 1 and words[0] in AMBIGUOUS_MONTHS:
        return None
    local_now = now.astimezone(zone).replace(tzinfo=None)
    parsed = _dateparser().parse(
        said,
        languages=["en"],
        settings={
            "RELATIVE_BASE": local_now,
            "PREFER_DATES_FROM": "future",
            "DATE_ORDER": "MDY",
            "RETURN_AS_TIMEZONE_AWARE": False,
        },
    )
    if parsed is None:
        return None
    day = parsed.date()
    if day < local_now.date() and not re.search(r"20\d\d", said):
        day = day.replace(year=day.year + 1)  # "12/1" asked on 12/3: next year's
    start = _midnight(day, zone)
    return start, start + timedelta(days=1), f"on {day:%A %B} {day.day}"


def find_range(text: str, *, now: datetime, timezone: str) -> DateRange | None:
    """The first time expression in the text, as a range; None without one."""
    zone = ZoneInfo(timezone)
    now = now if now.tzinfo else now.replace(tzinfo=UTC)
    for name, pattern in PATTERNS:
        for match in pattern.finditer(text):
            if name == "day":
                found = _day(match.group(0), now, zone)
            else:
                found = _range(name, match, now, zone)
            if found is not None:
                start, end, label = found
                return DateRange(start, end, label, match.span())
    return None
