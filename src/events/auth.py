"""Personal API tokens and the principals they stand for."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from litestar import Request

from events.db import fetch, fetch_one
from events.enums import OrganizerRole
from events.errors import Forbidden, NotAuthenticated

MEMBER_TOKEN_PREFIX = "cvm_"
UNKNOWN_MEMBER_TOKEN = "This member token is unknown or revoked."
ORGANIZER_TOKEN_PREFIX = "cvo_"


def new_token(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)  # 256 bits from the OS's CSPRNG


def hash_token(token: str) -> str:
    # Tokens carry 256 random bits, so a plain SHA-256 is enough: nothing to brute-force.
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class MemberPrincipal:
    id: int
    name: str
    email: str
    organization_id: int | None
    organization_is_member: bool


@dataclass(frozen=True, slots=True)
class OrganizerPrincipal:
    id: int
    name: str
    role: OrganizerRole
    region_ids: frozenset[int]

    @property
    def is_admin(self) -> bool:
        return self.role is OrganizerRole.admin

    def organizes_any(self, region_ids: set[int] | frozenset[int]) -> bool:
        return self.is_admin or bool(self.region_ids & set(region_ids))


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("Send a personal API token: Authorization: Bearer <token>.")
    return token.strip()


MEMBER_SELECT = (
    "SELECT m.id, m.name, m.email, m.organization, o.is_member FROM member m "
    "LEFT JOIN organization o ON o.id = m.organization"
)
ORGANIZER_SELECT = (
    "SELECT o.id, o.name, o.role, r.region FROM organizer o "
    "LEFT JOIN organizer_region r ON r.organizer = o.id"
)


def member_from_row(row: dict, id_column: str = "id") -> MemberPrincipal:
    """From a row of ``MEMBER_SELECT``'s columns (the id under another name if joined)."""
    return MemberPrincipal(
        id=row[id_column],
        name=row["name"],
        email=row["email"],
        organization_id=row["organization"],
        organization_is_member=bool(row["is_member"]),
    )


def organizer_from_rows(rows: list[dict]) -> OrganizerPrincipal:
    first = rows[0]
    return OrganizerPrincipal(
        id=first["id"],
        name=first["name"],
        role=OrganizerRole(first["role"]),
        region_ids=frozenset(row["region"] for row in rows if row["region"] is not None),
    )


async def member_for_token(token: str) -> MemberPrincipal:
    row = await fetch_one(
        f"{MEMBER_SELECT} JOIN api_token t ON t.member = m.id "
        "WHERE t.token_hash = {} AND t.revoked_at IS NULL",
        hash_token(token),
    )
    if row is None:
        raise NotAuthenticated(UNKNOWN_MEMBER_TOKEN)
    return member_from_row(row)


async def member_by_id(member_id: int) -> MemberPrincipal | None:
    row = await fetch_one(f"{MEMBER_SELECT} WHERE m.id = {{}}", member_id)
    return None if row is None else member_from_row(row)


async def organizer_for_token(token: str) -> OrganizerPrincipal:
    rows = await fetch(
        f"{ORGANIZER_SELECT} JOIN api_token t ON t.organizer = o.id "
        "WHERE t.token_hash = {} AND t.revoked_at IS NULL AND o.active",
        hash_token(token),
    )
    if not rows:
        raise NotAuthenticated("This organizer token is unknown or revoked.")
    return organizer_from_rows(rows)


async def organizer_for_email(email: str) -> OrganizerPrincipal | None:
    """The active organizer with this email (how Slack users are known as organizers)."""
    rows = await fetch(
        f"{ORGANIZER_SELECT} WHERE o.email = {{}} AND o.active", email.strip().lower()
    )
    return organizer_from_rows(rows) if rows else None


def password_fingerprint(password_hash: str) -> str:
    """Kept in the console session: setting a new password ends every older session."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:32]


async def organizer_for_session(organizer_id: int, fingerprint: str) -> OrganizerPrincipal | None:
    """The console session's organizer, while active and while their password is the one
    they logged in with."""
    rows = await fetch(
        "SELECT o.id, o.name, o.role, o.password_hash, r.region FROM organizer o "
        "LEFT JOIN organizer_region r ON r.organizer = o.id WHERE o.id = {} AND o.active",
        organizer_id,
    )
    stored = rows[0]["password_hash"] if rows else None
    expected = password_fingerprint(stored) if stored else ""
    if not (expected and hmac.compare_digest(expected, fingerprint)):
        return None
    return organizer_from_rows(rows)


async def provide_member(request: Request) -> MemberPrincipal:
    return await member_for_token(bearer_token(request))


async def provide_organizer(request: Request) -> OrganizerPrincipal:
    return await organizer_for_token(bearer_token(request))


def require_manager(organizer: OrganizerPrincipal) -> None:
    """Check-in staff may take attendance and read attendee lists, nothing more."""
    if organizer.role is OrganizerRole.checkin_staff:
        raise Forbidden("Check-in staff can take attendance only.")


def require_admin(organizer: OrganizerPrincipal) -> None:
    if not organizer.is_admin:
        raise Forbidden("Only coalition admins can do this.")
