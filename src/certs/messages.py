"""The holders' "certificate issued" messages: recorded in the transaction that issues the
certificates (``announce``), and re-derived from the certificates by a sweep
(``record_missing_messages``) for any that an older version, or a crash between two
statements, left without one. Each row has a once-only dedupe key (kind, registration, certificate,
channel), so recording it again adds nothing, and delivery claims it before sending."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from events import tasks
from events.db import fetch
from events.enums import NotificationKind
from events.services import notifications

# A certificate older than this is not announced any more: it was announced, or it is old
# news by now (the holder finds it on their page). Covers a long outage of the worker.
LOOKBACK = timedelta(days=30)
GRACE = timedelta(seconds=20)  # the transaction that issues it records its message itself


async def announce(certificates: list[dict]) -> None:
    """Record "certificate issued" for the holders; call inside the transaction that
    inserted ``certificates`` (sent once the caller has committed)."""
    await notifications.record_each(
        NotificationKind.certificate_issued,
        [(row["registration"], row["id"]) for row in certificates],
        once=True,
    )


async def record_missing_messages(now: datetime | None = None) -> int:
    """The sweep: record the message of every valid certificate issued within LOOKBACK
    that has none, and queue it; how many certificates had none."""
    now = now or datetime.now(UTC)
    missing = await fetch(
        "SELECT c.id, c.registration FROM certificate c WHERE c.status = 'valid' "
        "AND c.issued_at > {} AND c.issued_at < {} AND NOT EXISTS (SELECT 1 FROM notification n "
        "WHERE n.kind = {} AND n.subject = c.id AND n.registration = c.registration) "
        "ORDER BY c.id LIMIT 1000",
        now - LOOKBACK,
        now - GRACE,
        NotificationKind.certificate_issued.value,
    )
    if missing:
        await announce(missing)
        await tasks.enqueue_deliveries(sorted({row["registration"] for row in missing}))
    return len(missing)
