"""The "confirm your registration" email: claimed, then sent once, after the commit.

The tokens are made here, at sending time, so neither the database nor the task queue
ever holds one: the row keeps their SHA-256 only, and the task carries the row's id. A
claim that a crashed worker left behind expires and the sweep sends again, with fresh
tokens (the links of an email that may have gone out before the crash stop working).
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from events import emails, mail
from events.auth import hash_token
from events.config import get_settings
from events.db import fetch_one
from events.services.catalog import event_url
from events.services.outbox import Outbox

# Unused links only: a confirmation already followed, or expired, is not sent again.
OUTBOX = Outbox("email_confirmation", still_wanted="used_at IS NULL AND expires_at > {}")
CONFIRM_PATH = "/registrations/confirm/"
MANAGE_PATH = "/registrations/manage/"


def new_link_token() -> str:
    return secrets.token_urlsafe(32)  # 256 bits; the URL is the capability


async def due_for_sending(older_than: timedelta, limit: int = 500) -> list[int]:
    """Unsent, unexpired confirmations nobody is sending now (what the sweep re-queues)."""
    return await OUTBOX.due(older_than, limit)


async def send(confirmation_id: int) -> bool:
    """Send one confirmation email at most once; False when it was sent, claimed elsewhere,
    used or expired, or failed and waits for a retry (with fresh tokens: the links of a
    send that failed never reached anyone)."""
    confirm_token, manage_token = new_link_token(), new_link_token()
    claimed = await OUTBOX.claim(
        confirmation_id,
        "id, event, email, name, expires_at",
        token_hash=hash_token(confirm_token),
        manage_token_hash=hash_token(manage_token),
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
    return await OUTBOX.attempt(
        confirmation_id,
        "registration confirmation by email",
        lambda: mail.send_mail(
            mail.address(claimed["name"], claimed["email"]),
            message.subject,
            message.text,
            message.html,
        ),
    )


def _where(event: dict) -> str | None:
    if event["venue_name"]:
        address = event["venue_address"]
        return f"{event['venue_name']}, {address}" if address else event["venue_name"]
    return "Online" if event["online_url"] else None
