"""The notification outbox: recorded inside a transaction, delivered after the commit.

One row per (message, channel): the member's choice (``member.notify_channels``: Slack
when linked, otherwise email, by default) is applied in the INSERT itself, so recording a
message stays one statement. The outbox table is the source of truth. Tasks carry only
ids, delivery claims a row before sending, and a periodic sweep finds whatever a lost task
or a failed channel left behind.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from events.db import DB, fetch, fetch_one
from events.enums import (
    REMINDER_KINDS,
    Channel,
    DeliveryOutcome,
    EventStatus,
    NotificationKind,
)
from events.notifier import Message, sender_for, set_sender
from events.services.email_channel import EmailChannel
from events.services.outbox import Outbox

OUTBOX = Outbox("notification")
set_sender(Channel.email, EmailChannel())  # the core's own channel; Slack is the bot's
CHUNK = 200

_LINKED = "EXISTS (SELECT 1 FROM slack_identity s WHERE s.member = m.id)"


def wanted(kind: NotificationKind) -> str:
    """SQL: does member ``m`` want this kind of message on channel ``c.name``? Slack when
    linked and not turned off; email when chosen, or when Slack is not linked, unless the
    member unsubscribed from this kind of email. An erased member wants nothing."""
    if kind in REMINDER_KINDS:
        email_allowed = "m.reminder_emails"
    elif kind is NotificationKind.announcement:
        email_allowed = "m.announcement_emails"
    else:
        email_allowed = "TRUE"  # transactional: what happened to their own registration
    return (
        f"m.erased_at IS NULL AND ((c.name = 'slack' AND m.notify_channels <> 'email' "
        f"AND {_LINKED}) OR (c.name = 'email' AND {email_allowed} "
        f"AND (m.notify_channels IN ('email', 'both') OR NOT {_LINKED})))"
    )


def _typed(sql_type: str) -> str:
    # PostgreSQL cannot infer a parameter's type in INSERT ... SELECT; SQLite's CAST would
    # turn a timestamp's text into a number, and needs no type anyway.
    return f"{{}}::{sql_type}" if DB.engine_type == "postgres" else "{}"


async def record(
    kind: NotificationKind,
    registration_ids: list[int],
    *,
    subject: int | None = None,
    once: bool = False,
) -> list[int]:
    """Outbox rows for these registrations, one per channel each member wants. ``once``:
    never a second one of this kind for the same registration, subject and channel (a
    confirmation, a reminder, a certificate), however often it is recorded again.
    Returns the ids of the rows added."""
    return await record_each(
        kind, [(registration_id, subject) for registration_id in registration_ids], once=once
    )


def outbox_rows(kind: NotificationKind, targets: str, *, once: bool) -> str:
    """SQL: the INSERT of one outbox row per channel the member wants, for each target of
    ``targets``: a FROM clause that yields ``t`` (registration, subject) and the member as
    ``m``. Placeholders, in order: the kind, the time, and with ``once`` the key's prefix
    (``outbox_args``). Returns the new rows' ids."""
    # Slack rows keep the key they had before email existed, so old rows still dedupe.
    dedupe = (
        f"{_typed('text')} || CAST(t.registration AS TEXT) || ':' "
        "|| CAST(COALESCE(t.subject, 0) AS TEXT) "
        "|| CASE c.name WHEN 'slack' THEN '' ELSE ':' || c.name END"
        if once
        else "NULL"
    )
    return (
        "INSERT INTO notification (kind, registration, subject, created_at, "
        "dedupe_key, attempts, channel) "
        f"SELECT {_typed('text')}, t.registration, t.subject, {_typed('timestamptz')}, "
        f"{dedupe}, 0, c.name FROM {targets} "
        "CROSS JOIN (SELECT 'slack' AS name UNION ALL SELECT 'email' AS name) c "
        f"WHERE {wanted(kind)} ON CONFLICT DO NOTHING RETURNING id"
    )


def outbox_args(kind: NotificationKind, now: datetime, *, once: bool) -> list[object]:
    return [kind.value, now, f"{kind.value}:"] if once else [kind.value, now]


async def record_each(
    kind: NotificationKind, targets: list[tuple[int, int | None]], *, once: bool = False
) -> list[int]:
    """One row per (registration, subject, channel), in multi-row inserts; the new ids."""
    now = datetime.now(UTC)
    added: list[int] = []
    for start in range(0, len(targets), CHUNK):
        chunk = targets[start : start + CHUNK]
        rows = await fetch(
            "WITH t (registration, subject) AS (VALUES "
            + ", ".join(["(CAST({} AS INTEGER), CAST({} AS INTEGER))"] * len(chunk))
            + ") "
            + outbox_rows(
                kind,
                "t JOIN registration r ON r.id = t.registration JOIN member m ON m.id = r.member",
                once=once,
            ),
            *[value for target in chunk for value in target],
            *outbox_args(kind, now, once=once),
        )
        added += [row["id"] for row in rows]
    return added


def dedupe_key(
    kind: NotificationKind, registration_id: int, subject: int | None, channel: Channel
) -> str:
    """What ``record_each`` writes for a ``once`` message (the same, built in SQL)."""
    suffix = "" if channel is Channel.slack else f":{channel.value}"
    return f"{kind.value}:{registration_id}:{subject or 0}{suffix}"


async def record_for_attendees(
    event_id: int, kind: NotificationKind, *, subject: int | None = None
) -> list[int]:
    """Tell everyone registered (confirmed, waitlisted or pending); their registration ids."""
    rows = await fetch(
        "SELECT id FROM registration WHERE event = {} "
        "AND status IN ('confirmed', 'waitlisted', 'pending')",
        event_id,
    )
    registration_ids = [row["id"] for row in rows]
    await record(kind, registration_ids, subject=subject)
    return registration_ids


async def undelivered_for(registration_ids: list[int]) -> list[int]:
    rows = await fetch(
        "SELECT id FROM notification WHERE sent_at IS NULL AND failed_at IS NULL "
        "AND registration IN (" + ", ".join("{}" for _ in registration_ids) + ")",
        *registration_ids,
    )
    return [row["id"] for row in rows]


async def undelivered_of(kind: NotificationKind, subject: int) -> list[int]:
    """The rows still to send of one message to many (an announcement: its fan-out)."""
    rows = await fetch(
        "SELECT id FROM notification WHERE kind = {} AND subject = {} "
        "AND sent_at IS NULL AND failed_at IS NULL ORDER BY id",
        kind.value,
        subject,
    )
    return [row["id"] for row in rows]


async def due_for_delivery(older_than: timedelta, limit: int = 500) -> list[int]:
    return await OUTBOX.due(older_than, limit)


async def deliver(notification_id: int) -> bool:
    """Send one notification at most once; False when it was sent or claimed elsewhere,
    or failed and waits for a retry."""
    claimed = await OUTBOX.claim(notification_id, "id, kind, registration, subject, channel")
    if claimed is None:
        return False
    kind, channel = NotificationKind(claimed["kind"]), Channel(claimed["channel"])
    details = await fetch_one(
        "SELECT m.id AS member, m.name, m.email, e.slug, e.title, e.status, "
        f"CASE WHEN {wanted(kind)} THEN 1 ELSE 0 END AS wanted "
        "FROM registration r JOIN member m ON m.id = r.member JOIN event e ON e.id = r.event "
        "CROSS JOIN (SELECT CAST({} AS TEXT) AS name) c WHERE r.id = {}",
        channel.value,
        claimed["registration"],
    )
    # A seat queued as news before the event was cancelled is news no more; a member who
    # turned this channel off (or was erased) since it was recorded hears nothing.
    stale = details is None or not details["wanted"]
    stale = stale or (
        kind is NotificationKind.promoted and details["status"] == EventStatus.cancelled
    )
    if stale:
        await OUTBOX.sent(notification_id, outcome=DeliveryOutcome.skipped.value)
        return True
    message = Message(
        notification_id=notification_id,
        kind=kind,
        registration_id=claimed["registration"],
        subject=claimed["subject"],
        member_id=details["member"],
        member_name=details["name"],
        member_email=details["email"],
        event_slug=details["slug"],
        event_title=details["title"],
        channel=channel,
    )

    async def send() -> dict:
        said = await sender_for(channel).send(message)
        outcome = DeliveryOutcome.sent if said is not False else DeliveryOutcome.skipped
        return {"outcome": outcome.value}

    return await OUTBOX.attempt(
        notification_id,
        f"{kind} by {channel}",
        send,
        on_give_up={"outcome": DeliveryOutcome.failed.value},
    )
