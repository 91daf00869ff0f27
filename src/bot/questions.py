"""Answering a member's question: the event's own data first, then the FAQ, else the
organizers (the caller escalates whatever comes back not confident)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Literal

from bot import faq, lookup, replies
from bot.answers import answer_from_event
from bot.enums import FaqScope, QuestionStatus
from bot.intents import EventTopic
from bot.understanding import Ask, Question, read
from certs.issuing import verdict_for
from events import schemas
from events.auth import MemberPrincipal, member_by_id
from events.config import get_settings
from events.db import fetch, fetch_one, write_transaction
from events.errors import Conflict, InvalidInput, NotFound
from events.services import catalog, members, registrations
from events.services.understanding import vocabulary
from events.services.understanding.query import DEFAULT_TIMEZONE
from events.services.understanding.vocabulary import MEMBER_ZONE

# The FAQ's confidence (bot.faq.confidence) from which the bot answers on its own.
# 0.6 is where rephrasings of an entry land (about 0.65-1.0: most of the entry's question
# words asked, most of the asked words covered by the entry) while questions that only
# share a topic word with it stay below (0.3-0.55: "is there a workshop on drones?" against
# "will the workshop slides be shared?", "how do I cancel?" against a refund entry). A
# wrong answer costs more than an escalation, which an organizer answers once and saves to
# the FAQ. tests/bot/test_questions.py holds both sides of the line.
FAQ_THRESHOLD = 0.6

NOT_SURE = (
    "I'm not sure about that one, so I've asked the organizers. They'll reply in this thread."
)
# Facts that depend on who asks: the join link policy, certificates, earned credit.
PERSONAL_TOPICS = {EventTopic.online, EventTopic.certificate, EventTopic.credits}


@dataclass(frozen=True, slots=True)
class Reply:
    text: str  # Slack mrkdwn
    confident: bool  # False: the caller asks the organizers
    source: Literal["event", "faq", "none", "member", "list"]
    faq_entry_id: int | None = None
    topic: str | None = None  # an EventTopic for event facts, "faq", or an Ask
    event_slug: str | None = None  # the event the question was about, if one


async def _public_event(slug: str | None) -> tuple[dict, schemas.Event] | None:
    row = await catalog.event_row(slug) if slug else None
    if row is None or row["status"] not in catalog.PUBLIC_STATUSES or not row["published_at"]:
        return None
    return row, await catalog.event_detail(row)


async def _registration(event_id: int, member_id: int) -> dict | None:
    return await fetch_one(
        "SELECT id, status FROM registration WHERE event = {} AND member = {}",
        event_id,
        member_id,
    )


async def _event_reply(
    question: Question, row: dict, event: schemas.Event, member_id: int | None, now: datetime
) -> Reply | None:
    topics = question.topics
    if not topics:
        return None
    registration = verdict = None
    if member_id is not None and PERSONAL_TOPICS & set(topics):
        registration = await _registration(row["id"], member_id)
        if registration is None and EventTopic.certificate in topics:
            return Reply(
                f"You're not registered for *{replies.esc(event.title)}*, so there's no "
                f"certificate to earn yet. <{event.url}|Register here>.",
                confident=True,
                source="event",
                topic=EventTopic.certificate,
            )
        if registration is not None and {EventTopic.certificate, EventTopic.credits} & set(topics):
            verdict = await verdict_for(row, registration["id"])
    answer = answer_from_event(
        question.rest,
        event,
        now=now,
        verdict=verdict,
        registration_status=registration["status"] if registration else None,
        topics=topics,
        session_id=question.session,
    )
    if answer is None:
        return None
    return Reply(answer.text, answer.confident, "event", None, answer.topic)


async def _region_ids(event_id: int | None, region_ids: list[int]) -> list[int]:
    """The caller's regions and the event's own: a region's FAQ covers its events."""
    ids = set(region_ids)
    if event_id is not None:
        rows = await fetch("SELECT region FROM event_region WHERE event = {}", event_id)
        ids.update(row["region"] for row in rows)
    return sorted(ids)


async def _sessions_of(slug: str) -> list[tuple[int, str]]:
    rows = await fetch(
        "SELECT s.id, s.title FROM event_session s JOIN event e ON e.id = s.event "
        "WHERE e.slug = {} AND s.status = 'scheduled' ORDER BY s.starts_at, s.id",
        slug,
    )
    return [(row["id"], row["title"]) for row in rows]


async def _nowhere() -> str | None:
    return None


async def answer_question(
    text: str,
    *,
    event_slug: str | None,
    member_id: int | None,
    region_ids: list[int],
    now: datetime | None = None,
    member_timezone: Callable[[], Awaitable[str | None]] = _nowhere,
) -> Reply:
    """``event_slug``: the event of the channel or thread, used when the text names none.
    ``member_timezone``: the asker's zone (Slack's users.info), asked only when needed."""
    text = plain_question(text)  # "<@BOT> when is it?": the mention is no word of theirs
    now = now or datetime.now(UTC)
    known = await vocabulary.load()
    asked_zone: list[str | None] = []

    async def timezone() -> str:
        if not asked_zone:
            asked_zone.append(await member_timezone())
        return asked_zone[0] or DEFAULT_TIMEZONE

    question = await read(
        text,
        events=await lookup.open_event_titles(now),
        sessions_of=_sessions_of,
        context_event=event_slug,
        known=known,
        now=now,
        timezone=timezone,
    )
    reply = await _reply(question, member_id, region_ids, now, known, timezone)
    return replace(reply, event_slug=reply.event_slug or question.event)


async def _reply(
    question: Question,
    member_id: int | None,
    region_ids: list[int],
    now: datetime,
    known: vocabulary.Vocabulary,
    timezone: Callable[[], Awaitable[str]],
) -> Reply:
    found = await _public_event(question.event)
    row, event = found if found else (None, None)
    ask = question.ask
    if ask == Ask.privacy:
        return Reply(await _privacy(row), True, "none", topic=ask)
    if question.candidates and ask not in (Ask.list, Ask.my_registrations):
        return await _which_one(question.candidates)
    member = await member_by_id(member_id) if member_id is not None else None
    if ask == Ask.cancel:
        status = await _status_of(member, event)
        return Reply(replies.cancel_howto(event, status), True, "member", topic=ask)
    if ask == Ask.my_status and event is not None and member is not None:
        mine = await registrations.registration_of(member, event.slug)
        status = mine.row["status"] if mine else None
        position = mine.waitlist_position if mine else None
        return Reply(replies.my_status(event, status, position), True, "member", topic=ask)
    if ask in (Ask.my_registrations, Ask.my_status) and member is not None:
        page = await members.my_registrations(member, include_inactive=False, page=1, per_page=20)
        status = "waitlisted" if "wait" in question.rest.lower() else None
        text = replies.my_registrations(page.items, now=now, status=status)
        return Reply(text, True, "member", topic=Ask.my_registrations)
    if ask == Ask.time_zone and event is not None and question.zone:
        mine = question.zone == MEMBER_ZONE
        zone = await timezone() if mine else question.zone
        text = replies.in_zone(event, zone, now=now, session_id=question.session, mine=mine)
        return Reply(text, True, "event", topic=ask)
    if ask == Ask.list:
        return await _list(question, known, now)
    from_event = None
    if ask == Ask.facts and row is not None and event is not None:
        from_event = await _event_reply(question, row, event, member_id, now)
        if from_event is not None and from_event.confident:
            return from_event
    event_id = row["id"] if row else None
    hits = await faq.search(
        question.text,
        event_id=event_id,
        region_ids=await _region_ids(event_id, region_ids),
        limit=1,
    )
    if hits and hits[0].confidence >= FAQ_THRESHOLD:
        hit = hits[0]
        return Reply(hit.answer, True, "faq", hit.entry_id, "faq")
    if from_event is not None:  # what the data says, and the organizers will complete it
        return Reply(f"{from_event.text}\n{NOT_SURE}", False, "event", None, from_event.topic)
    return Reply(NOT_SURE, False, "none")


async def _status_of(member: MemberPrincipal | None, event: schemas.Event | None) -> str | None:
    if member is None or event is None:
        return None
    mine = await registrations.registration_of(member, event.slug)
    return mine.row["status"] if mine else None


async def _privacy(row: dict | None) -> str:
    if row is None:
        return replies.PRIVACY
    hosts = await fetch(
        "SELECT r.name FROM event_region er JOIN region r ON r.id = er.region "
        "WHERE er.event = {} ORDER BY er.id",
        row["id"],
    )
    names = " and ".join(replies.esc(h["name"]) for h in hosts) or "its region"
    return (
        "I can't share who has registered or anything about other members. The organizers "
        f"of {names} can see the attendees of *{replies.esc(row['title'])}* in the Convene "
        "console; ask them if you need to coordinate with colleagues."
    )


async def _which_one(slugs: list[str]) -> Reply:
    rows = await fetch(
        "SELECT slug, title FROM event WHERE slug IN ("
        + ", ".join("{}" for _ in slugs)
        + ") ORDER BY starts_at",
        *slugs,
    )
    names = " or ".join(f"*{replies.esc(r['title'])}*" for r in rows[:5])
    return Reply(f"Which event do you mean: {names}?", True, "none", topic="clarify")


async def _list(question: Question, known: vocabulary.Vocabulary, now: datetime) -> Reply:
    links = question.links
    dates = links.dates
    page = await catalog.list_events(
        regions=links.regions,
        topics=tuple(links.topics),
        kinds=links.kinds,
        starts_after=max(dates.start, now) if dates else now,
        starts_before=dates.end if dates else None,
        per_page=replies.MAX_LISTED,
    )
    region_names = {slug: known.region_name(slug) for slug in known.regions}
    text = replies.event_list(
        page.items,
        total=page.total,
        topics=[known.topic_name(t).lower() for t in links.topics],
        kinds=links.kinds,
        regions=sorted(known.region_name(r) for r in links.regions),
        dates=dates,
        region_names=region_names,
        now=now,
        list_url=f"{get_settings().base_url}/events",
    )
    return Reply(text, True, "list", topic=Ask.list)


SLACK_MARKUP = [
    (re.compile(r"<@[A-Z0-9]+>"), ""),  # mentions, usually of the bot
    (re.compile(r"<#[A-Z0-9]+\|([^>]*)>"), r"#\1"),  # channels
    (re.compile(r"<[^|>]+\|([^>]*)>"), r"\1"),  # labelled links
    (re.compile(r"<([^>]+)>"), r"\1"),  # bare links
]


def plain_question(text: str) -> str:
    """A Slack message as a FAQ question: markup and the bot's mention removed."""
    for pattern, replacement in SLACK_MARKUP:
        text = pattern.sub(replacement, text)
    return re.sub(r"\s+", " ", text).strip()


async def save_answer_to_faq(
    question_id: int, *, scope: FaqScope | str = FaqScope.event, created_by: str | None = None
) -> int:
    """Keep an organizer's answer as a FAQ entry: the event's (default), its host region's,
    or the coalition's. Returns the entry's id; saving the same question again returns
    the entry it already made."""
    scope = FaqScope(scope)
    async with write_transaction():
        question = await fetch_one(
            "SELECT id, event, text, status, answer, answered_by, faq_entry FROM question "
            "WHERE id = {}",
            question_id,
        )
        if question is None:
            raise NotFound("No such question.")
        if question["faq_entry"] is not None:
            return question["faq_entry"]
        if question["status"] != QuestionStatus.resolved or not (question["answer"] or "").strip():
            raise Conflict("Only a question an organizer answered can go to the FAQ.")
        event_id = region_id = None
        if scope != FaqScope.coalition:
            if question["event"] is None:
                raise InvalidInput("This question is about no event; save it coalition-wide.")
            if scope == FaqScope.event:
                event_id = question["event"]
            else:
                host = await fetch_one(  # the first region listed hosts the event
                    "SELECT region FROM event_region WHERE event = {} ORDER BY id LIMIT 1",
                    question["event"],
                )
                region_id = host["region"] if host else None
        entry_id = await faq.add_entry(
            scope=scope,
            question=plain_question(question["text"]) or question["text"],
            answer=question["answer"],
            event_id=event_id,
            region_id=region_id,
            created_by=created_by if created_by is not None else question["answered_by"] or "",
        )
        await fetch("UPDATE question SET faq_entry = {} WHERE id = {}", entry_id, question_id)
    return entry_id
