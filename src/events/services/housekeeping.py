"""Rows that have outlived their use, removed by the periodic sweep (safe to run anywhere,
any number of times: each statement deletes only what nothing can use any more)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from events.admin import accounts
from events.db import fetch
from events.services.email_registrations import MANAGE_LINK_AFTER_EVENT

# Unconfirmed web registrations: the link died after 48 hours; a week more for questions.
KEEP_UNCONFIRMED = timedelta(days=7)
# Sign-in links to the member page live 15 minutes; a day more for questions.
KEEP_SIGN_IN_LINKS = timedelta(days=1)


async def purge() -> int:
    """Unconfirmed email registrations long expired, confirmations whose manage link has
    expired with the event, members' sign-in links long expired, and ended admin sessions."""
    now = datetime.now(UTC)
    removed = await fetch(
        "DELETE FROM email_confirmation WHERE (used_at IS NULL AND expires_at < {}) "
        "OR event IN (SELECT id FROM event WHERE ends_at < {}) RETURNING id",
        now - KEEP_UNCONFIRMED,
        now - MANAGE_LINK_AFTER_EVENT,
    )
    links = await fetch(
        "DELETE FROM member_login WHERE expires_at < {} RETURNING id", now - KEEP_SIGN_IN_LINKS
    )
    return len(removed) + len(links) + await accounts.purge_ended_sessions()
