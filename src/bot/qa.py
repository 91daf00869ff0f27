"""Questions in channels, on Slack's side: answer in the asker's thread, escalate what the
bot is not sure of to the organizers' channel, post their answer back and keep it in the
FAQ with one click. What to answer is decided in bot.questions."""

from __future__ import annotations

from datetime import UTC, datetime

from slack_sdk.web.async_client import AsyncWebClient

from bot import channels, posts, qa_blocks
from bot.blocks import escape
from bot.enums import FaqScope, QuestionStatus
from bot.identity import SlackPerson
from bot.questions import answer_question, save_answer_to_faq
from events.auth import OrganizerPrincipal
from events.db import fetch, fetch_one, write_transaction
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
    one); escalate when unsure. Returns the question's id.

    The question and every post it calls for are written in one transaction, and posted
    by the outbox (bot.posts): Slack being down delays the answer, never loses it."""
    # The event the conversation is about: the channel's, else the thread's so far ("what
    # time is that in Pacific?"); a question naming another event is about that one.
    context_id = await channels.linked_event(person.team_id, channel_id)
    if context_id is None and thread_ts is not None:
        context_id = await _thread_event(person.team_id, channel_id, thread_ts)
    context = await _event(context_id)
    region_ids = sorted(await event_region_ids(context_id)) if context_id else []

    async def member_timezone() -> str | None:  # "my time": the zone of their Slack profile
        try:
            info = await client.users_info(user=person.user_id)
        except Exception:  # noqa: BLE001 - Slack down: answer in the event's zone instead
            return None
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
    # An FAQ answer is an organizer's text as typed: no mentions or links of its own.
    reply_text = escape(reply.text) if reply.source == "faq" else reply.text
    target = None if reply.confident else await channels.organizer_channel_for_event(event_id)
    now = datetime.now(UTC)
    async with write_transaction():
        question = await fetch_one(
            "INSERT INTO question (team_id, channel_id, thread_ts, user_id, member, event, "
            "text, status, answer, faq_entry, created_at, answered_at) "
            "VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}) RETURNING id",
            person.team_id,
            channel_id,
            thread_ts or "",  # a slash command's: once the "asked" message is posted
            person.user_id,
            person.member.id,
            event_id,
            text[:4000],
            status.value,
            reply.text if reply.confident else None,
            reply.faq_entry_id,
            now,
            now if reply.confident else None,
        )
        assert question is not None
        question_id = question["id"]
        asked = None
        if thread_ts is None:
            asked = await posts.record(
                person.team_id,
                channel_id,
                qa_blocks.asked(person.user_id, text),
                posts.Purpose.asked,
                question=question_id,
                once=True,
            )
        recorded = [
            asked,
            await posts.record(
                person.team_id,
                channel_id,
                reply_text,
                posts.Purpose.reply,
                thread_ts=thread_ts,
                follows=asked,
                question=question_id,
                once=True,
            ),
        ]
        if target is not None:  # else the question waits in the database (console, API)
            team_id, organizers = target
            title = event["title"] if event else None
            recorded.append(
                await posts.record(
                    team_id,  # the organizers may be in another workspace
                    organizers,
                    f"A member asked something I couldn't answer: {escape(text[:200])}",
                    posts.Purpose.escalation,
                    blocks=qa_blocks.escalation(question_id, person.user_id, text, title),
                    question=question_id,
                    once=True,
                )
            )
    await posts.enqueue(recorded)
    return question_id


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
    """An organizer's answer goes to the asker's thread; the escalation offers the FAQ.
    Both posts go through the outbox (bot.posts)."""
    question = await question_for_organizer(organizer_user.organizer, question_id)
    async with write_transaction():
        await fetch(
            "UPDATE question SET status = {}, answer = {}, answered_by = {}, answered_at = {} "
            "WHERE id = {}",
            QuestionStatus.resolved.value,
            text[:4000],
            organizer_user.user_id,
            datetime.now(UTC),
            question_id,
        )
        recorded = [
            await posts.record(
                question["team_id"],
                question["channel_id"],
                qa_blocks.organizer_answer(question["user_id"], organizer_user.user_id, text),
                posts.Purpose.answer,
                **await _in_thread(question),
                question=question_id,
            ),
            await _update_escalation(
                question,
                organizer_user,
                "Answered",
                qa_blocks.answered(question_id, question["text"], text, organizer_user.user_id),
            ),
        ]
    await posts.enqueue(recorded)


async def _in_thread(question: dict) -> dict:
    """Where to post in the asker's thread: its ts, or after the message that starts it."""
    if question["thread_ts"]:
        return {"thread_ts": question["thread_ts"]}
    return {"follows": await posts.post_of(question["id"], posts.Purpose.asked)}


async def _update_escalation(
    question: dict, organizer: SlackPerson, text: str, blocks: list
) -> int | None:
    """Edit the escalation message, once it is (or when it gets) posted; None without one."""
    escalation = await fetch_one(
        "SELECT id, team_id, channel_id FROM slack_post WHERE question = {} AND purpose = {} "
        "ORDER BY id LIMIT 1",
        question["id"],
        posts.Purpose.escalation.value,
    )
    if escalation is not None:
        team_id, channel = escalation["team_id"], escalation["channel_id"]
        where: dict = {"follows": escalation["id"]}
    elif question["escalation_channel"] and question["escalation_ts"]:  # posted directly
        team_id, channel = organizer.team_id, question["escalation_channel"]
        where = {"update_ts": question["escalation_ts"]}
    else:
        return None
    return await posts.record(
        team_id,
        channel,
        text,
        posts.Purpose.update,
        blocks=blocks,
        question=question["id"],
        **where,
    )


async def save_to_faq(client: AsyncWebClient, organizer_user: SlackPerson, question_id: int):
    question = await question_for_organizer(organizer_user.organizer, question_id)
    if question["status"] != QuestionStatus.resolved or not question["answer"]:
        raise Conflict("Answer the question before saving it to the FAQ.", reason="unanswered")
    scope = FaqScope.event if question["event"] else FaqScope.coalition
    if question["faq_entry"] is None:
        await save_answer_to_faq(question_id, scope=scope, created_by=organizer_user.user_id)
    update = await _update_escalation(
        question,
        organizer_user,
        "Saved to the FAQ",
        qa_blocks.saved(question["text"], question["answer"], organizer_user.user_id),
    )
    await posts.enqueue([update])
