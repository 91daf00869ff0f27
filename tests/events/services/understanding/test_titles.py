"""Events named by their title, part of it or their slug; sessions by number or title."""

from __future__ import annotations

import pytest

from events.demo import CYBER_TRACK, EVENTS
from events.services.understanding.titles import named_in, session_named_in
from tests.events.services.understanding.vocabulary_fixture import demo_vocabulary

TITLES = {event.slug: event.title for event in EVENTS}
VOCABULARY_WORDS = frozenset(word for key in demo_vocabulary().phrases for word in key)


def _named(text: str, *, explicit: bool = False) -> list[str]:
    return [n.key for n in named_in(text, TITLES, vocabulary_words=VOCABULARY_WORDS,
                                     explicit=explicit)]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("where is the Public Wi-Fi Playbook?", "public-wifi-playbook"),
        ("tell me about the wifi playbook", "public-wifi-playbook"),
        ("when is colorado mobility day", "colorado-mobility-day"),
        ("parking at Autonomous Shuttle Operations?", "autonomous-shuttles"),
        ("is the heat resilience workshop full", "heat-resilience-workshop"),
        ("hurricane tabletop in jax - what date?", "hurricane-readiness-tabletop"),
        ("is the cyber track full?", "municipal-cybersecurity-track"),
        ("curb mgmt webinar", "curb-management-webinar"),
        ("wen is the brodband mapping workshop", "broadband-mapping-workshop"),
        ("when is iot-sensors-101?", "iot-sensors-101"),
        ("where's the forum", "illinois-smart-cities-forum"),
    ],
)
def test_titles_in_questions(text, slug):
    assert _named(text) == [slug]


@pytest.mark.parametrize(
    "text",
    [
        "any broadband workshops?",  # a list of workshops, not one
        "cybersecurity events in Phoenix",
        "is the workshop full?",  # several workshops
        "any cyber workshops in KC",
    ],
)
def test_lists_and_vague_words_name_no_event(text):
    assert _named(text) == []


def test_a_reference_alone_needs_less():
    assert _named("heat resilience", explicit=True) == ["heat-resilience-workshop"]
    assert _named("broadband", explicit=True) == ["broadband-mapping-workshop"]


def test_the_span_covers_the_title_as_typed():
    text = "is Colorado Mobility Day hybrid?"
    (found,) = named_in(text, TITLES, vocabulary_words=VOCABULARY_WORDS)
    assert text[found.span[0] : found.span[1]] == "Colorado Mobility Day"


SESSIONS = [(n, title) for n, (title, *_) in enumerate(CYBER_TRACK, start=1)]


@pytest.mark.parametrize(
    ("text", "session"),
    [
        ("is class 4 optional?", 4),  # its title says "Class 4: ..."
        ("is session 2 required", 2),  # the second
        ("the last session", 6),
        ("is the vendor risk class optional", 4),
        ("the zero trust class", 5),
        ("the tabletop exercise", 6),
    ],
)
def test_sessions(text, session):
    found = session_named_in(text, SESSIONS)
    assert found is not None and int(found.key) == session


def test_it_is_no_session():
    assert session_named_in("when does it kick off", SESSIONS) is None
