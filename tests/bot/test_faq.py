"""The FAQ's full-text search on the real database (SQLite FTS5 or PostgreSQL tsvector)."""

from __future__ import annotations

import pytest

from bot import faq
from bot.enums import FaqScope
from events.db import fetch, fetch_one
from events.errors import InvalidInput

PARKING = ("Is there parking at City Hall?", "Yes: the garage on 14th Ave is free for attendees.")


async def _event(slug: str, region_id: int) -> int:
    row = await fetch_one(
        "INSERT INTO event (slug, title, kind, timezone) VALUES ({}, {}, 'workshop', "
        "'America/Denver') RETURNING id",
        slug,
        slug.replace("-", " ").title(),
    )
    await fetch("INSERT INTO event_region (event, region) VALUES ({}, {})", row["id"], region_id)
    return row["id"]


async def _coalition(question: str, answer: str) -> int:
    return await faq.add_entry(scope=FaqScope.coalition, question=question, answer=answer)


async def _search(text: str, **kwargs) -> list[faq.FaqHit]:
    return await faq.search(text, event_id=kwargs.get("event_id"), region_ids=[], limit=5)


async def test_an_entry_is_found_by_its_own_question_with_full_confidence(world):
    entry_id = await _coalition(*PARKING)
    hits = await _search("Is there parking at City Hall?")
    assert [(h.entry_id, h.scope, h.confidence) for h in hits] == [
        (entry_id, FaqScope.coalition, 1.0)
    ]
    assert hits[0].answer == PARKING[1]


async def test_other_forms_of_the_same_words_match(world):
    entry_id = await _coalition(
        "Are the sessions recorded?", "Recordings are posted to the member portal."
    )
    hits = await _search("will you be recording the session?")
    assert hits and hits[0].entry_id == entry_id
    assert hits[0].confidence == 1.0  # record/recording, session/sessions: the same stems


async def test_words_found_only_in_the_answer_are_not_enough(world):
    entry_id = await _coalition(*PARKING)
    assert await _search("which garage?") == []  # the entry is about parking, not garages
    hits = await _search("parking garage?")
    assert [h.entry_id for h in hits] == [entry_id]
    assert hits[0].confidence < 0.6  # parking at City Hall, of which only parking was asked


async def test_scope_is_the_event_its_regions_and_the_coalition(world):
    colorado, connective = world.region_ids["colorado"], world.region_ids["the-connective"]
    ours, theirs = await _event("ours", colorado), await _event("theirs", connective)
    expected = {
        await faq.add_entry(scope="event", event_id=ours, question="Parking at ours?", answer="A"),
        await faq.add_entry(
            scope="region", region_id=colorado, question="Parking in Colorado?", answer="B"
        ),
        await _coalition("Parking anywhere?", "C"),
    }
    await faq.add_entry(scope="event", event_id=theirs, question="Parking at theirs?", answer="D")
    await faq.add_entry(
        scope="region", region_id=connective, question="Parking in Arizona?", answer="E"
    )
    hits = await faq.search("parking", event_id=ours, region_ids=[colorado], limit=10)
    assert {h.entry_id for h in hits} == expected
    without_event = await faq.search("parking", event_id=None, region_ids=[], limit=10)
    assert [h.scope for h in without_event] == [FaqScope.coalition]


async def test_on_equal_confidence_the_narrowest_scope_comes_first(world):
    colorado = world.region_ids["colorado"]
    event_id = await _event("tie", colorado)
    coalition = await _coalition(*PARKING)
    region = await faq.add_entry(
        scope="region", region_id=colorado, question=PARKING[0], answer="Region's answer"
    )
    event = await faq.add_entry(
        scope="event", event_id=event_id, question=PARKING[0], answer="Event's answer"
    )
    hits = await faq.search(PARKING[0], event_id=event_id, region_ids=[colorado])
    assert [h.entry_id for h in hits] == [event, region, coalition]
    assert len({h.confidence for h in hits}) == 1


async def test_limit_and_best_first(world):
    best = await _coalition("Is lunch provided?", "Yes, a boxed lunch at noon.")
    for n in range(4):
        await _coalition(f"Lunch option {n} for speakers and volunteers?", "Ask the desk.")
    hits = await faq.search("is lunch provided", event_id=None, region_ids=[], limit=3)
    assert len(hits) == 3
    assert hits[0].entry_id == best
    assert hits[0].confidence > hits[1].confidence


# Whatever a member types must never break the full-text query syntax.
AWKWARD = [
    '"parking"',
    'parking" OR "x',
    "parking AND OR NOT NEAR",
    "NEAR(parking hall, 2)",
    "park*",
    "-parking",
    "parking:",
    "question: parking",
    "^parking",
    "(parking",
    "parking)",
    "parking & | ! <-> :*",
    "'parking'",
    "parking'; DROP TABLE faq_entry; --",
    "parking\\",
    "{parking}",
    "parking...?!",
    "PARKING!!!",
    "parking\x00",
]


@pytest.mark.parametrize("text", AWKWARD)
async def test_operators_quotes_and_punctuation_are_plain_words(world, text):
    entry_id = await _coalition(*PARKING)
    hits = await _search(text)
    assert [h.entry_id for h in hits] == [entry_id], text
    assert (await fetch_one("SELECT COUNT(*) AS n FROM faq_entry"))["n"] == 1


@pytest.mark.parametrize(
    "text", ["", "   ", "???", "!!! ... ---", "what is the", "Is it? Can I? Will they?", "🙂👍"]
)
async def test_nothing_significant_finds_nothing(world, text):
    await _coalition(*PARKING)
    await _coalition("What is it?", "An FAQ entry made only of stop words.")
    assert await _search(text) == []


async def test_operator_words_alone_find_nothing(world):
    await _coalition(*PARKING)
    assert await _search("AND OR NOT NEAR") == []


async def test_non_ascii_words(world):
    zurich = await _coalition("Is there a bus from Zürich?", "Yes, the 8:15 from Zürich HB.")
    tokyo = await _coalition("東京 の 会場 は どこ ですか", "会場は渋谷です。")
    assert [h.entry_id for h in await _search("bus Zürich")] == [zurich]
    assert [h.entry_id for h in await _search("東京")] == [tokyo]
    assert await _search("¿Dónde está el estacionamiento? ☕") == []


async def test_hyphenated_and_joined_spellings_meet(world):
    entry_id = await _coalition("What is the Wi-Fi password?", "CityHall-Guest / smartcity.")
    hits = await _search("wifi password")
    assert [h.entry_id for h in hits] == [entry_id]
    assert hits[0].confidence == 1.0


async def test_the_index_follows_updates_and_deletes(world):
    entry_id = await _coalition(*PARKING)
    assert await faq.update_entry(entry_id, question="Where can I leave my bike?")
    assert await _search("parking at city hall") == []
    assert [h.entry_id for h in await _search("leave my bike")] == [entry_id]
    assert await faq.update_entry(entry_id, answer="Bike racks by the north door.")
    assert await _search("garage") == []
    assert await faq.delete_entry(entry_id)
    assert await _search("bike") == []
    assert not await faq.delete_entry(entry_id)


async def test_deleting_an_event_removes_its_entries_from_the_index(world):
    event_id = await _event("gone", world.region_ids["colorado"])
    await faq.add_entry(scope="event", event_id=event_id, question=PARKING[0], answer="A")
    await fetch("DELETE FROM event_region WHERE event = {}", event_id)
    await fetch("DELETE FROM event WHERE id = {}", event_id)
    assert await faq.search("parking", event_id=event_id, region_ids=[]) == []
    assert await faq.add_entry(scope="coalition", question=PARKING[0], answer="B")
    assert [h.answer for h in await _search("parking")] == ["B"]


@pytest.mark.parametrize(
    "fields",
    [
        {"scope": "event"},
        {"scope": "region"},
        {"scope": "coalition", "region_id": 1},
        {"scope": "event", "event_id": 1, "region_id": 1},
    ],
)
async def test_an_entry_belongs_to_exactly_what_its_scope_says(world, fields):
    with pytest.raises(InvalidInput):
        await faq.add_entry(question="Q?", answer="A.", **fields)


async def test_an_entry_needs_a_question_and_an_answer(world):
    with pytest.raises(InvalidInput):
        await faq.add_entry(scope="coalition", question="  ", answer="A.")
    with pytest.raises(ValueError):
        await faq.add_entry(scope="galaxy", question="Q?", answer="A.")


def test_confidence_weighs_both_directions():
    question, answer = faq.stems(PARKING[0]), faq.stems(PARKING[1])
    assert faq.confidence(question, question, answer) == 1.0
    # Asked about only part of what the entry is about: not enough.
    assert faq.confidence(faq.stems("parking?"), question, answer) < 0.6
    # Asked all of it, and about something the entry does not cover: less sure.
    more = faq.stems("Is there parking at City Hall for my bus?")
    assert 0.6 < faq.confidence(more, question, answer) < 1
    assert faq.confidence(frozenset(), question, answer) == 0.0
