"""Organizer accounts: created from the command line (and by admins later)."""

from __future__ import annotations

from datetime import UTC, datetime

from events import schemas
from events.db import fetch, fetch_one, write_transaction
from events.enums import OrganizerRole
from events.errors import InvalidInput
from events.services.members import issue_token


async def ensure_organizer(
    email: str, name: str | None, role: OrganizerRole, region_slugs: list[str]
) -> schemas.IssuedToken:
    email = email.strip().lower()
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
    async with write_transaction():
        existing = await fetch_one("SELECT id FROM organizer WHERE email = {}", email)
        if existing is None:
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
            organizer_id = existing["id"]
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
    return await issue_token(organizer_id=organizer_id, label="cli")
