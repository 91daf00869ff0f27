"""The notification outbox: recorded inside a transaction, delivered after the commit.

The outbox table is the source of truth. Tasks carry only ids, delivery claims a row
before sending, and a periodic sweep finds whatever a lost task left behind.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from events.db import fetch, fetch_one
from events.enums import NotificationKind
from events.notifier import Message, get_notifier

CLAIM_TIMEOUT = timedelta(minutes=5)  # a claim older than this was lost with its worker
MAX_ATTEMPTS = 10


async def record(kind: NotificationKind, registration_ids: list[int]) -> None:
    now = datetime.now(UTC)
    for registration_id in registration_ids:
        await fetch(
            "INSERT INTO notification (kind, registration, created_at, attempts) "
            "VALUES ({}, {}, {}, 0)",
            kind.value,
            registration_id,
            now,
        )


async def undelivered_for(registration_ids: list[int]) -> list[int]:
    rows = await fetch(
        "SELECT id FROM notification WHERE sent_at IS NULL AND registration IN ("
        + ", ".join("{}" for _ in registration_ids)
        + ")",
        *registration_ids,
    )
    return [row["id"] for row in rows]


async def due_for_delivery(older_than: timedelta, limit: int = 500) -> list[int]:
    now = datetime.now(UTC)
    rows = await fetch(
        "SELECT id FROM notification WHERE sent_at IS NULL AND attempts < {} "
        "AND created_at < {} AND (claimed_at IS NULL OR claimed_at < {}) "
        "ORDER BY created_at LIMIT {}",
        MAX_ATTEMPTS,
        now - older_than,
        now - CLAIM_TIMEOUT,
        limit,
    )
    return [row["id"] for row in rows]


async def deliver(notification_id: int) -> bool:
    """Send one notification at most once; False when it was sent or claimed elsewhere."""
    now = datetime.now(UTC)
    claimed = await fetch_one(
        "UPDATE notification SET claimed_at = {}, attempts = attempts + 1 "
        "WHERE id = {} AND sent_at IS NULL AND (claimed_at IS NULL OR claimed_at < {}) "
        "RETURNING id, kind, registration",
        now,
        notification_id,
        now - CLAIM_TIMEOUT,
    )
    if claimed is None:
        return False
    details = await fetch_one(
        "SELECT m.name, m.email, e.slug, e.title FROM registration r "
        "JOIN member m ON m.id = r.member JOIN event e ON e.id = r.event WHERE r.id = {}",
        claimed["registration"],
    )
    if details is not None:
        await get_notifier().send(
            Message(
                notification_id=notification_id,
                kind=NotificationKind(claimed["kind"]),
                registration_id=claimed["registration"],
                member_name=details["name"],
                member_email=details["email"],
                event_slug=details["slug"],
                event_title=details["title"],
            )
        )
    await fetch(
        "UPDATE notification SET sent_at = {} WHERE id = {}", datetime.now(UTC), notification_id
    )
    return True
