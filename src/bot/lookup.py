"""What members type after `/events`: an event by slug or a few words of its title, and
filters for `list` (topics, regions, kinds in any order)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from rapidfuzz import fuzz, process, utils

from events import schemas
from events.db import fetch
from events.formatting import KIND_LABELS
from events.services import catalog
from events.services.understanding import titles as understanding_titles
from events.services.understanding import vocabulary
from events.services.understanding.dates import DateRange
from events.services.understanding.linker import link
from events.services.understanding.query import DEFAULT_TIMEZONE, FILLER
from events.services.understanding.text import normalize

SURE = 88  # a title this close (0-100, rapidfuzz WRatio) is the one meant...
MARGIN = 8  # ...when the runner-up is this much further away
CANDIDATE = 60  # below this, not a candidate at all
RECENT = timedelta(days=30)
# Any event that teaches: listing "trainings" filters nothing, and ignores nothing either.
TEACHING = frozenset(
    {"training", "trainings", "class", "classes", "course", "courses"}
)  # events that ended this recently can still be looked up


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
    by_slug = {row["slug"]: row for row in rows}
    # Words of a title first ("heat resilience" is the Extreme Heat Resilience Workshop),
    # then the whole reference scored against whole titles (typos, word order).
    named = understanding_titles.named_in(reference, titles, explicit=True)
    if len(named) == 1:
        return Found(event=await catalog.public_event(named[0].key))
    if len(named) > 1:
        return Found(candidates=await catalog.summaries([by_slug[n.key] for n in named[:5]]))
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


async def open_event_titles(now: datetime | None = None) -> list[dict]:
    """(slug, title) of the events a question may name."""
    return await _open_events(now, columns="e.slug, e.title")


async def event_named_in(text: str, *, now: datetime | None = None) -> str | None:
    """The slug of the one event a question names, by its slug, its title or enough of
    it ("when is the heat resilience workshop?"); None for none or several."""
    rows = await open_event_titles(now)
    known = await vocabulary.load()
    named = understanding_titles.named_in(
        text,
        {row["slug"]: row["title"] for row in rows},
        vocabulary_words=frozenset(word for key in known.phrases for word in key),
    )
    return named[0].key if len(named) == 1 else None


@dataclass(frozen=True, slots=True)
class ListFilters:
    regions: frozenset[str] = frozenset()
    topics: tuple[str, ...] = ()
    kinds: frozenset[str] = frozenset()
    dates: DateRange | None = None
    unknown: tuple[str, ...] = ()
    names: tuple[str, ...] = ()  # what the filters are called, for the heading

    def heading_parts(self) -> tuple[str, ...]:
        """The filters by name (never slugs), then the period: for the list's heading."""
        return (*self.names, *([self.dates.label] if self.dates else []))


async def list_filters(text: str, *, now: datetime | None = None) -> ListFilters:
    """ "cybersecurity phoenix", "transportation dfw next month": every word names a topic,
    a region (or its alias), a kind or a time, in any order; the rest is reported."""
    known = await vocabulary.load()
    now = now or datetime.now(UTC)
    links = link(text, known, now=now, timezone=DEFAULT_TIMEZONE, strict_case=False)
    unknown = tuple(
        w for w in normalize(links.rest).split() if w not in FILLER and w not in TEACHING
    )
    names = (
        *(known.topic_name(t) for t in links.topics),
        *sorted(known.region_name(r) for r in links.regions),
        *sorted(KIND_LABELS.get(k, k) for k in links.kinds),
    )
    return ListFilters(links.regions, tuple(links.topics), links.kinds, links.dates, unknown, names)
