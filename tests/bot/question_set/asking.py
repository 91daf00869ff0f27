"""Asks the questions the way Slack would deliver them (signed app_mention events and
slash commands, to the real app) and collects what the app sent back to the fake Slack:
thread replies, ephemeral replies, escalations in the organizers' channel."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import time
from dataclasses import dataclass

import httpx

from tests.bot.question_set import facts as facts_module
from tests.bot.question_set.grader import Grade, Reply, grade
from tests.bot.question_set.model import Question, Via
from tests.bot.question_set.reading import block_texts
from tests.bot.question_set.world import QsWorld
from tests.bot.question_set.world_data import ADMIN_EMAIL, ADMIN_SLACK_USER
from tests.support.slack import TEAM_ID, Call, FakeSlack, SlackDriver

GENERAL, ORGANIZERS = "C0GENERAL", "C0ORGS"
REPLY_TIMEOUT = 20.0
ZONE_OFFSETS = {  # users.info carries tz_offset (seconds) beside tz; winter values suffice
    "America/Los_Angeles": -28800,
    "America/Denver": -25200,
    "America/Phoenix": -25200,
    "America/Chicago": -21600,
    "America/New_York": -18000,
}
_ts = itertools.count(1)


@dataclass
class Asked:
    question: Question
    facts: facts_module.Facts
    reply: Reply
    grade: Grade
    seconds: float  # from sending to the first reply


def linked_channel(slug: str) -> str:
    return "C0" + re.sub(r"[^A-Z0-9]", "", slug.upper())[:14]


def _alnum(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.casefold())


async def command(
    fake: FakeSlack,
    driver: SlackDriver,
    text: str,
    user: str,
    channel: str = GENERAL,
    tag: str | None = None,
) -> list[Call]:
    """``/events <text>``; returns the response_url posts once the first has come."""
    tag = tag or f"qs-{next(_ts)}"
    response = await driver.command(
        text, user_id=user, channel_id=channel, response_url=fake.response_url(tag)
    )
    assert response.status_code == 200, response.text
    await fake.wait_for("response_url", lambda c: c.path.endswith(f"/{tag}"), REPLY_TIMEOUT)
    return [c for c in fake.calls("response_url") if c.path.endswith(f"/{tag}")]


async def prepare(fake: FakeSlack, driver: SlackDriver, world: QsWorld, questions) -> None:
    """Slack users for the askers (their profile time zones) and the admin; the organizers'
    channel; a channel linked to each event asked about "in its channel"; and a first
    command from each asker, so that the questions find them known."""
    for asker in world.askers.values():
        fake.add_user(
            asker.slack_user,
            email=asker.email,
            real_name=asker.name,
            tz=asker.zone,
            tz_offset=ZONE_OFFSETS[asker.zone],
        )
    fake.add_user(ADMIN_SLACK_USER, email=ADMIN_EMAIL, real_name="NSCP Admin")
    await command(fake, driver, "organizers-here", ADMIN_SLACK_USER, ORGANIZERS)
    for slug in sorted({q.event for q in questions if q.via == Via.linked}):
        await command(fake, driver, f"link {slug}", ADMIN_SLACK_USER, linked_channel(slug))
    for asker in world.askers.values():
        await command(fake, driver, "help", asker.slack_user)


@dataclass
class _Pending:
    question: Question
    facts: facts_module.Facts
    channel: str
    thread: str | None = None  # the thread the answer is in (mentions, /events ask)
    tag: str | None = None  # the response_url of a command
    seconds: float = 0.0


async def _send(
    fake: FakeSlack,
    driver: SlackDriver,
    world: QsWorld,
    question: Question,
    facts: facts_module.Facts,
) -> _Pending:
    user = world.askers[question.asker].slack_user
    channel = linked_channel(question.event) if question.via == Via.linked else GENERAL
    pending = _Pending(question, facts, channel)
    started = time.monotonic()
    if question.via == Via.command:
        pending.tag = f"qs-{next(_ts)}"
        with contextlib.suppress(AssertionError):  # no reply in time: graded as no reply
            await command(fake, driver, question.text, user, channel, pending.tag)
    elif question.via == Via.ask:  # the question is posted in the channel, answered in its thread
        pending.tag = f"qs-{next(_ts)}"
        response = await driver.command(
            f"ask {question.text}", user_id=user, channel_id=channel,
            response_url=fake.response_url(pending.tag),
        )  # fmt: skip
        assert response.status_code == 200, response.text
        wanted = _alnum(question.text)
        with contextlib.suppress(AssertionError):
            asked = await fake.wait_for(
                "chat.postMessage",
                lambda c: (
                    c.params.get("channel") == channel
                    and not c.params.get("thread_ts")
                    and user in c.params.get("text", "")
                    and wanted in _alnum(c.params.get("text", ""))
                ),
                REPLY_TIMEOUT,
            )
            pending.thread = asked.answer["ts"]  # the ts the fake gave the post
            await _first_in_thread(fake, channel, pending.thread)
    else:
        pending.thread = f"1800000{next(_ts):04d}.000100"
        event = {
            "type": "app_mention",
            "user": user,
            "text": f"<@U0BOT> {question.text}",
            "channel": channel,
            "ts": pending.thread,
            "team": TEAM_ID,
        }
        response = await driver.event(event)
        assert response.status_code == 200, response.text
        await _first_in_thread(fake, channel, pending.thread)
    pending.seconds = time.monotonic() - started
    return pending


async def _first_in_thread(fake: FakeSlack, channel: str, thread: str) -> None:
    with contextlib.suppress(AssertionError):  # no reply in time: graded as no reply
        await fake.wait_for(
            "chat.postMessage",
            lambda c: c.params.get("channel") == channel and c.params.get("thread_ts") == thread,
            REPLY_TIMEOUT,
        )


async def settle(fake: FakeSlack, quiet: float = 1.0, limit: float = 15.0) -> None:
    """Until the app has sent nothing for ``quiet`` seconds: late escalations included."""
    deadline = time.monotonic() + limit
    seen = len(fake.calls())
    quiet_since = time.monotonic()
    while time.monotonic() < deadline:
        await asyncio.sleep(0.1)
        now_seen = len(fake.calls())
        if now_seen != seen:
            seen, quiet_since = now_seen, time.monotonic()
        elif time.monotonic() - quiet_since >= quiet:
            return


def _content(call: Call) -> tuple[str, str]:
    """(text and block texts, everything as JSON) of one call."""
    params = call.params
    texts = [params.get("text") or "", *block_texts(params.get("blocks") or [])]
    return "\n".join(texts), json.dumps(params, ensure_ascii=False)


def _escalations(fake: FakeSlack, pendings: list[_Pending]) -> set[int]:
    """Indexes of the questions whose words reached the organizers' channel; a post counts
    for the longest question text it contains ("is registration still open?" is inside
    "is registration still open for ...")."""
    escalated = set()
    for call in fake.calls("chat.postMessage"):
        if call.params.get("channel") != ORGANIZERS:
            continue
        content = _alnum(_content(call)[1])
        hits = [
            (len(_alnum(p.question.text)), i)
            for i, p in enumerate(pendings)
            if _alnum(p.question.text) in content
        ]
        if hits:
            escalated.add(max(hits)[1])
    return escalated


def _reply_of(fake: FakeSlack, pending: _Pending, escalated: bool) -> Reply:
    """The thread's replies (in the channel) and the ephemeral ones of a command."""
    ephemeral = [c for c in fake.calls("response_url")
                 if pending.tag and c.path.endswith(f"/{pending.tag}")]  # fmt: skip
    thread = [c for c in fake.calls("chat.postMessage")
              if pending.thread and c.params.get("channel") == pending.channel
              and c.params.get("thread_ts") == pending.thread]  # fmt: skip
    in_channel = bool(thread) or any(c.params.get("response_type") == "in_channel"
                                     for c in ephemeral)  # fmt: skip
    contents = [_content(c) for c in [*thread, *ephemeral]]
    return Reply(
        text="\n".join(text for text, _ in contents),
        raw="\n".join(raw for _, raw in contents),
        in_channel=in_channel,
        escalated=escalated,
        received=bool(contents),
    )


async def ask_all(
    client: httpx.AsyncClient,
    fake: FakeSlack,
    driver: SlackDriver,
    world: QsWorld,
    questions: list[Question],
    concurrency: int = 4,
) -> list[Asked]:
    """Every question, ``concurrency`` at a time, each graded against the facts fetched
    from the API just before it was sent."""
    gate = asyncio.Semaphore(concurrency)

    async def one(question: Question) -> _Pending:
        async with gate:
            found = await facts_module.gather(client, world, question)
            return await _send(fake, driver, world, question, found)

    pendings = await asyncio.gather(*(one(q) for q in questions))
    await settle(fake)
    escalated = _escalations(fake, pendings)
    results = []
    for i, pending in enumerate(pendings):
        reply = _reply_of(fake, pending, i in escalated)
        results.append(
            Asked(
                pending.question,
                pending.facts,
                reply,
                grade(pending.question, reply, pending.facts),
                pending.seconds,
            )
        )
    return results
