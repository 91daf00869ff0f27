"""Organizer accounts: created and updated (the CLI; the console's admin pages through
``organizer_admin``), their console passwords and their regions."""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from events import schemas
from events.auth import (
    ORGANIZER_SELECT,
    OrganizerPrincipal,
    organizer_from_rows,
    password_fingerprint,
)
from events.db import fetch, fetch_one, write_transaction
from events.enums import OrganizerRole
from events.errors import Gone, InvalidInput, NotFound
from events.services.members import issue_token


async def ensure_organizer(
    email: str, name: str | None, role: OrganizerRole, region_slugs: list[str]
) -> schemas.IssuedToken:
    """Create or update an organizer (the CLI) and issue them a new API token."""
    regions = await regions_for_role(role, region_slugs)
    async with write_transaction():
        organizer_id = await save_organizer(email, name, role, regions)
    return await issue_token(organizer_id=organizer_id, label="cli")


async def regions_for_role(role: OrganizerRole, region_slugs: list[str]) -> list[dict]:
    """The regions (id, slug) named by ``region_slugs``; refused when one is unknown, or when
    a role other than admin is given none."""
    regions = await fetch(
        "SELECT id, slug FROM region WHERE slug IN ("
        + ", ".join("{}" for _ in region_slugs or [""])
        + ")",
        *(region_slugs or [""]),
    )
    missing = set(region_slugs) - {row["slug"] for row in regions}
    if missing:
        raise InvalidInput(
            f"Unknown regions: {', '.join(sorted(missing))}", reason="unknown_region"
        )
    if role is not OrganizerRole.admin and not regions:
        raise InvalidInput(
            "Give region organizers and check-in staff a --region.", reason="no_region"
        )
    return regions


async def save_organizer(
    email: str,
    name: str | None,
    role: OrganizerRole,
    regions: list[dict],
    *,
    organizer_id: int | None = None,
) -> int:
    """Write an organizer's name, role and regions (from ``regions_for_role``), by id or
    else by email (created when new); the caller holds the write transaction."""
    email = email.strip().lower()
    if organizer_id is None:
        existing = await fetch_one("SELECT id FROM organizer WHERE email = {}", email)
        organizer_id = existing["id"] if existing else None
    if organizer_id is None:
        row = await fetch_one(
            "INSERT INTO organizer (email, name, role, active, created_at) "
            "VALUES ({}, {}, {}, {}, {}) RETURNING id",
            email,
            name or email.split("@")[0],
            role.value,
            True,
            datetime.now(UTC),
        )
        assert row is not None
        organizer_id = row["id"]
    else:
        await fetch(
            "UPDATE organizer SET role = {}, name = COALESCE({}, name) WHERE id = {}",
            role.value,
            name,
            organizer_id,
        )
    await fetch("DELETE FROM organizer_region WHERE organizer = {}", organizer_id)
    for region in regions:
        await fetch(
            "INSERT INTO organizer_region (organizer, region) VALUES ({}, {})",
            organizer_id,
            region["id"],
        )
    return organizer_id


# argon2id with the library's defaults (RFC 9106's second recommended option, 64 MiB).
_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 12
# Verified against when the email is unknown or has no password, so a failed login costs
# the same time whether or not the account exists (no user enumeration by timing).
_NO_SUCH_HASH = _hasher.hash(secrets.token_urlsafe(16))


async def region_slugs(organizer: OrganizerPrincipal) -> frozenset[str]:
    """The slugs of the regions an organizer organizes (none for admins: they have all)."""
    ids = sorted(organizer.region_ids)
    if not ids:
        return frozenset()
    placeholders = ", ".join("{}" for _ in ids)
    rows = await fetch(f"SELECT slug FROM region WHERE id IN ({placeholders})", *ids)
    return frozenset(row["slug"] for row in rows)


class _AnyPassword:
    """``set_password``'s default: whatever password the organizer has now."""


ANY_PASSWORD = _AnyPassword()


async def set_password(
    email: str, password: str, *, replacing: str | None | _AnyPassword = ANY_PASSWORD
) -> None:
    """``replacing``: set it only while the stored hash is still this one (None: no password
    yet), else Gone; so a password link pressed twice at once sets a password once."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"Use at least {MIN_PASSWORD_LENGTH} characters.", reason="password_too_short"
        )
    hashed = await asyncio.to_thread(_hasher.hash, password)  # ~50 ms of CPU: off the loop
    sql = "UPDATE organizer SET password_hash = {} WHERE email = {}"
    args: list[object] = [hashed, email.strip().lower()]
    if replacing is None:
        sql += " AND password_hash IS NULL"
    elif isinstance(replacing, str):
        sql += " AND password_hash = {}"
        args.append(replacing)
    row = await fetch_one(sql + " RETURNING id", *args)
    if row is None and not isinstance(replacing, _AnyPassword):
        raise Gone("This password was changed meanwhile.", reason="used")
    if row is None:
        raise NotFound(f"No organizer {email}.")


async def check_password(email: str, password: str) -> tuple[OrganizerPrincipal, str] | None:
    """The active organizer and their password's fingerprint, or None: the same answer
    (and about the same time) for an unknown email, no password, or a wrong one."""
    rows = await fetch(
        f"{ORGANIZER_SELECT.replace('o.role,', 'o.role, o.password_hash,')} "
        "WHERE o.email = {} AND o.active",
        email.strip().lower(),
    )
    stored = rows[0]["password_hash"] if rows else None
    try:
        await asyncio.to_thread(_hasher.verify, stored or _NO_SUCH_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if not stored:
        return None
    if _hasher.check_needs_rehash(stored):  # parameters changed since it was set
        await set_password(email, password)
        return await check_password(email, password)
    return organizer_from_rows(rows), password_fingerprint(stored)
