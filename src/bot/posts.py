"""Messages the bot posts into channels (answers in a member's thread, escalations to the
organizers, their answers back, the escalation's updates), through an outbox like the
DMs': recorded first, then claimed, posted, and retried with backoff while Slack is down
(events.services.outbox). A question asked during an outage is answered when Slack is
back; a lost task is re-derived by the sweep (bot.tasks.sweep_slack_posts).

A post may follow another (``follows``): a reply in the thread that the "asked" message
starts, an update of the escalation message. It is sent once that one is posted (its
``ts`` is the thread, or the message to update), by the same delivery.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from enum import StrEnum

from slack_sdk.errors import SlackApiError

from bot.installations import client_for, default_client
from events.db import fetch, fetch_one
from events.notifier import PermanentDeliveryError
from events.services.outbox import Outbox
from events.tasks import queue_after_commit

logger = logging.getLogger("convene.bot")

OUTBOX = Outbox("slack_post")

# Slack's answers that no retry will change: the channel or message is gone, or the bot
# was removed from it.
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "message_not_found",
        "cant_update_message",
        "edit_window_closed",
        "msg_too_long",
        "invalid_blocks",
        "thread_not_found",
    }
)


class Purpose(StrEnum):
    asked = "asked"  # "<@U> asked: ..." that starts a thread for a slash-command question
    reply = "reply"  # the bot's answer in the asker's thread
    escalation = "escalation"  # the question, in the organizers' channel
    answer = "answer"  # an organizer's answer, in the asker's thread
    update = "update"  # the escalation message edited (answered, saved to the FAQ)
    notice = "notice"  # anything else the bot says in a thread (a refusal, a hint)


async def record(
    team_id: str,
    channel_id: str,
    text: str,
    purpose: Purpose,
    *,
    blocks: list[dict] | None = None,
    thread_ts: str | None = None,
    update_ts: str | None = None,
    follows: int | None = None,
    question: int | None = None,
    once: bool = False,
) -> int | None:
    """One post to make; its id (None when ``once`` and it was recorded already). Call
    inside the transaction that decided it; ``enqueue`` after the commit. ``update_ts``
    (or ``follows`` with an update purpose) edits that message instead of posting."""
    key = f"{purpose.value}:{question}" if once and question is not None else None
    row = await fetch_one(
        "INSERT INTO slack_post (team_id, channel_id, method, text, blocks, thread_ts, "
        "update_ts, follows, question, purpose, dedupe_key, created_at, attempts) "
        "VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, 0) "
        "ON CONFLICT DO NOTHING RETURNING id",
        team_id,
        channel_id,
        "update" if purpose is Purpose.update else "post",
        text,
        json.dumps(blocks) if blocks else None,
        thread_ts,
        update_ts,
        follows,
        question,
        purpose.value,
        key,
        datetime.now(UTC),
    )
    return row["id"] if row else None


async def post_of(question_id: int, purpose: Purpose) -> int | None:
    row = await fetch_one(
        "SELECT id FROM slack_post WHERE question = {} AND purpose = {} ORDER BY id LIMIT 1",
        question_id,
        purpose.value,
    )
    return row["id"] if row else None


async def enqueue(post_ids: list[int | None]) -> None:
    """Queue the posts' delivery; one that follows a post not yet made goes with it."""
    from bot.tasks import deliver_slack_post

    recorded = [post_id for post_id in post_ids if post_id is not None]
    if not recorded:
        return
    rows = await fetch(
        "SELECT p.id FROM slack_post p LEFT JOIN slack_post f ON f.id = p.follows "
        "WHERE (p.follows IS NULL OR f.sent_at IS NOT NULL OR f.failed_at IS NOT NULL) "
        "AND p.id IN (" + ", ".join("{}" for _ in recorded) + ")",
        *recorded,
    )
    for row in rows:  # with the broker down the rows stay, and the sweep queues them
        if not await queue_after_commit(deliver_slack_post, row["id"]):
            break


async def say(team_id: str, channel_id: str, text: str, *, thread_ts: str | None) -> None:
    """Post a notice (a refusal, a hint) through the outbox, at once."""
    await enqueue([await record(team_id, channel_id, text, Purpose.notice, thread_ts=thread_ts)])


async def deliver(post_id: int) -> bool:
    """Post one row at most once, then whatever follows it; False when it was not sent now
    (sent or claimed elsewhere, waiting for a retry or for the post it follows)."""
    claimed = await OUTBOX.claim(
        post_id,
        "id, team_id, channel_id, method, text, blocks, thread_ts, update_ts, follows, "
        "question, purpose",
    )
    if claimed is None:
        return False
    claimed = dict(claimed)  # an asyncpg Record is read-only: the thread is filled in below
    if claimed["follows"] is not None:
        parent = await fetch_one(
            "SELECT posted_ts, failed_at FROM slack_post WHERE id = {}", claimed["follows"]
        )
        if parent is None or parent["failed_at"] is not None:
            await OUTBOX.give_up(
                post_id,
                LookupError("the message it follows was never posted"),
                f"{claimed['purpose']} in {claimed['channel_id']}",
            )
            return False
        if parent["posted_ts"] is None:  # that one's delivery brings this one along
            await fetch(
                "UPDATE slack_post SET claimed_at = NULL, attempts = attempts - 1 WHERE id = {}",
                post_id,
            )
            return False
        key = "update_ts" if claimed["method"] == "update" else "thread_ts"
        claimed[key] = parent["posted_ts"]
    client = await client_for(claimed["team_id"], default_client())
    posted: list[str] = []

    async def send() -> dict:
        try:
            posted.append(await _send(client, claimed))
        except SlackApiError as error:
            code = (error.response or {}).get("error")
            if code in PERMANENT_ERRORS:
                raise PermanentDeliveryError(f"Slack answered {code}") from error
            raise  # unreachable, 5xx, 429 after the client's own retries: later
        return {"posted_ts": posted[0]}

    await OUTBOX.attempt(post_id, f"{claimed['purpose']} in {claimed['channel_id']}", send)
    if not posted:
        return False
    await _posted(claimed, posted[0])
    for child in await fetch(
        "SELECT id FROM slack_post WHERE follows = {} AND sent_at IS NULL ORDER BY id", post_id
    ):
        await deliver(child["id"])
    return True


async def _send(client, post: dict) -> str:
    blocks = json.loads(post["blocks"]) if post["blocks"] else None
    if post["method"] == "update":
        await client.chat_update(
            channel=post["channel_id"], ts=post["update_ts"], text=post["text"], blocks=blocks
        )
        return post["update_ts"]
    answer = await client.chat_postMessage(
        channel=post["channel_id"],
        thread_ts=post["thread_ts"] or None,
        text=post["text"],
        blocks=blocks,
        unfurl_links=False,
    )
    return answer["ts"]


async def _posted(post: dict, ts: str) -> None:
    """What the question keeps of a post: the thread it started, the escalation message."""
    if post["question"] is None:
        return
    if post["purpose"] == Purpose.asked:
        await fetch("UPDATE question SET thread_ts = {} WHERE id = {}", ts, post["question"])
    elif post["purpose"] == Purpose.escalation:
        await fetch(
            "UPDATE question SET escalation_channel = {}, escalation_ts = {} WHERE id = {}",
            post["channel_id"],
            ts,
            post["question"],
        )


async def due(older_than) -> list[int]:
    return await OUTBOX.due(older_than)
