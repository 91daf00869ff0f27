"""Answering a member's question: the event's own data first, then the FAQ, else the
organizers (the caller escalates whatever comes back not confident)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from bot import faq
from bot.answers import answer_from_event
from bot.enums import FaqScope, QuestionStatus
from bot.intents import EventTopic, topics_of
from certs.issuing import verdict_for
from events import schemas
from events.db import fetch, fetch_one, write_transaction
from events.errors import Conflict, InvalidInput, NotFound
from events.services import catalog

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
    source: Literal["event", "faq", "none"]
    faq_entry_id: int | None = None
    topic: str | None = None  # an EventTopic for event facts, "faq" for FAQ answers


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
    text: str, row: dict, event: schemas.Event, member_id: int | None
) -> Reply | None:
    topics = topics_of(text)
    if not topics:
        return None
    registration = verdict = None
    if member_id is not None and PERSONAL_TOPICS & set(topics):
        registration = await _registration(row["id"], member_id)
        if registration is None and EventTopic.certificate in topics:
            return Reply(
                f"You're not registered for *{event.title}*, so there's no certificate to "
                f"earn yet. <{event.url}|Register here>.",
                confident=True,
                source="event",
                topic=EventTopic.certificate,
            )
        if registration is not None and {EventTopic.certificate, EventTopic.credits} & set(topics):
            verdict = await verdict_for(row, registration["id"])
    answer = answer_from_event(
        text,
        event,
        now=datetime.now(UTC),
        verdict=verdict,
        registration_status=registration["status"] if registration else None,
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


async def answer_question(
    text: str, *, event_slug: str | None, member_id: int | None, region_ids: list[int]
) -> Reply:
    text = plain_question(text)  # "<@BOT> when is it?": the mention is no word of theirs
    found = await _public_event(event_slug)
    row, event = found if found else (None, None)
    from_event = await _event_reply(text, row, event, member_id) if found else None
    if from_event is not None and from_event.confident:
        return from_event
    event_id = row["id"] if row else None
    hits = await faq.search(
        text, event_id=event_id, region_ids=await _region_ids(event_id, region_ids), limit=1
    )
    if hits and hits[0].confidence >= FAQ_THRESHOLD:
        hit = hits[0]
        return Reply(hit.answer, True, "faq", hit.entry_id, "faq")
    if from_event is not None:  # what the data says, and the organizers will complete it
        return Reply(f"{from_event.text}\n{NOT_SURE}", False, "event", None, from_event.topic)
    return Reply(NOT_SURE, False, "none")


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
