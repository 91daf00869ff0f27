"""Notifications derived from the database by the periodic sweep: session reminders, and
confirmations a crash kept from being recorded.

Each is an outbox row with a dedupe key (kind, registration, subject) under a unique
index, so recording it again, from a restarted worker or a second one, adds nothing; and
delivery claims each row before sending, so each goes out once.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from events.db import fetch
from events.enums import NotificationKind
from events.services import notifications

# (kind, how long before the session it is due): the 24-hour one is skipped for a session
# less than an hour away, which gets the 1-hour one instead.
REMINDERS = (
    (NotificationKind.reminder_24h, timedelta(hours=24), timedelta(hours=1)),
    (NotificationKind.reminder_1h, timedelta(hours=1), timedelta(0)),
)
CONFIRMATION_LOOKBACK = timedelta(hours=1)  # how far back a lost confirmation is re-derived
CONFIRMATION_GRACE = timedelta(seconds=20)  # the request that registered is still on it


async def record_due(now: datetime | None = None) -> list[int]:
    """Record every reminder and lost confirmation now due; their registration ids."""
    now = now or datetime.now(UTC)
    recorded: list[int] = []
    for kind, before, until in REMINDERS:
        due = await fetch(
            "SELECT r.id AS registration, s.id AS session FROM event_session s "
            "JOIN event e ON e.id = s.event JOIN registration r ON r.event = e.id "
            "WHERE s.status = 'scheduled' AND e.status = 'published' "
            "AND r.status = 'confirmed' AND s.starts_at > {} AND s.starts_at <= {} "
            "AND NOT EXISTS (SELECT 1 FROM notification n WHERE n.registration = r.id "
            "AND n.kind = {} AND n.subject = s.id)",
            now + until,
            now + before,
            kind.value,
        )
        for row in due:
            await notifications.record(
                kind, [row["registration"]], subject=row["session"], once=True
            )
            recorded.append(row["registration"])
    lost = await fetch(
        "SELECT r.id FROM registration r WHERE r.created_at > {} AND r.created_at < {} "
        "AND r.status IN ('confirmed', 'waitlisted', 'pending') AND NOT EXISTS "
        "(SELECT 1 FROM notification n WHERE n.registration = r.id AND n.kind = 'registered')",
        now - CONFIRMATION_LOOKBACK,
        now - CONFIRMATION_GRACE,
    )
    ids = [row["id"] for row in lost]
    await notifications.record(NotificationKind.registered, ids, once=True)
    return recorded + ids
