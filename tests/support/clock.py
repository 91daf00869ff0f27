"""Instants for test data: a fixed time of day, a whole number of days from today.

The server runs on the real clock (registration windows, "upcoming" lists, reminders), so
the date of the test data follows today; its time of day never does. A session from 17:00
to 20:00 UTC stays within one local day in every zone the tests use (10:00-13:00 in Denver,
13:00-16:00 in New York), at whatever hour the suite runs.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

HOUR = 17  # UTC: mid-morning across the United States


def days_from_today(days: int, hour: int = HOUR, minute: int = 0) -> datetime:
    """``hour``:``minute`` UTC on the day ``days`` from today (negative: in the past)."""
    day = datetime.now(UTC).date() + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)
