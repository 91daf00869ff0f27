"""Events named in a text by their slug, their title or part of it, with typing slips:
"heat resilience" is the Extreme Heat Resilience Workshop, "the cyber hygiene webinar" is
Cyber Hygiene for Small Towns. And sessions of an event: "class 3", "session 2", "module
4", or part of a session's title ("the tabletop exercise").

Pure: the caller passes the candidates. A run of the text's words that are words of one
title names it when it holds two of the title's significant words, or one that no other
title has next to a word of the title like "workshop" ("the ransomware tabletop"). Words
that name a kind of event ("workshop", "track") or glue ("for", "the") are not significant.
The span found is what the caller removes before reading what is asked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from events.services.understanding.text import Word, normalize, words
from events.services.understanding.vocabulary import KIND_WORDS

# Glue, and "it": the bot reads a named event as "it" before looking for a session.
GLUE = frozenset(
    ["the", "a", "an", "of", "for", "and", "in", "on", "at", "to", "with", "from", "by", "it"]
)
GENERIC = frozenset(w for phrase in KIND_WORDS for w in phrase.split()) | frozenset(
    [
        "session",
        "sessions",
        "day",
        "event",
        "events",
        "meeting",
        "part",
        "module",
        "webinar",
        "training",
        "trainings",
        "class",
        "classes",
        "course",
        "courses",
    ]
)
SLUG = re.compile(r"\b[a-z0-9]+(?:-[a-z0-9]+)+\b")
SIMILAR = 88  # rapidfuzz ratio from which two longer words are the same with a slip
SHARED_PREFIX = 4  # "cyber" names "cybersecurity", "tech" "technology"
ABBREVIATIONS = {
    "ops": "operations", "mgmt": "management", "govt": "government", "gov": "government",
    "info": "information", "intro": "introduction", "infra": "infrastructure",
    "muni": "municipal", "env": "environment", "av": "autonomous", "avs": "autonomous",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Named:
    key: str  # the event's slug, or a session's id as text
    span: tuple[int, int]
    significant: int  # how many of the title's significant words were matched
    coverage: float  # and what share of them


@lru_cache(maxsize=4096)
def same_word(said: str, title_word: str) -> bool:
    if said == title_word:
        return True
    if title_word in GENERIC or title_word in GLUE or said in GENERIC or said in GLUE:
        return False  # "workshops" is a list of workshops, not this workshop
    if ABBREVIATIONS.get(said) == title_word:
        return True
    shorter, longer = sorted((said, title_word), key=len)
    if len(shorter) >= SHARED_PREFIX and longer.startswith(shorter):
        return True  # "cyber" for "cybersecurity", and "cybersecurity" for "cyber"
    return min(len(said), len(title_word)) >= 5 and fuzz.ratio(said, title_word) >= SIMILAR


def _significant(word: str) -> bool:
    return word not in GLUE and word not in GENERIC


DETERMINERS = frozenset({"the", "this", "that", "your"})


def _best_run(
    text_words: list[Word], title_words: list[str]
) -> tuple[tuple[int, int], list[str], bool, bool] | None:
    """The longest run of text words that are words of the title: its span, the title's
    significant words it matched, whether it holds a generic word of the title, and
    whether "the" (or "this"...) comes before it: "the cyber track" is one event."""
    best = None
    for i in range(len(text_words)):
        unused, matched, generic, j = list(title_words), [], False, i
        while j < len(text_words):
            hit = next((w for w in unused if same_word(text_words[j].text, w)), None)
            if hit is None:
                break
            unused.remove(hit)
            if _significant(hit):
                matched.append(hit)
            elif hit in GENERIC:
                generic = True
            j += 1
        while j > i and text_words[j - 1].text in GLUE:  # "heat resilience for" ends before "for"
            j -= 1
        start = i
        while start < j and text_words[start].text in GLUE:
            start += 1
        if start < j and (matched or generic) and (best is None or len(matched) > len(best[1])):
            determined = start > 0 and text_words[start - 1].text in DETERMINERS
            span = (text_words[start].start, text_words[j - 1].end)
            best = (span, matched, generic, determined)
    return best


def _title_words(title: str) -> list[str]:
    joined = normalize(re.sub(r"(?<=\w)-(?=\w)", "", title)).split()
    plain = normalize(title).split()
    return plain + [w for w in joined if w not in plain]


def named_in(
    text: str,
    titles: dict[str, str],
    *,
    vocabulary_words: frozenset[str] = frozenset(),
    explicit: bool = False,
) -> list[Named]:
    """The titles ``text`` names, best first (several when it is not clear which).
    ``titles`` maps a key (slug) to a title. ``explicit``: the text is only a reference
    ("/events show heat resilience"), so one significant word is enough when no other
    title has it. ``vocabulary_words`` (region, topic and kind names) alone never name an
    event in a sentence: "any broadband events?" asks for a list."""
    slugs = [m.group() for m in SLUG.finditer(text.lower()) if m.group() in titles]
    if slugs:
        match = next(SLUG.finditer(text.lower()))
        for m in SLUG.finditer(text.lower()):
            if m.group() == slugs[0]:
                match = m
        return [Named(slugs[0], match.span(), 99, 1.0)]
    text_words = words(text)
    # "Wi-Fi" is "wi fi" and "wifi": members type either.
    title_words = {key: _title_words(title) for key, title in titles.items()}
    holders: dict[str, int] = {}  # significant word -> how many titles have it
    for tw in title_words.values():
        for word in set(tw):
            holders[word] = holders.get(word, 0) + 1
    found: list[Named] = []
    for key, tw in title_words.items():
        run = _best_run(text_words, tw)
        if run is None:
            continue
        span, matched, generic, determined = run
        wanted = [w for w in tw if _significant(w)]
        coverage = len(set(matched)) / max(len(set(wanted)), 1)
        if not matched:  # "the summit": a kind word only one title has
            said = normalize(text[span[0] : span[1]]).split()
            if not (determined and len(said) == 1 and holders.get(said[0], 0) == 1):
                continue
        elif len(matched) < 2 and coverage < 1:
            if holders.get(matched[0], 0) != 1:
                continue  # "smart": several titles have it
            # "the ransomware tabletop", "GIS track": one title's word beside a word such as
            # "workshop" (singular: "broadband workshops" asks for a list). A region or
            # topic word alone ("broadband?") names no event.
            if not explicit and not generic:
                before = [w.text for w in text_words if w.end <= span[0]][-1:]
                if matched[0] in vocabulary_words or set(before) & vocabulary_words:
                    continue  # "the phoenix cybersecurity roundtable" is another one
        found.append(Named(key, span, len(matched), coverage))
    found.sort(key=lambda n: (-n.significant, -n.coverage, n.key))
    if len(found) > 1 and (found[0].significant, found[0].coverage) == (
        found[1].significant,
        found[1].coverage,
    ):
        tied = [
            n
            for n in found
            if (n.significant, n.coverage) == (found[0].significant, found[0].coverage)
        ]
        return tied
    return found[:1]


ORDINALS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
            "eight": 8, "nine": 9, "ten": 10, "first": 1, "second": 2, "third": 3,
            "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "last": -1}  # fmt: skip
NUMBERED = re.compile(
    r"\b(class|session|module|part|week|lesson|unit|day)\s*#?\s*(\d{1,2}|"
    + "|".join(ORDINALS)
    + r")\b|\b("
    + "|".join(ORDINALS)
    + r")\s+(class|session|module|lesson|unit|day)\b",
    re.IGNORECASE,
)


def session_named_in(text: str, sessions: list[tuple[int, str]]) -> Named | None:
    """A session of one event: "class 3" (its title says "Class 3: ..."), "session 2" (the
    second), "the last session", or part of its title. ``sessions`` are (id, title) in
    order."""
    if not sessions:
        return None
    if match := NUMBERED.search(text):
        noun = (match.group(1) or match.group(4)).lower()
        said = (match.group(2) or match.group(3)).lower()
        number = int(said) if said.isdigit() else ORDINALS[said]
        for session_id, title in sessions:  # "Class 3: Incident response drills"
            if re.match(rf"{noun}\s*#?\s*{number}\b", title, re.IGNORECASE):
                return Named(str(session_id), match.span(), 1, 1.0)
        index = number - 1 if number > 0 else len(sessions) - 1
        if noun != "day" and 0 <= index < len(sessions):
            return Named(str(sessions[index][0]), match.span(), 1, 1.0)
    if len(sessions) < 2:
        return None
    titles = {str(session_id): title for session_id, title in sessions}
    found = named_in(text, titles, explicit=True)
    return found[0] if len(found) == 1 else None
