"""Questions in channels, on Slack's side: answer in the asker's thread, escalate what the
bot is not sure of to the organizers' channel, post their answer back and keep it in the
FAQ with one click. What to answer is decided in bot.questions."""

from __future__ import annotations

from datetime import UTC, datetime

from slack_sdk.web.async_client import AsyncWebClient

from bot import channels, qa_blocks
from bot.enums import FaqScope, QuestionStatus
from bot.identity import SlackPerson
from bot.installations import client_for
from bot.questions import answer_question, save_answer_to_faq
from events.auth import OrganizerPrincipal
from events.db import fetch, fetch_one
from events.errors import Conflict, Forbidden, NotFound
from events.services.permissions import event_region_ids, require_event_access


async def ask_in_channel(
    client: AsyncWebClient,
    person: SlackPerson,
    channel_id: str,
    text: str,
    *,
    thread_ts: str | None = None,
) -> int:
    """Answer in the thread (a slash command has none: the question is posted to start
    one); escalate when unsure. Returns the question's id."""
    # The event the conversation is about: the channel's, else the thread's so far ("what
    # time is that in Pacific?"); a question naming another event is about that one.
    context_id = await channels.linked_event(person.team_id, channel_id)
    if context_id is None and thread_ts is not None:
        context_id = await _thread_event(person.team_id, channel_id, thread_ts)
    context = await _event(context_id)
    if thread_ts is None:
        posted = await client.chat_postMessage(
            channel=channel_id, text=qa_blocks.asked(person.user_id, text)
        )
        thread_ts = posted["ts"]
    region_ids = sorted(await event_region_ids(context_id)) if context_id else []

    async def member_timezone() -> str | None:  # "my time": the zone of their Slack profile
        info = await client.users_info(user=person.user_id)
        return (info.get("user") or {}).get("tz")

    reply = await answer_question(
        text,
        event_slug=context["slug"] if context else None,
        member_id=person.member.id,
        region_ids=region_ids,
        member_timezone=member_timezone,
    )
    event_id = await _event_id(reply.event_slug) if reply.event_slug else context_id
    event = await _event(event_id)
    status = QuestionStatus.answered if reply.confident else QuestionStatus.escalated
    question = await fetch_one(
        "INSERT INTO question (team_id, channel_id, thread_ts, user_id, member, event, text, "
        "status, answer, faq_entry, created_at, answered_at) "
        "VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}) RETURNING id",
        person.team_id,
        channel_id,
        thread_ts,
        person.user_id,
        person.member.id,
        event_id,
        text[:4000],
        status.value,
        reply.text if reply.confident else None,
        reply.faq_entry_id,
        datetime.now(UTC),
        datetime.now(UTC) if reply.confident else None,
    )
    assert question is not None
    await client.chat_postMessage(channel=channel_id, thread_ts=thread_ts, text=reply.text)
    if not reply.confident:
        await _escalate(client, question["id"], person, text, event, event_id)
    return question["id"]


async def _thread_event(team_id: str, channel_id: str, thread_ts: str) -> int | None:
    row = await fetch_one(
        "SELECT event FROM question WHERE team_id = {} AND channel_id = {} AND thread_ts = {} "
        "AND event IS NOT NULL ORDER BY id DESC LIMIT 1",
        team_id,
        channel_id,
        thread_ts,
    )
    return row["event"] if row else None


async def _event_id(slug: str | None) -> int | None:
    row = await fetch_one("SELECT id FROM event WHERE slug = {}", slug) if slug else None
    return row["id"] if row else None


async def _event(event_id: int | None) -> dict | None:
    if event_id is None:
        return None
    return await fetch_one("SELECT id, slug, title FROM event WHERE id = {}", event_id)


async def _escalate(
    client: AsyncWebClient,
    question_id: int,
    person: SlackPerson,
    text: str,
    event: dict | None,
    event_id: int | None,
) -> None:
    target = await channels.organizer_channel_for_event(event_id)
    if target is None:  # no organizers' channel yet: the question waits in the database
        return
    team_id, channel_id = target
    title = event["title"] if event else None
    client = await client_for(team_id, client)  # the organizers may be in another workspace
    posted = await client.chat_postMessage(
        channel=channel_id,
        text=f"A member asked something I couldn't answer: {text[:200]}",
        blocks=qa_blocks.escalation(question_id, person.user_id, text, title),
    )
    await fetch(
        "UPDATE question SET escalation_channel = {}, escalation_ts = {} WHERE id = {}",
        channel_id,
        posted["ts"],
        question_id,
    )


async def question_for_organizer(organizer: OrganizerPrincipal | None, question_id: int) -> dict:
    if organizer is None:
        raise Forbidden("Only organizers can answer escalated questions.")
    question = await fetch_one("SELECT * FROM question WHERE id = {}", question_id)
    if question is None:
        raise NotFound("No such question.")
    if question["event"] is not None:
        await require_event_access(organizer, question["event"], manage=True)
    elif not organizer.is_admin and not organizer.region_ids:
        raise Forbidden("Only organizers can answer escalated questions.")
    return question


async def answer(client: AsyncWebClient, organizer_user: SlackPerson, question_id: int, text: str):
    """An organizer's answer goes to the asker's thread; the escalation offers the FAQ."""
    question = await question_for_organizer(organizer_user.organizer, question_id)
    answered = await fetch_one(
        "UPDATE question SET status = {}, answer = {}, answered_by = {}, answered_at = {} "
        "WHERE id = {} RETURNING *",
        QuestionStatus.resolved.value,
        text[:4000],
        organizer_user.user_id,
        datetime.now(UTC),
        question_id,
    )
    assert answered is not None
    asker_client = await client_for(question["team_id"], client)
    await asker_client.chat_postMessage(
        channel=question["channel_id"],
        thread_ts=question["thread_ts"],
        text=qa_blocks.organizer_answer(question["user_id"], organizer_user.user_id, text),
    )
    if question["escalation_channel"] and question["escalation_ts"]:
        await client.chat_update(
            channel=question["escalation_channel"],
            ts=question["escalation_ts"],
            text="Answered",
            blocks=qa_blocks.answered(question_id, question["text"], text, organizer_user.user_id),
        )


async def save_to_faq(client: AsyncWebClient, organizer_user: SlackPerson, question_id: int):
    question = await question_for_organizer(organizer_user.organizer, question_id)
    if question["status"] != QuestionStatus.resolved or not question["answer"]:
        raise Conflict("Answer the question before saving it to the FAQ.", reason="unanswered")
    scope = FaqScope.event if question["event"] else FaqScope.coalition
    if question["faq_entry"] is None:
        await save_answer_to_faq(question_id, scope=scope, created_by=organizer_user.user_id)
    if question["escalation_channel"] and question["escalation_ts"]:
        await client.chat_update(
            channel=question["escalation_channel"],
            ts=question["escalation_ts"],
            text="Saved to the FAQ",
            blocks=qa_blocks.saved(question["text"], question["answer"], organizer_user.user_id),
        )
