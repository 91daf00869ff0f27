"""Signed links to a member's notification preferences, working without signing in.

A link carries the member's id and an HMAC of (id, email) under a key derived from
SECRET_KEY for this purpose only. Nothing is stored: changing SECRET_KEY, or erasing the
member (their email is gone), ends every link. The links change what email the member
gets and nothing else, so they may sit in every email (List-Unsubscribe, RFC 8058).
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from events.config import derived_key, get_settings
from events.enums import NotificationKind

PREFERENCES_PATH = "/me/preferences/"
UNSUBSCRIBE_PATH = "/me/unsubscribe/"

# What a one-click unsubscribe turns off, per kind of email that carries List-Unsubscribe.
LISTS = {
    NotificationKind.reminder_24h: "reminders",
    NotificationKind.reminder_1h: "reminders",
    NotificationKind.announcement: "announcements",
}
LIST_COLUMNS = {"reminders": "reminder_emails", "announcements": "announcement_emails"}


def _signature(member_id: int, email: str) -> str:
    key = derived_key(get_settings().secret_key, "convene member preferences")
    digest = hmac.new(key, f"{member_id}:{email.lower()}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:20]).decode().rstrip("=")


def token(member_id: int, email: str) -> str:
    return f"{member_id}.{_signature(member_id, email)}"


def member_id_of(value: str) -> int | None:
    """The member id a token claims (check it with ``is_valid`` against their email)."""
    member, _, signature = value.partition(".")
    if not member.isdigit() or not signature or len(member) > 18:
        return None
    return int(member)


def is_valid(value: str, member_id: int, email: str) -> bool:
    return hmac.compare_digest(value.encode(), token(member_id, email).encode())


def preferences_url(member_id: int, email: str) -> str:
    return f"{get_settings().base_url}{PREFERENCES_PATH}{token(member_id, email)}"


def unsubscribe_url(member_id: int, email: str, kind: NotificationKind) -> str | None:
    """The one-click unsubscribe URL for this kind of email; None for transactional ones."""
    name = LISTS.get(kind)
    if name is None:
        return None
    return f"{get_settings().base_url}{UNSUBSCRIBE_PATH}{token(member_id, email)}?list={name}"


def list_headers(member_id: int, email: str, kind: NotificationKind) -> dict[str, str]:
    """List-Unsubscribe and List-Unsubscribe-Post (RFC 8058) for an email of this kind."""
    url = unsubscribe_url(member_id, email, kind)
    if url is None:
        return {}
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
