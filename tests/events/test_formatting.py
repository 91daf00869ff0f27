"""Dates as people read them, on the pages and in Slack: pure functions, no server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from events import formatting
from events.formatting import moment, session_when, when

DENVER = "America/Denver"
NOW = datetime(2026, 2, 20, 17, 0, tzinfo=UTC)  # for the chat style: 2026 dates go yearless


def test_one_day_with_times_in_the_events_zone():
    starts = datetime(2027, 1, 15, 17, 0, tzinfo=UTC)
    ends = datetime(2027, 1, 15, 20, 30, tzinfo=UTC)
    assert when(starts, ends, DENVER) == "Fri, Jan 15, 2027, 10:00 AM – 1:30 PM MST"
    assert when(starts, ends, "America/New_York") == "Fri, Jan 15, 2027, 12:00 PM – 3:30 PM EST"
    summer = datetime(2027, 7, 1, 15, 0, tzinfo=UTC)
    assert when(summer, None, "America/Chicago") == "Thu, Jul 1, 2027, 10:00 AM CDT"
    assert moment(summer, "America/Chicago") == "Thu, Jul 1, 2027, 10:00 AM CDT"


def test_a_range_of_days_and_the_unknown():
    starts = datetime(2027, 12, 30, 17, tzinfo=UTC)
    next_year = datetime(2028, 1, 20, 20, tzinfo=UTC)
    assert when(starts, next_year, DENVER) == "Thu, Dec 30, 2027 – Thu, Jan 20, 2028"
    next_day = datetime(2027, 12, 31, 20, tzinfo=UTC)
    assert when(starts, next_day, "UTC") == "Thu, Dec 30 – Fri, Dec 31, 2027"
    assert when(None, None, DENVER) == "Dates to be announced"
    assert when(None, next_day, DENVER) == "Dates to be announced"


def test_a_session_over_midnight_keeps_its_times():
    starts = datetime(2027, 1, 16, 4, tzinfo=UTC)  # 9 PM in Denver
    ends = datetime(2027, 1, 16, 8, tzinfo=UTC)
    assert session_when(starts, ends, DENVER) == (
        "Fri, Jan 15, 2027, 9:00 PM MST – Sat, Jan 16, 2027, 1:00 AM MST"
    )
    assert when(starts, ends, DENVER) == "Fri, Jan 15 – Sat, Jan 16, 2027"  # an event: days


def test_a_day_with_a_clock_change_names_both_zones():
    starts = datetime(2026, 3, 8, 8, tzinfo=UTC)  # 1:00 AM MST; clocks go forward at 2 AM
    assert session_when(starts, starts + timedelta(hours=2), DENVER, now=NOW) == (
        "Sun, Mar 8, 1:00 AM MST – 4:00 AM MDT"
    )


def test_with_now_this_years_dates_leave_the_year_out():
    summer = datetime(2026, 7, 14, 15, 30, tzinfo=UTC)
    end = summer + timedelta(hours=2)
    assert session_when(summer, end, DENVER, now=NOW) == "Tue, Jul 14, 9:30 AM – 11:30 AM MDT"
    assert session_when(summer, end, "America/Phoenix", now=NOW) == (
        "Tue, Jul 14, 8:30 AM – 10:30 AM MST"
    )
    overnight = session_when(summer, summer + timedelta(hours=16), DENVER, now=NOW)
    assert overnight == "Tue, Jul 14, 9:30 AM MDT – Wed, Jul 15, 1:30 AM MDT"
    next_year = datetime(2027, 1, 5, 19, 0, tzinfo=UTC)
    assert session_when(next_year, next_year + timedelta(hours=1), DENVER, now=NOW) == (
        "Tue, Jan 5, 2027, 12:00 PM – 1:00 PM MST"
    )
    assert moment(summer, DENVER, now=NOW) == "Tue, Jul 14, 9:30 AM MDT"
    new_year = datetime(2026, 12, 30, 17, tzinfo=UTC)
    assert when(new_year, new_year + timedelta(days=3), DENVER, now=NOW) == (
        "Wed, Dec 30 – Sat, Jan 2, 2027"
    )


def test_abbreviation_of_zones_without_letters_and_unknown_zones():
    instant = datetime(2027, 1, 15, 17, tzinfo=UTC)
    sao_paulo = formatting.zone("America/Sao_Paulo")
    assert formatting.abbreviation(instant.astimezone(sao_paulo)) == "UTC-03"
    assert formatting.zone("Not/AZone") is formatting.UTC_ZONE
    assert formatting.clock(datetime(2027, 1, 1, 0, 5)) == "12:05 AM"
    assert formatting.clock(datetime(2027, 1, 1, 12, 0)) == "12:00 PM"


def test_starts_in_counts_days_in_the_events_zone():
    """The 24-hour reminder of a session later the same day says so (it said "tomorrow")."""
    ten_am = datetime(2026, 3, 3, 17, 0, tzinfo=UTC)  # 10:00 MST
    said = formatting.starts_in(ten_am + timedelta(hours=6), ten_am, DENVER)
    assert (said.phrase, said.headline) == ("later today at 4:00 PM MST", "Later today")
    said = formatting.starts_in(ten_am + timedelta(hours=23), ten_am, DENVER)
    assert (said.phrase, said.headline) == ("tomorrow at 9:00 AM MST", "Tomorrow")
    # 8 PM in Denver is already tomorrow in UTC: the event's zone decides, not UTC's date.
    evening = datetime(2026, 3, 4, 3, 0, tzinfo=UTC)
    assert formatting.starts_in(evening + timedelta(hours=2), evening, DENVER).headline == (
        "Later today"
    )
    assert formatting.starts_in(ten_am + timedelta(hours=1), ten_am, DENVER).phrase == (
        "in an hour, at 11:00 AM MST"
    )
    assert formatting.starts_in(ten_am + timedelta(minutes=20), ten_am, DENVER).phrase == (
        "in 20 minutes, at 10:20 AM MST"
    )
    assert formatting.starts_in(ten_am + timedelta(days=3), ten_am, DENVER).phrase == (
        "on Fri, Mar 6 at 10:00 AM MST"
    )
