"""Organizers' announcements to an event's registrants (delivered through the outbox)."""

from __future__ import annotations

from dataclasses import dataclass

from events.db import fetch_one


@dataclass(frozen=True, slots=True)
class AnnouncementContent:
    subject: str
    body: str  # plain text; paragraphs split on blank lines
    sent_by: str | None  # the organizer's name, when known


async def content(announcement_id: int) -> AnnouncementContent | None:
    """What an announcement says, for the channels that deliver it."""
    row = await fetch_one(
        "SELECT a.subject, a.body, o.name AS sent_by FROM announcement a "
        "LEFT JOIN organizer o ON o.id = a.sent_by WHERE a.id = {}",
        announcement_id,
    )
    if row is None:
        return None
    return AnnouncementContent(row["subject"], row["body"], row["sent_by"])
