"""Test data keeps its time of day, whatever the hour the suite runs."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from tests.support.clock import days_from_today

ZONES = ["America/Denver", "America/Phoenix", "America/Chicago", "America/New_York"]


def test_a_three_hour_session_of_test_data_stays_on_one_local_day_in_every_zone():
    start = days_from_today(10)
    end = start + timedelta(hours=3)
    for zone in map(ZoneInfo, ZONES):
        assert start.astimezone(zone).date() == end.astimezone(zone).date(), zone
    assert (start.hour, start.minute, start.second, start.microsecond) == (17, 0, 0, 0)
