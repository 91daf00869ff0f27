"""The API's q= (and the web list's text box) read regions by their aliases, topics by
their synonyms, kinds and dates: `q=cybersecurity phoenix`."""

from __future__ import annotations

from events.demo import REGION_ALIASES
from events.services import region_aliases


async def _titles(client, **params) -> list[str]:
    response = await client.get("/api/events", params=params)
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["items"]]


async def _events(client, world) -> None:
    await region_aliases.add_missing(REGION_ALIASES)
    await world.create_event(client, title="Phoenix Cyber Clinic", regions=["the-connective"],
                             timezone="America/Phoenix", topics=["cybersecurity"])  # fmt: skip
    await world.create_event(client, title="Phoenix Transit Day", regions=["the-connective"],
                             timezone="America/Phoenix", topics=["transportation"])  # fmt: skip
    await world.create_event(client, title="Denver Cyber Lab", topics=["cybersecurity"],
                             kind="webinar", venue=None,
                             online_url="https://meet.test/j/1")  # fmt: skip


async def test_q_names_a_region_by_alias_and_a_topic(client, world):
    await _events(client, world)
    assert await _titles(client, q="cybersecurity phoenix") == ["Phoenix Cyber Clinic"]
    assert await _titles(client, q="cyber in the Valley") == ["Phoenix Cyber Clinic"]
    assert await _titles(client, q="transit phx") == ["Phoenix Transit Day"]
    assert await _titles(client, q="az") == ["Phoenix Cyber Clinic", "Phoenix Transit Day"]
    assert await _titles(client, q="cyber webinars") == ["Denver Cyber Lab"]
    assert await _titles(client, q="denver cybersecurity") == ["Denver Cyber Lab"]


async def test_q_still_finds_titles_and_words(client, world):
    await _events(client, world)
    assert await _titles(client, q="Phoenix Transit Day") == ["Phoenix Transit Day"]
    assert await _titles(client, q="clinic") == ["Phoenix Cyber Clinic"]
    # Words left over once the names are read must be in the title or summary.
    assert await _titles(client, q="phoenix clinic") == ["Phoenix Cyber Clinic"]
    assert await _titles(client, q="phoenix nothing-like-this") == []


async def test_region_takes_an_alias(client, world):
    await _events(client, world)
    assert await _titles(client, region="phoenix", topic="cybersecurity") == [
        "Phoenix Cyber Clinic"
    ]
    assert await _titles(client, region="no-such-place") == []


async def test_the_web_list_reads_its_text_box_the_same_way(client, world):
    await _events(client, world)
    page = (await client.get("/events", params={"q": "cybersecurity phoenix"})).text
    assert "Phoenix Cyber Clinic" in page and "Denver Cyber Lab" not in page
