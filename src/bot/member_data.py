"""What the bot keeps about a member, for their data export and their erasure (the hooks
of ``SlackPlugin``): the questions they asked in Slack. Their Slack identities are the
core's (slack_identity); the FAQ entries are organizers' text, not theirs."""

from __future__ import annotations

from typing import Any

from events.db import fetch

# Questions by the member, or by one of their Slack accounts before it was linked.
_THEIRS = (
    "q.member = {} OR EXISTS (SELECT 1 FROM slack_identity s WHERE s.member = {} "
    "AND s.team_id = q.team_id AND s.user_id = q.user_id)"
)


async def export(member_id: int) -> dict[str, Any]:
    rows = await fetch(
        "SELECT q.text, q.status, q.answer, q.created_at, q.answered_at, e.slug AS event "
        "FROM question q LEFT JOIN event e ON e.id = q.event "
        f"WHERE {_THEIRS} ORDER BY q.id",
        member_id,
        member_id,
    )
    return {"questions": rows} if rows else {}


async def erase(member_id: int) -> None:
    """Their questions go: the text is theirs, and the thread points at their account;
    so do the posts about them still unsent (they quote it)."""
    await fetch(
        f"DELETE FROM slack_post WHERE question IN (SELECT q.id FROM question q WHERE {_THEIRS})",
        member_id,
        member_id,
    )
    await fetch(
        f"DELETE FROM question WHERE id IN (SELECT q.id FROM question q WHERE {_THEIRS})",
        member_id,
        member_id,
    )
