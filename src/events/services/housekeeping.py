"""Rows that have outlived their use, removed by the periodic sweep (safe to run anywhere,
any number of times: each statement deletes only what nothing can use any more)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from events.admin import accounts
from events.db import fetch
from events.services.email_registrations import MANAGE_LINK_AFTER_EVENT

# Unconfirmed web registrations: the link died after 48 hours; a week more for questions.
KEEP_UNCONFIRMED = timedelta(days=7)


async def purge() -> int:
    """Unconfirmed email registrations long expired, confirmations whose manage link has
    expired with the event, and ended admin sessions."""
    now = datetime.now(UTC)
    removed = await fetch(
        "DELETE FROM email_confirmation WHERE (used_at IS NULL AND expires_at < {}) "
        "OR event IN (SELECT id FROM event WHERE ends_at < {}) RETURNING id",
        now - KEEP_UNCONFIRMED,
        now - MANAGE_LINK_AFTER_EVENT,
    )
    return len(removed) + await accounts.purge_ended_sessions()
