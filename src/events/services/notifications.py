"""The notification outbox: recorded inside a transaction, delivered after the commit.

The outbox table is the source of truth. Tasks carry only ids, delivery claims a row
before sending, and a periodic sweep finds whatever a lost task left behind.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from events.db import fetch, fetch_one
from events.enums import EventStatus, NotificationKind
from events.notifier import Message, get_notifier
from events.services.outbox import Outbox

OUTBOX = Outbox("notification")


async def record(
    kind: NotificationKind,
    registration_ids: list[int],
    *,
    subject: int | None = None,
    once: bool = False,
) -> None:
    """Outbox rows for these registrations. ``once``: never a second one of this kind for
    the same registration and subject (a confirmation, a reminder, a certificate), however
    often it is recorded again."""
    await record_each(
        kind, [(registration_id, subject) for registration_id in registration_ids], once=once
    )


async def record_each(
    kind: NotificationKind, targets: list[tuple[int, int | None]], *, once: bool = False
) -> None:
    """One row per (registration, subject), in multi-row inserts."""
    now = datetime.now(UTC)
    for start in range(0, len(targets), CHUNK):
        chunk = targets[start : start + CHUNK]
        values = [
            (
                kind.value,
                registration_id,
                subject,
                dedupe_key(kind, registration_id, subject) if once else None,
                now,
            )
            for registration_id, subject in chunk
        ]
        await fetch(
            "INSERT INTO notification (kind, registration, subject, dedupe_key, created_at, "
            "attempts) VALUES "
            + ", ".join(["({}, {}, {}, {}, {}, 0)"] * len(values))
            + " ON CONFLICT DO NOTHING",
            *(value for row in values for value in row),
        )


CHUNK = 200


async def record_for_attendees(event_id: int, kind: NotificationKind) -> list[int]:
    """Tell everyone registered (confirmed, waitlisted or pending); their registration ids."""
    rows = await fetch(
        "SELECT id FROM registration WHERE event = {} "
        "AND status IN ('confirmed', 'waitlisted', 'pending')",
        event_id,
    )
    registration_ids = [row["id"] for row in rows]
    await record(kind, registration_ids)
    return registration_ids


def dedupe_key(kind: NotificationKind, registration_id: int, subject: int | None) -> str:
    return f"{kind.value}:{registration_id}:{subject or 0}"


async def undelivered_for(registration_ids: list[int]) -> list[int]:
    rows = await fetch(
        "SELECT id FROM notification WHERE sent_at IS NULL AND registration IN ("
        + ", ".join("{}" for _ in registration_ids)
        + ")",
        *registration_ids,
    )
    return [row["id"] for row in rows]


async def due_for_delivery(older_than: timedelta, limit: int = 500) -> list[int]:
    return await OUTBOX.due(older_than, limit)


async def deliver(notification_id: int) -> bool:
    """Send one notification at most once; False when it was sent or claimed elsewhere."""
    claimed = await OUTBOX.claim(notification_id, "id, kind, registration, subject")
    if claimed is None:
        return False
    details = await fetch_one(
        "SELECT m.id AS member, m.name, m.email, e.slug, e.title, e.status FROM registration r "
        "JOIN member m ON m.id = r.member JOIN event e ON e.id = r.event WHERE r.id = {}",
        claimed["registration"],
    )
    # A seat queued as news before the event was cancelled is news no more.
    stale = claimed["kind"] == NotificationKind.promoted and (
        details is not None and details["status"] == EventStatus.cancelled
    )
    if details is not None and not stale:
        await get_notifier().send(
            Message(
                notification_id=notification_id,
                kind=NotificationKind(claimed["kind"]),
                registration_id=claimed["registration"],
                subject=claimed["subject"],
                member_id=details["member"],
                member_name=details["name"],
                member_email=details["email"],
                event_slug=details["slug"],
                event_title=details["title"],
            )
        )
    await OUTBOX.sent(notification_id)
    return True
