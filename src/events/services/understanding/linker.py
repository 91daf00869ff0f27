"""The entity linker: which regions, topics, kinds of event, dates and time zones a text
names, and what is left of it once they are cut out.

"which cybersecurity trainings are in Chicago next month?" links the topic cybersecurity,
the kind training_track, the region illinois (by its alias "chicago") and January, and
leaves "which are in ?". Longest names first, so "Kansas City" is a region before "Kansas"
could be, and "training track" a kind before "track" is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from rapidfuzz.distance import OSA

from events.services.understanding import dates
from events.services.understanding.text import Word, without, words
from events.services.understanding.vocabulary import SHORT_ALIAS, Entity, Kind, Vocabulary


@dataclass(frozen=True, slots=True)
class Mention:
    entity: Entity
    span: tuple[int, int]
    said: str  # as typed


@dataclass(frozen=True, slots=True)
class Links:
    text: str
    mentions: list[Mention] = field(default_factory=list)
    dates: dates.DateRange | None = None
    rest: str = ""  # the text without the mentions and the dates

    def _values(self, kind: Kind) -> list[frozenset[str]]:
        return [m.entity.values for m in self.mentions if m.entity.kind == kind]

    @property
    def regions(self) -> frozenset[str]:
        """Every region named: "Phoenix or Tucson" is either; "AZ" is both Arizona ones."""
        return frozenset().union(*self._values(Kind.region))

    @property
    def topics(self) -> list[str]:
        return list(dict.fromkeys(v for values in self._values(Kind.topic) for v in values))

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset().union(*self._values(Kind.kind))

    @property
    def zone(self) -> str | None:
        zones = self._values(Kind.zone)
        return min(zones[-1]) if zones else None

    @property
    def filters_anything(self) -> bool:
        return bool(self.regions or self.topics or self.kinds or self.dates)


def _short_alias_ok(matched: list[Word], entity: Entity, strict_case: bool) -> bool:
    """ "CO" is Colorado, "co-host" is not: two-letter region aliases in a sentence need
    capitals. Zone abbreviations ("PT", "ET") likewise."""
    if not strict_case or len(matched) != 1 or len(matched[0].text) > SHORT_ALIAS:
        return True
    if entity.kind not in (Kind.region, Kind.zone):
        return True
    return matched[0].typed.isupper()


FUZZY_SHORTEST = 6  # "tuscon", "pheonix", "chicgo": one slip in a longer place or topic word
FUZZY_KINDS = (Kind.region, Kind.topic)  # not kinds: "course"/"source", "classes"/"glasses"


def _near(word: Word, vocabulary: Vocabulary, kinds: frozenset[Kind]) -> list[Entity]:
    """The one-word names one typing slip away (a transposition counts as one)."""
    if len(word.text) < FUZZY_SHORTEST or not word.text.isalpha():
        return []
    allowed = 2 if len(word.text) >= 10 else 1
    near: set[Entity] = set()
    for name, entity in vocabulary.single_words.items():
        if (
            entity.kind in kinds
            and entity.kind in FUZZY_KINDS
            and name[0] == word.text[0]
            and abs(len(name) - len(word.text)) <= allowed
            and OSA.distance(name, word.text, score_cutoff=allowed) <= allowed
        ):
            near.add(entity)
    return list(near) if len(near) == 1 else []


def link(
    text: str,
    vocabulary: Vocabulary,
    *,
    now: datetime,
    timezone: str,
    strict_case: bool = True,
    kinds: frozenset[Kind] = frozenset(Kind),
) -> Links:
    """The entities of ``text``. ``strict_case`` is for sentences; a filter query
    ("cybersecurity az") is all names, so "az" counts there."""
    found_dates = dates.find_range(text, now=now, timezone=timezone)
    taken: list[tuple[int, int]] = [found_dates.span] if found_dates else []
    mentions: list[Mention] = []
    all_words = words(text)
    i = 0
    while i < len(all_words):
        matched = None
        for size in range(min(vocabulary.longest, len(all_words) - i), 0, -1):
            chunk = all_words[i : i + size]
            span = (chunk[0].start, chunk[-1].end)
            if any(start < span[1] and span[0] < end for start, end in taken):
                continue
            entities = vocabulary.phrases.get(tuple(w.text for w in chunk), [])
            entities = [
                e for e in entities if e.kind in kinds and _short_alias_ok(chunk, e, strict_case)
            ]
            if entities:
                matched = (chunk, span, entities)
                break
        if matched is None and (near := _near(all_words[i], vocabulary, kinds)):
            word = all_words[i]
            matched = ([word], (word.start, word.end), near)
        if matched is None:
            i += 1
            continue
        chunk, span, entities = matched
        mentions += [Mention(entity, span, text[span[0] : span[1]]) for entity in entities]
        taken.append(span)
        i += len(chunk)
    return Links(text, mentions, found_dates, without(text, taken))
