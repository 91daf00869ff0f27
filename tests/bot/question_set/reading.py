"""Reading a bot reply as a person would: its plain text, the event titles, dates, clock
times and numbers it states. Pure and tolerant of wording: "Mar 4", "March 4th" and "3/4"
are one date, "9:00 AM", "9am" and "09:00" one time."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTH_WORD = r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?"
DATE_MENTION = re.compile(rf"\b{MONTH_WORD}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b")  # capitalised
CLOCK = re.compile(
    r"\b(\d{1,2})(?::(\d{2}))?\s*([ap])\.?\s?m\b\.?"
    r"(?:\s*\(?\s*(E[SD]?T|C[SD]?T|M[SD]?T|P[SD]?T|UTC|GMT)\b)?",
    re.IGNORECASE,
)
CLOCK_24H = re.compile(
    r"\b([01]?\d|2[0-3]):([0-5]\d)\b(?!\s*[ap]\.?\s?m)(?:\s*\(?\s*(E[SD]?T|C[SD]?T|M[SD]?T|P[SD]?T|UTC|GMT)\b)?",
    re.IGNORECASE,
)
# Offsets from UTC (hours) each abbreviation can mean; "PT" is either side of DST.
ZONE_OFFSETS = {
    "EST": (-5,),
    "EDT": (-4,),
    "ET": (-5, -4),
    "CST": (-6,),
    "CDT": (-5,),
    "CT": (-6, -5),
    "MST": (-7,),
    "MDT": (-6,),
    "MT": (-7, -6),
    "PST": (-8,),
    "PDT": (-7,),
    "PT": (-8, -7),
    "UTC": (0,),
    "GMT": (0,),
}
_LINK = re.compile(r"<([^|>]+)\|([^>]*)>")
_BARE_LINK = re.compile(r"<((?:https?|mailto):[^>]+)>")


def block_texts(value: object) -> Iterable[str]:
    """Every ``text`` string inside Block Kit (sections, fields, context, buttons)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "text" and isinstance(item, str):
                yield item
            else:
                yield from block_texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from block_texts(item)


def plain(text: str) -> str:
    """Slack mrkdwn as read: links as their labels, no emphasis marks, entities decoded."""
    text = _LINK.sub(r"\2", text)
    text = _BARE_LINK.sub(r"\1", text)
    text = re.sub(r"[*_`~]", "", text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return text.replace("’", "'").replace("\u00a0", " ")


def folded(text: str) -> str:
    return re.sub(r"\s+", " ", text.casefold())


def mentions(text: str, phrase: str) -> bool:
    return folded(phrase) in folded(text)


def titles_in(text: str, titles: dict[str, str]) -> set[str]:
    """The slugs whose title appears in the text."""
    return {slug for slug, title in titles.items() if mentions(text, title)}


# -- dates and times --------------------------------------------------------------------------


def local(instant: datetime, zone: str) -> datetime:
    return instant.astimezone(ZoneInfo(zone))


def parse_instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def date_forms(day: date) -> list[str]:
    month = MONTHS[day.month - 1]
    return [
        rf"\b{month}[a-z]*\.?\s+0?{day.day}(?:st|nd|rd|th)?\b",
        rf"\b0?{day.day}(?:st|nd|rd|th)?\s+(?:of\s+)?{month}",
        rf"\b0?{day.month}/0?{day.day}\b",
        rf"\b{day.isoformat()}\b",
    ]


def states_date(text: str, day: date, *, today: date | None = None) -> bool:
    if (
        today is not None
        and day == today + timedelta(days=1)
        and re.search(r"\btomorrow\b", text, re.I)
    ):
        return True
    if today is not None and day == today and re.search(r"\btoday\b", text, re.I):
        return True
    return any(re.search(form, text, re.IGNORECASE) for form in date_forms(day))


def states_time(text: str, instant: datetime, zone: str) -> bool:
    """The text gives the wall-clock time of ``instant`` in ``zone``: "9:00 AM", "9am",
    "09:00" or "noon", and if it names a zone abbreviation, one of that zone at that
    instant ("12:00 PM MST" is not 12:00 PM Central)."""
    moment = local(instant, zone)
    if moment.hour == 12 and moment.minute == 0 and re.search(r"\bnoon\b", text, re.I):
        return True
    offset = moment.utcoffset()
    hours = offset.total_seconds() / 3600 if offset is not None else 0
    for hour, minute, abbreviation in stated_clocks(text):
        fits = abbreviation is None or hours in ZONE_OFFSETS[abbreviation]
        if fits and (hour, minute) == (moment.hour, moment.minute):
            return True
    return False


def stated_dates(text: str) -> list[tuple[int, int]]:
    """(month, day) of every "Mar 4"-style date; the month word must be capitalised so
    that "may 5" in a sentence is not a date."""
    found = []
    for match in DATE_MENTION.finditer(text):
        month = MONTHS.index(match.group(1)) + 1
        day = int(match.group(2))
        if 1 <= day <= 31:
            found.append((month, day))
    return found


def stated_clocks(text: str) -> list[tuple[int, int, str | None]]:
    """(hour 0-23, minute, zone abbreviation or None) of every "9:00 AM MST" or "13:30"."""
    found = []
    for match in CLOCK.finditer(text):
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if not 1 <= hour <= 12 or minute > 59:
            continue
        hour = hour % 12 + (12 if match.group(3).lower() == "p" else 0)
        zone = match.group(4).upper() if match.group(4) else None
        found.append((hour, minute, zone))
    for match in CLOCK_24H.finditer(text):
        zone = match.group(3).upper() if match.group(3) else None
        found.append((int(match.group(1)), int(match.group(2)), zone))
    return found


def unexplained_dates(text: str, instants: list[datetime], zones: set[str]) -> list[str]:
    """Dates the text states that are no local date of the instants in any of the zones."""
    allowed = {(local(i, z).month, local(i, z).day) for i in instants for z in zones | {"UTC"}}
    return [f"{MONTHS[m - 1]} {d}" for m, d in stated_dates(text) if (m, d) not in allowed]


def unexplained_clocks(text: str, instants: list[datetime], zones: set[str]) -> list[str]:
    """Times the text states that match none of the instants: with an abbreviation, in
    that abbreviation's offset; without one, in any of the zones."""
    wrong = []
    for hour, minute, abbreviation in stated_clocks(text):
        if abbreviation:
            offsets = ZONE_OFFSETS[abbreviation]
            ok = any(_utc_hm(i, o) == (hour, minute) for i in instants for o in offsets)
        else:
            ok = any(
                (local(i, z).hour, local(i, z).minute) == (hour, minute)
                for i in instants
                for z in zones
            )
        if not ok:
            wrong.append(f"{hour:02d}:{minute:02d} {abbreviation or ''}".strip())
    return wrong


def _utc_hm(instant: datetime, offset_hours: int) -> tuple[int, int]:
    shifted = instant.astimezone(ZoneInfo("UTC")) + timedelta(hours=offset_hours)
    return shifted.hour, shifted.minute
