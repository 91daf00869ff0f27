"""A search box's text as filters: the API's and the web list's ``q=``.

``q=cybersecurity phoenix`` finds the cybersecurity events of The Connective (Phoenix):
words that name a region (or its alias), a topic (or a synonym), a kind of event or a time
("next month") become filters, and the words left must each be in the title or summary.
An event also matches when the whole text is in its title or summary, as before, so a
title typed in full ("Colorado Mobility Day") finds its event whatever its words name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from events.services.understanding import vocabulary
from events.services.understanding.dates import DateRange
from events.services.understanding.linker import link
from events.services.understanding.text import normalize

# Words around filters that say nothing about which events: "events in phoenix".
FILLER = frozenset(
    [
        "a",
        "an",
        "and",
        "any",
        "are",
        "at",
        "event",
        "events",
        "for",
        "from",
        "i",
        "in",
        "is",
        "me",
        "near",
        "of",
        "on",
        "or",
        "show",
        "the",
        "to",
        "what",
        "which",
        "with",
        "all",
        "upcoming",
        "list",
        "find",
    ]
)
# The zone "next month" is read in when the query does not name a region.
DEFAULT_TIMEZONE = "America/Chicago"


@dataclass(frozen=True, slots=True)
class QueryFilters:
    text: str  # the whole query, matched as it is typed
    regions: frozenset[str]  # any of them
    topics: tuple[str, ...]  # every one of them
    kinds: frozenset[str]  # any of them
    dates: DateRange | None
    words: tuple[str, ...]  # each in the title or summary

    @property
    def structured(self) -> bool:
        return bool(self.regions or self.topics or self.kinds or self.dates)


JOINED = "_-%*/"  # "cyber_sec", "co-host": part of a longer word, not a name


def _whole_words(text: str, span: tuple[int, int]) -> bool:
    before = text[span[0] - 1] if span[0] > 0 else " "
    after = text[span[1]] if span[1] < len(text) else " "
    return before not in JOINED and after not in JOINED


async def interpret(text: str, *, now: datetime) -> QueryFilters:
    known = await vocabulary.load()
    links = link(
        text,
        known,
        now=now,
        timezone=DEFAULT_TIMEZONE,
        strict_case=False,  # a search box holds names: "az" is Arizona here
        kinds=frozenset({vocabulary.Kind.region, vocabulary.Kind.topic, vocabulary.Kind.kind}),
    )
    spans = [m.span for m in links.mentions] + ([links.dates.span] if links.dates else [])
    if not all(_whole_words(text, span) for span in spans):
        return QueryFilters(text, frozenset(), (), frozenset(), None, ())
    left = tuple(w for w in normalize(links.rest).split() if w not in FILLER)
    return QueryFilters(
        text=text,
        regions=links.regions,
        topics=tuple(links.topics),
        kinds=links.kinds,
        dates=links.dates,
        words=left,
    )
