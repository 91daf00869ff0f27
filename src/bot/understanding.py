"""Reading a member's question: which event it names (found first, and cut out, so that a
title such as "Public Wi-Fi Playbook" is never read as a question about Wi-Fi), which
session, then regions, topics, kinds, dates and a time zone in what is left, and last what
is asked of them (the ``Ask``). Explainable: each step is a lookup or a pattern."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.intents import NOT_OURS, EventTopic, topics_of
from events.services.understanding import titles, vocabulary
from events.services.understanding.linker import Links, link
from events.services.understanding.query import DEFAULT_TIMEZONE
from events.services.understanding.text import normalize, without


class Ask(StrEnum):
    privacy = "privacy"  # about other people: declined
    not_ours = "not_ours"  # money, food, access...: the FAQ or the organizers
    cancel = "cancel"  # how to cancel
    my_status = "my_status"  # the asker's registration for the event
    my_registrations = "my_registrations"  # the asker's registrations
    time_zone = "time_zone"  # the event's times in another zone
    facts = "facts"  # the event's facts (EventTopic)
    list = "list"  # events by region, topic, kind, dates
    unclear = "unclear"


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


PEOPLE = r"(anyone|anybody|someone|somebody|people|everyone|everybody|others)"
REGISTERED = r"(registered|signed|sign(ed)? up|going|attending|coming|confirmed|enrolled)"
PRIVACY = _any(
    r"attendee (list|names|emails|roster)|attendance list|registrants?\b(?! (get|receive))",
    r"(list|names|emails) of (the )?(attendees|participants|registrants)",
    r"(send|share|post|see|show|give)( me| us)? (the |all )?(attendees|participants)",
    r"guest ?list|roster|sign-?up sheet|who signed up|list (of )?(the )?people",
    rf"\bwho('?s| is| are| else| all)?\b.*\b({REGISTERED}|on the (wait ?list|list)|there)\b",
    rf"\b(is|has|did|does)\b (?!(it|this|that|the|there|registration|i|my|she|he)\b)"
    rf"([a-z]+ ){{1,3}}{REGISTERED}",
    rf"\b{PEOPLE} (else )?(from|at|in) ",
    r"\bemails? (of|for|addresses)|contact (info|details)|phone numbers?",
    r"how many (people )?(from|at) (my|our|the) (org|city|team)",
)
CANCEL = _any(
    r"\bcancel\b|unregister|un-register|de-?register|withdraw|drop out|back out",
    r"can'?t make it|cannot make it|can'?t attend|cannot attend|remove me",
    r"(get|come|step) off the wait ?list|leave the wait ?list",
)
MINE = _any(
    r"\bmy (upcoming |current )?(registrations|events|sign ?-?ups|bookings|schedule)\b",
    r"(what|which)( events?)? (am|have|did) i\b.*\b(registered|signed|sign|register|wait ?list"
    r"|booked|enrolled|attending|going)",
    r"what (have|did) i (sign|register)",
)
MY_STATUS = _any(
    r"\bam i\b.*\b(registered|signed|on|in|confirmed|enrolled|booked|wait ?listed|accepted"
    r"|approved|still)\b",
    r"\bdo i have (a|my) (seat|spot|place|ticket)|\bmy (status|registration|spot|seat|place"
    r"|position)\b|did (my registration|i get in)|what number am i|where am i on",
    r"\bis my\b",
)
TIME = r"what time|when|\btime\b|start|begin|convert|kick off"
FOR_ME = re.compile(rf"({TIME}).*\bfor me\b|\bfor me\b.*({TIME})")
ABOUT = _any(
    r"tell me (more )?about|\binfo\b|information|details|more about|describe|overview",
    r"what('?s| is) .*about|^show\b|what is (it|this|that)\b",
)
LIST_CUE = _any(
    r"\b(events|workshops|webinars|conferences|trainings|tracks|classes|courses|sessions"
    r"|programs|summits|anything|something|stuff)\b",
    r"what'?s (on|happening|going on|coming up|planned|scheduled)|going on|happening",
    r"coming up|upcoming|\blist\b|\bschedule of\b|calendar",
)


@dataclass(frozen=True, slots=True)
class Question:
    text: str
    event: str | None  # slug: named in the text, or the context's
    named: bool  # the text names it (else it came from the channel or thread)
    session: int | None  # a session's id
    rest: str  # the text without the event's title and the session
    links: Links  # regions, topics, kinds, dates, zone in the rest
    ask: Ask
    topics: list[EventTopic]
    zone: str | None  # "member" for the asker's own
    candidates: list[str]  # several events the text might name


def _titles_rows(rows: list[dict]) -> dict[str, str]:
    return {row["slug"]: row["title"] for row in rows}


def vocabulary_words(known: vocabulary.Vocabulary) -> frozenset[str]:
    return frozenset(word for key in known.phrases for word in key)


async def read(
    text: str,
    *,
    events: list[dict],
    sessions_of: Callable[[str], Awaitable[list[tuple[int, str]]]],
    context_event: str | None,
    known: vocabulary.Vocabulary,
    now: datetime,
    timezone: Callable[[], Awaitable[str]],
) -> Question:
    """``events``: open events (slug, title) to look titles up in; ``sessions_of`` an
    event's sessions (id, title); ``timezone`` the asker's, asked for only when the text
    holds a date ("tomorrow" starts at their midnight)."""
    named = titles.named_in(text, _titles_rows(events), vocabulary_words=vocabulary_words(known))
    event, rest, candidates = context_event, text, []
    if len(named) == 1:  # "where is the Public Wi-Fi Playbook?" is read "where is it?"
        event, rest = named[0].key, _as_it(text, named[0].span)
    elif len(named) > 1:
        candidates = [n.key for n in named]
    session = None
    if event and (found := titles.session_named_in(rest, await sessions_of(event))):
        session, rest = int(found.key), without(rest, [found.span])
    links = link(rest, known, now=now, timezone=DEFAULT_TIMEZONE)
    if links.dates is not None:
        links = link(rest, known, now=now, timezone=await timezone())
    folded = re.sub(r"\s+", " ", rest.casefold().replace("’", "'"))
    zone = links.zone
    if zone is None and FOR_ME.search(folded):
        zone = vocabulary.MEMBER_ZONE
    ask, topics = _classify(folded, links, event, named=bool(named), zone=zone)
    return Question(
        text, event, len(named) == 1, session, rest, links, ask, topics, zone, candidates
    )


DETERMINER = re.compile(r"\b(the|this|that)\s+$", re.IGNORECASE)


def _as_it(text: str, span: tuple[int, int]) -> str:
    """The text with the event's title (and the "the" before it) said as "it"."""
    start = span[0]
    if found := DETERMINER.search(text[:start]):
        start = found.start()
    return re.sub(r"\s+", " ", f"{text[:start]} it {text[span[1] :]}").strip()


def _not_ours(folded: str, links: Links) -> bool:
    """Organizers' business; a list's topic ("mobility", "wi-fi") is no such cue."""
    if not NOT_OURS.search(folded):
        return False
    topic_spans = [m.span for m in links.mentions if m.entity.kind == vocabulary.Kind.topic]
    return bool(NOT_OURS.search(without(links.text, topic_spans).casefold()))


def _classify(
    folded: str, links: Links, event: str | None, *, named: bool, zone: str | None
) -> tuple[Ask, list[EventTopic]]:
    if PRIVACY.search(folded):
        return Ask.privacy, []
    listing = not named and bool(LIST_CUE.search(folded)) and links.filters_anything
    if MINE.search(folded) and not named:
        return Ask.my_registrations, []
    if NOT_OURS.search(folded) and not (listing and not _not_ours(folded, links)):
        return Ask.not_ours, []
    if CANCEL.search(folded):
        return Ask.cancel, []
    if MY_STATUS.search(folded):
        return (Ask.my_status if event else Ask.my_registrations), []
    if zone is not None and event and re.search(TIME + r"|\bthat\b|\bin\b", folded):
        return Ask.time_zone, []
    if listing or (not event and LIST_CUE.search(folded) and re.search(r"what'?s|any", folded)):
        return Ask.list, []
    if event:
        topics = topics_of(folded)
        if topics:
            return Ask.facts, topics
        if ABOUT.search(folded) or len(normalize(folded).split()) <= 2:
            return Ask.facts, [EventTopic.about]
    return Ask.unclear, []
