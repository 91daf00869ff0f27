"""What members type after `/events`: an event by slug or a few words of its title, and
filters for `list` (topics, regions, kinds in any order)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from rapidfuzz import fuzz, process, utils

from events import schemas
from events.db import fetch
from events.services import catalog

SURE = 88  # a title this close (0-100, rapidfuzz WRatio) is the one meant...
MARGIN = 8  # ...when the runner-up is this much further away
CANDIDATE = 60  # below this, not a candidate at all
RECENT = timedelta(days=30)  # events that ended this recently can still be looked up
NAMED = 92  # a whole title inside a question, this close (rapidfuzz partial_ratio)
SHORTEST_NAMING_TITLE = 12  # shorter titles ("Summit") are words, not names
SLUG_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)+")


@dataclass(frozen=True, slots=True)
class Found:
    """One event, several candidates to choose from, or nothing (both empty)."""

    event: schemas.Event | None = None
    candidates: list[schemas.EventSummary] = field(default_factory=list)


async def find_event(reference: str, *, now: datetime | None = None) -> Found:
    reference = reference.strip().strip("`'\"“”")
    if not reference:
        return Found()
    exact = await catalog.public_event(reference.lower())
    if exact is not None:
        return Found(event=exact)
    rows = await _open_events(now)
    titles = {row["slug"]: row["title"] for row in rows}
    scored = process.extract(
        reference,
        titles,
        scorer=fuzz.WRatio,
        processor=utils.default_process,
        score_cutoff=CANDIDATE,
        limit=5,
    )
    if not scored:
        return Found()
    best_score, runner_up = scored[0][1], (scored[1][1] if len(scored) > 1 else 0)
    if best_score >= SURE and best_score - runner_up >= MARGIN:
        return Found(event=await catalog.public_event(scored[0][2]))
    by_slug = {row["slug"]: row for row in rows}
    return Found(candidates=await catalog.summaries([by_slug[slug] for _, _, slug in scored]))


async def _open_events(now: datetime | None, columns: str = catalog.EVENT_COLUMNS) -> list[dict]:
    """Published events not long over. Their titles are scored; full summaries (regions,
    topics, seats) are built only for the few that match."""
    return await fetch(
        f"SELECT {columns} FROM event e WHERE e.status = 'published' "
        "AND e.published_at IS NOT NULL AND (e.ends_at IS NULL OR e.ends_at >= {}) "
        "ORDER BY e.starts_at NULLS LAST, e.id LIMIT 500",
        (now or datetime.now(UTC)) - RECENT,
    )


async def event_named_in(text: str, *, now: datetime | None = None) -> str | None:
    """The slug of the one event a question names, by its slug or its whole title (as in
    "when does the Curb Management 101 workshop start?"); None for none or several."""
    rows = await _open_events(now, columns="e.slug, e.title")
    words = set(SLUG_WORD.findall(text.lower()))
    by_slug = [row["slug"] for row in rows if row["slug"] in words]
    if by_slug:
        return by_slug[0] if len(by_slug) == 1 else None
    question = utils.default_process(text)
    named = {
        row["slug"]
        for row in rows
        if len(title := utils.default_process(row["title"])) >= SHORTEST_NAMING_TITLE
        and len(title) <= len(question)
        and fuzz.partial_ratio(title, question) >= NAMED
    }
    return named.pop() if len(named) == 1 else None


@dataclass(frozen=True, slots=True)
class ListFilters:
    region: str | None = None
    topic: str | None = None
    kind: str | None = None
    unknown: tuple[str, ...] = ()


KIND_WORDS = {
    "workshop": "workshop",
    "workshops": "workshop",
    "conference": "conference",
    "conferences": "conference",
    "training": "training_track",
    "track": "training_track",
    "tracks": "training_track",
    "training_track": "training_track",
    "webinar": "webinar",
    "webinars": "webinar",
}


async def list_filters(text: str) -> ListFilters:
    """Each word (or slug) names a kind, a topic or a region: "cybersecurity phoenix"."""
    regions = await fetch("SELECT slug, name FROM region")
    topics = await fetch("SELECT slug, name FROM topic")
    region = topic = kind = None
    unknown = []
    for word in text.lower().replace(",", " ").split():
        if word in KIND_WORDS:
            kind = KIND_WORDS[word]
        elif match := _label(word, topics):
            topic = match
        elif match := _label(word, regions):
            region = match
        elif word not in {"in", "on", "for", "and", "the", "events", "event"}:
            unknown.append(word)
    return ListFilters(region, topic, kind, tuple(unknown))


def _label(word: str, rows: list[dict]) -> str | None:
    """A slug, or a word of the name ("phoenix" finds The Connective (Phoenix))."""
    for row in rows:
        if word == row["slug"] or word in utils.default_process(row["name"]).split():
            return row["slug"]
    for row in rows:
        if len(word) >= 4 and row["slug"].startswith(word):
            return row["slug"]
    return None
