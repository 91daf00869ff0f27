"""The question set itself: big enough, balanced, and consistent with its world; and the
date words it relies on."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.bot.question_set import dates
from tests.bot.question_set.model import MINE, Behaviour, Intent, Via
from tests.bot.question_set.questions import QUESTIONS
from tests.bot.question_set.world_data import ASKERS, EVENTS, OTHERS, REGIONS, TOPICS

SPECS = {spec.slug: spec for spec in EVENTS}


def test_the_set_is_big_and_covers_every_intent_evenly():
    assert len(QUESTIONS) >= 170
    counts = Counter(q.intent for q in QUESTIONS)
    assert set(counts) == set(Intent)
    assert min(counts.values()) >= 8 and max(counts.values()) <= 2 * min(counts.values())
    behaviours = Counter(q.behaviour for q in QUESTIONS)
    assert behaviours[Behaviour.decline_privacy] >= 10 and behaviours[Behaviour.escalate] >= 15


def test_each_question_is_told_apart_by_its_words():
    words = [re.sub(r"[^a-z0-9]", "", q.text.casefold()) for q in QUESTIONS if q.via != Via.command]
    assert len(words) == len(set(words))


def test_questions_refer_to_what_the_world_has():
    askers, others = {a.key for a in ASKERS}, {key for key, _, _ in OTHERS}
    regions = {slug for slug, _, _ in REGIONS}
    for q in QUESTIONS:
        assert q.asker in askers, q
        assert q.event is None or q.event in SPECS, q
        if q.session:
            titles = [
                s[0] for s in SPECS[q.event].sessions if q.session.casefold() in s[0].casefold()
            ]
            assert len(titles) == 1, q
        assert q.person is None or q.person in others, q
        assert set(q.regions) <= regions and (q.topic is None or q.topic in TOPICS), q
        assert q.zone is None or q.zone == MINE or ZoneInfo(q.zone), q
        if q.intent == Intent.list:
            dates.span(q.when, datetime.now(UTC), "America/Denver")
        if q.via == Via.linked or q.behaviour != Behaviour.answer:
            assert q.event is not None, q


def test_no_title_hides_in_another_or_in_a_venue():
    titles = [spec.title.casefold() for spec in EVENTS]
    places = [f"{spec.venue} {spec.summary}".casefold() for spec in EVENTS]
    for title in titles:
        assert [t for t in titles if title in t] == [title]
        assert not [p for p in places if title in p]


DENVER = "America/Denver"


def _at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo(DENVER))


@pytest.mark.parametrize(
    ("today", "phrase", "first", "last"),
    [
        (date(2026, 12, 3), "tomorrow", date(2026, 12, 4), date(2026, 12, 4)),
        (date(2026, 12, 3), "this_week", date(2026, 12, 3), date(2026, 12, 6)),  # Thu-Sun
        (date(2026, 12, 5), "next_week", date(2026, 12, 7), date(2026, 12, 13)),
        (date(2026, 12, 3), "next_month", date(2027, 1, 1), date(2027, 1, 31)),
        (date(2026, 12, 3), "month:1", date(2027, 1, 1), date(2027, 1, 31)),
        (date(2027, 1, 10), "month:1", date(2027, 1, 10), date(2027, 1, 31)),
        (date(2027, 1, 30), "month:1", date(2028, 1, 1), date(2028, 1, 31)),
        (date(2026, 12, 31), "this_month", date(2026, 12, 31), date(2026, 12, 31)),
    ],
)
def test_date_words(today, phrase, first, last):
    found = dates.span(phrase, _at(today), DENVER)
    assert found.start.astimezone(ZoneInfo(DENVER)).date() == first
    end = found.end.astimezone(ZoneInfo(DENVER))
    assert (end.date(), end.hour) == (date.fromordinal(last.toordinal() + 1), 0)


@pytest.mark.parametrize("today", [date(2026, 12, 3), date(2027, 1, 12), date(2027, 1, 29)])
def test_events_placed_in_a_span_fall_inside_it(today):
    for phrase, day in [("month:1", 20), ("next_week", 3), ("next_month", 22), ("tomorrow", 1)]:
        placed = dates.place(phrase, _at(today), DENVER, day)
        found = dates.span(phrase, _at(today), DENVER)
        assert found.start <= _at(placed, 9) < found.end, (phrase, placed)
