"""The `ical` package (Home Assistant's calendar reader) as a strict RFC 5545 check.

ical.js and icalendar read a calendar that holds a control character; `ical` rejects the
whole calendar, as Home Assistant's users saw. Every feed the tests read goes through both.
"""

from __future__ import annotations

from ical.calendar import Calendar
from ical.calendar_stream import IcsCalendarStream
from ical.exceptions import CalendarParseError


def parse(text: str | bytes) -> Calendar:
    data = text.decode() if isinstance(text, bytes) else text
    try:
        return IcsCalendarStream.calendar_from_ics(data)
    except CalendarParseError as error:
        raise AssertionError(
            f"the strict `ical` reader rejected the calendar: {error} "
            f"{getattr(error, 'detailed_error', '')}\n--- input ---\n{data}"
        ) from None
