"""What the API says at the moment a question is asked: the event asked about, the asker's
own registrations, the catalogue, and for lists the events that match."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx

from tests.bot.question_set import dates
from tests.bot.question_set.model import Intent, Question
from tests.bot.question_set.world import QsWorld
from tests.bot.question_set.world_data import OTHERS
from tests.support.world import auth

ACTIVE = ("confirmed", "waitlisted", "pending")


@dataclass(frozen=True, slots=True)
class Expected:
    """A list's events: every ``required`` one must be named, none outside ``allowed``
    (an event under way or straddling the span's edge may or may not be listed)."""

    required: frozenset[str]
    allowed: frozenset[str]
    bounds: tuple[datetime, ...] = ()  # the span's ends: "Jan 1 – Jan 31" is no wrong date


@dataclass(frozen=True, slots=True)
class Facts:
    now: datetime
    asker_zone: str
    event: dict | None  # GET /api/events/{slug}, as the public sees it
    mine: dict[str, dict]  # slug -> the asker's registration (inactive ones too)
    catalog: dict[str, dict]  # slug -> the event's summary, every published event
    others: list[tuple[str, str]]  # name and email of every other member
    secrets: list[str]  # tokens that must never be shown
    online_urls: dict[str, str]  # slug -> join link
    expected: Expected | None = None  # lists and "my registrations"
    person: str | None = None  # privacy: the first name of the person asked about
    notes: list[str] = field(default_factory=list)

    @property
    def titles(self) -> dict[str, str]:
        return {slug: summary["title"] for slug, summary in self.catalog.items()}

    def status(self, slug: str) -> str | None:
        found = self.mine.get(slug)
        return found["status"] if found else None


async def _json(client: httpx.AsyncClient, url: str, **kwargs) -> dict:
    response = await client.get(url, **kwargs)
    assert response.status_code == 200, f"{url}: {response.status_code} {response.text}"
    return response.json()


async def _list_expectation(
    client: httpx.AsyncClient, question: Question, now: datetime, zone: str
) -> Expected:
    found = dates.span(question.when or "upcoming", now, zone)
    start = max(found.start, now)
    params: dict[str, str] = {"from": start.isoformat(), "per_page": "100"}
    if found.end is not None:
        params["to"] = found.end.isoformat()
    if question.topic:
        params["topic"] = question.topic
    if question.kind:
        params["kind"] = question.kind
    allowed, required = set(), set()
    for region in question.regions or (None,):
        page = await _json(
            client, "/api/events", params={**params, **({"region": region} if region else {})}
        )
        for item in page["items"]:
            allowed.add(item["slug"])
            starts = datetime.fromisoformat(item["starts_at"])
            if starts >= start and (found.end is None or starts < found.end):
                required.add(item["slug"])
    bounds = (start,) if found.end is None else (start, found.end - timedelta(seconds=1))
    return Expected(frozenset(required), frozenset(allowed), bounds)


def _registrations_expectation(question: Question, mine: dict[str, dict], now: datetime):
    def upcoming(slug: str) -> bool:
        ends = mine[slug]["event"]["ends_at"]
        return ends is None or datetime.fromisoformat(ends) >= now

    wanted = (question.status,) if question.status else ACTIVE
    required = {s for s, r in mine.items() if r["status"] in wanted and upcoming(s)}
    return Expected(frozenset(required), frozenset(mine))


async def gather(client: httpx.AsyncClient, world: QsWorld, question: Question) -> Facts:
    now = datetime.now(UTC)
    asker = world.askers[question.asker]
    token = world.members[question.asker].token
    event = await _json(client, f"/api/events/{question.event}") if question.event else None
    page = await _json(
        client,
        "/api/me/registrations",
        params={"include_inactive": "true", "per_page": "100"},
        headers=auth(token),
    )
    mine = {
        item["event"]["slug"]: {**item["registration"], "event": item["event"]}
        for item in page["items"]
    }
    catalog_page = await _json(client, "/api/events", params={"per_page": "100"})
    expected = None
    if question.intent == Intent.list:
        expected = await _list_expectation(client, question, now, asker.zone)
    elif question.intent == Intent.my_registrations:
        expected = _registrations_expectation(question, mine, now)
    person = next((name.split()[0] for key, name, _ in OTHERS if key == question.person), None)
    return Facts(
        now=now,
        asker_zone=asker.zone,
        event=event,
        mine=mine,
        catalog={item["slug"]: item for item in catalog_page["items"]},
        others=[(m.name, m.email) for m in world.others_of(question.asker)],
        secrets=world.secrets,
        online_urls=dict(world.online_urls),
        expected=expected,
        person=person,
    )
