"""Time expressions as ranges, at a fixed instant (Thursday 3 December 2026, 10:00 in
Denver), read in the asker's zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from events.services.understanding.dates import find_range
from tests.events.services.understanding.vocabulary_fixture import NOW

DENVER = ZoneInfo("America/Denver")


def _local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=DENVER)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("any events tomorrow?", _local(2026, 12, 4), _local(2026, 12, 5)),
        ("today", _local(2026, 12, 3), _local(2026, 12, 4)),
        ("this week", NOW, _local(2026, 12, 7)),
        ("next week", _local(2026, 12, 7), _local(2026, 12, 14)),
        ("this weekend", _local(2026, 12, 5), _local(2026, 12, 7)),
        ("this month", NOW, _local(2027, 1, 1)),
        ("next month", _local(2027, 1, 1), _local(2027, 2, 1)),
        ("in January", _local(2027, 1, 1), _local(2027, 2, 1)),
        ("in March 2027", _local(2027, 3, 1), _local(2027, 4, 1)),
        ("in December", NOW, _local(2027, 1, 1)),
        ("over the next 2 weeks", NOW, _local(2026, 12, 17, 10)),
        ("on Friday", _local(2026, 12, 4), _local(2026, 12, 5)),
        ("Dec 12", _local(2026, 12, 12), _local(2026, 12, 13)),
        ("12/15", _local(2026, 12, 15), _local(2026, 12, 16)),
        ("coming up", NOW, None),
    ],
)
def test_ranges(text, start, end):
    found = find_range(text, now=NOW, timezone="America/Denver")
    assert found is not None, text
    assert (found.start, found.end) == (start, end)


def test_tomorrow_is_the_askers_tomorrow():
    # 17:00 UTC on Thursday is already Friday 04:00 in Tokyo.
    tokyo = find_range("tomorrow", now=NOW, timezone="Asia/Tokyo")
    assert tokyo is not None and tokyo.start.date().isoformat() == "2026-12-05"


@pytest.mark.parametrize("text", ["may I register?", "march on", "sat in the back", "when?"])
def test_words_that_only_look_like_dates(text):
    assert find_range(text, now=NOW, timezone="America/Denver") is None


def test_the_span_is_where_it_was_said():
    text = "what's on in Denver next week?"
    found = find_range(text, now=NOW, timezone="America/Denver")
    assert found is not None and text[found.span[0] : found.span[1]] == "next week"
