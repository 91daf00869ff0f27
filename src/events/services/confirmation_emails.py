"""The "confirm your registration" email: claimed, then sent once, after the commit.

The tokens are made here, at sending time, so neither the database nor the task queue
ever holds one: the row keeps their SHA-256 only, and the task carries the row's id. A
claim that a crashed worker left behind expires and the sweep sends again, with fresh
tokens (the links of an email that may have gone out before the crash stop working).
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from events import emails, mail
from events.auth import hash_token
from events.config import get_settings
from events.db import fetch, fetch_one
from events.services.catalog import event_url

CLAIM_TIMEOUT = timedelta(minutes=5)  # a claim older than this was lost with its worker
MAX_ATTEMPTS = 10
CONFIRM_PATH = "/registrations/confirm/"
MANAGE_PATH = "/registrations/manage/"


def new_link_token() -> str:
    return secrets.token_urlsafe(32)  # 256 bits; the URL is the capability


async def due_for_sending(older_than: timedelta, limit: int = 500) -> list[int]:
    """Unsent, unexpired confirmations nobody is sending now (what the sweep re-queues)."""
    now = datetime.now(UTC)
    rows = await fetch(
        "SELECT id FROM email_confirmation WHERE sent_at IS NULL AND used_at IS NULL "
        "AND attempts < {} AND expires_at > {} AND created_at < {} "
        "AND (claimed_at IS NULL OR claimed_at < {}) ORDER BY created_at LIMIT {}",
        MAX_ATTEMPTS,
        now,
        now - older_than,
        now - CLAIM_TIMEOUT,
        limit,
    )
    return [row["id"] for row in rows]


async def send(confirmation_id: int) -> bool:
    """Send one confirmation email at most once; False when it was sent, claimed elsewhere,
    used or expired. Raises when the mail relay fails: the claim stays, and the sweep tries
    again once it has expired."""
    now = datetime.now(UTC)
    confirm_token, manage_token = new_link_token(), new_link_token()
    claimed = await fetch_one(
        "UPDATE email_confirmation SET claimed_at = {}, attempts = attempts + 1, "
        "token_hash = {}, manage_token_hash = {} "
        "WHERE id = {} AND sent_at IS NULL AND used_at IS NULL AND expires_at > {} "
        "AND (claimed_at IS NULL OR claimed_at < {}) "
        "RETURNING id, event, email, name, expires_at",
        now,
        hash_token(confirm_token),
        hash_token(manage_token),
        confirmation_id,
        now,
        now - CLAIM_TIMEOUT,
    )
    if claimed is None:
        return False
    event = await fetch_one(
        "SELECT slug, title, timezone, starts_at, venue_name, venue_address, online_url "
        "FROM event WHERE id = {}",
        claimed["event"],
    )
    assert event is not None  # the row cascades with its event
    base = get_settings().base_url
    message = emails.confirmation_email(
        emails.ConfirmationEmail(
            name=claimed["name"],
            event_title=event["title"],
            event_url=event_url(event["slug"]),
            when=emails.local_time(event["starts_at"], event["timezone"])
            if event["starts_at"]
            else None,
            where=_where(event),
            confirm_url=f"{base}{CONFIRM_PATH}{confirm_token}",
            manage_url=f"{base}{MANAGE_PATH}{manage_token}",
            expires=emails.local_time(claimed["expires_at"], event["timezone"]),
        )
    )
    await mail.send_mail(
        mail.address(claimed["name"], claimed["email"]), message.subject, message.text, message.html
    )
    await fetch(
        "UPDATE email_confirmation SET sent_at = {} WHERE id = {}",
        datetime.now(UTC),
        confirmation_id,
    )
    return True


def _where(event: dict) -> str | None:
    if event["venue_name"]:
        address = event["venue_address"]
        return f"{event['venue_name']}, {address}" if address else event["venue_name"]
    return "Online" if event["online_url"] else None
