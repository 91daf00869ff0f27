"""Personal feed tokens: unguessable, showable again, rotatable and revocable.

token = base64url(HMAC-SHA256(SECRET_KEY, "calendar:<member id>:<salt>")), 256 bits. The
database keeps the random salt and the token's SHA-256 (for lookup), never the token, so
neither the database alone nor the key alone yields a feed. Rotating draws a new salt;
revoking clears it. Changing SECRET_KEY invalidates every personal feed link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from events import schemas
from events.auth import MemberPrincipal
from events.config import get_settings
from events.db import fetch, fetch_one


def _derive(member_id: int, salt: str) -> str:
    key = get_settings().secret_key.encode()
    digest = hmac.new(key, f"calendar:{member_id}:{salt}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def links(token: str) -> schemas.PersonalCalendar:
    url = f"{get_settings().base_url}/calendar/me/{token}.ics"
    return schemas.PersonalCalendar(url=url, webcal=webcal(url))


def webcal(url: str) -> str:
    return "webcal://" + url.split("://", 1)[1]


async def _issue(member_id: int) -> str:
    salt = secrets.token_hex(16)
    token = _derive(member_id, salt)
    await fetch(
        "UPDATE member SET calendar_salt = {}, calendar_token_hash = {} WHERE id = {}",
        salt,
        _hash(token),
        member_id,
    )
    return token


async def personal_calendar(member: MemberPrincipal) -> schemas.PersonalCalendar:
    """The member's feed link, created on first request."""
    row = await fetch_one("SELECT calendar_salt FROM member WHERE id = {}", member.id)
    salt = row["calendar_salt"] if row else None
    token = _derive(member.id, salt) if salt else await _issue(member.id)
    return links(token)


async def rotate(member: MemberPrincipal) -> schemas.PersonalCalendar:
    """A new link; the old one stops working at once."""
    return links(await _issue(member.id))


async def revoke(member: MemberPrincipal) -> None:
    await fetch(
        "UPDATE member SET calendar_salt = NULL, calendar_token_hash = NULL WHERE id = {}",
        member.id,
    )


async def member_for_token(token: str) -> dict | None:
    if len(token) != 43:  # 32 bytes, base64url without padding
        return None
    row = await fetch_one(
        "SELECT id, name, calendar_salt FROM member WHERE calendar_token_hash = {}", _hash(token)
    )
    # Re-derive too, so a token made with an older SECRET_KEY stops working.
    if row is None or not hmac.compare_digest(_derive(row["id"], row["calendar_salt"]), token):
        return None
    return row
