"""Coalition admins manage organizer accounts: list, add, change, deactivate, reactivate.

Every function takes the acting admin and refuses anyone else. The writes reuse
``organizers``' validation and writing (what the CLI does), minus the CLI's API token: the
console never shows one. An admin cannot demote or deactivate themselves, so the coalition
always keeps the admin who is acting. Deactivation ends the organizer's console sessions
(``auth.organizer_for_session`` reloads them with ``o.active`` on every request) and their
API tokens stop authenticating (``organizer_for_token`` requires it too); nothing else about
their tokens changes. Password links are ``password_links``'.
"""

from __future__ import annotations

import re

from msgspec import Struct

from events.auth import OrganizerPrincipal, require_admin
from events.db import fetch, fetch_one, is_unique_violation, write_transaction
from events.enums import OrganizerRole
from events.errors import Conflict, InvalidInput, NotFound
from events.services import organizers

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_EMAIL = 320
MAX_NAME = 200
EMAIL_TAKEN = "There is an organizer with this email already: change them on their page."


class OrganizerListing(Struct, kw_only=True):
    id: int
    email: str
    name: str
    role: OrganizerRole
    regions: list[str]  # slugs
    region_names: list[str]
    active: bool
    has_password: bool


class OrganizerCreate(Struct, kw_only=True):
    email: str
    name: str
    role: OrganizerRole
    regions: list[str]  # slugs


class OrganizerUpdate(Struct, kw_only=True):
    name: str
    role: OrganizerRole
    regions: list[str]  # slugs


_LISTING = (
    "SELECT o.id, o.email, o.name, o.role, o.active, o.password_hash, "
    "r.slug AS region, r.name AS region_name FROM organizer o "
    "LEFT JOIN organizer_region x ON x.organizer = o.id "
    "LEFT JOIN region r ON r.id = x.region"
)


def _listings(rows: list[dict]) -> list[OrganizerListing]:
    found: dict[int, OrganizerListing] = {}
    for row in rows:
        listing = found.get(row["id"])
        if listing is None:
            listing = found[row["id"]] = OrganizerListing(
                id=row["id"],
                email=row["email"],
                name=row["name"],
                role=OrganizerRole(row["role"]),
                regions=[],
                region_names=[],
                active=bool(row["active"]),
                has_password=bool(row["password_hash"]),
            )
        if row["region"] is not None:
            listing.regions.append(row["region"])
            listing.region_names.append(row["region_name"])
    return list(found.values())


async def list_organizers(admin: OrganizerPrincipal) -> list[OrganizerListing]:
    """Active organizers first, then by name."""
    require_admin(admin)
    rows = await fetch(f"{_LISTING} ORDER BY o.active DESC, lower(o.name), o.id, r.name")
    return _listings(rows)


async def get_organizer(admin: OrganizerPrincipal, organizer_id: int) -> OrganizerListing:
    require_admin(admin)
    rows = await fetch(f"{_LISTING} WHERE o.id = {{}} ORDER BY r.name", organizer_id)
    if not rows:
        raise NotFound("There is no such organizer.")
    return _listings(rows)[0]


def _name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("Give the organizer's name.", reason="no_name")
    if len(name) > MAX_NAME:
        raise InvalidInput(f"Keep the name to {MAX_NAME} characters.", reason="name_too_long")
    return name


async def _regions(role: OrganizerRole, slugs: list[str]) -> list[dict]:
    try:
        return await organizers.regions_for_role(role, slugs)
    except InvalidInput as exc:
        if exc.extra.get("reason") != "no_region":
            raise
        raise InvalidInput(
            "Tick the regions of a region organizer or check-in staff.", reason="no_region"
        ) from None


async def create_organizer(admin: OrganizerPrincipal, data: OrganizerCreate) -> int:
    """A new, active organizer without a password (send them a link); their id."""
    require_admin(admin)
    email = data.email.strip().lower()
    if not EMAIL.match(email) or len(email) > MAX_EMAIL:
        raise InvalidInput("Enter an email address, e.g. name@city.gov.", reason="invalid_email")
    name = _name(data.name)
    regions = await _regions(data.role, data.regions)
    try:
        async with write_transaction():
            if await fetch_one("SELECT id FROM organizer WHERE email = {}", email):
                raise Conflict(EMAIL_TAKEN, reason="email_taken")
            return await organizers.save_organizer(email, name, data.role, regions)
    except Exception as exc:
        if is_unique_violation(exc):  # added by someone else at the same moment
            raise Conflict(EMAIL_TAKEN, reason="email_taken") from exc
        raise


async def update_organizer(
    admin: OrganizerPrincipal, organizer_id: int, data: OrganizerUpdate
) -> None:
    """A new name, role and regions; the change applies to their next request."""
    require_admin(admin)
    if organizer_id == admin.id and data.role is not OrganizerRole.admin:
        raise Conflict(
            "You cannot take away your own admin role: ask another admin.", reason="own_role"
        )
    name = _name(data.name)
    regions = await _regions(data.role, data.regions)
    async with write_transaction():
        row = await fetch_one("SELECT email FROM organizer WHERE id = {}", organizer_id)
        if row is None:
            raise NotFound("There is no such organizer.")
        await organizers.save_organizer(
            row["email"], name, data.role, regions, organizer_id=organizer_id
        )


async def set_active(admin: OrganizerPrincipal, organizer_id: int, active: bool) -> None:
    """Deactivate (their console sessions and API tokens stop working at once) or
    reactivate an organizer."""
    require_admin(admin)
    if organizer_id == admin.id and not active:
        raise Conflict(
            "You cannot deactivate your own account: ask another admin.", reason="own_account"
        )
    row = await fetch_one(
        "UPDATE organizer SET active = {} WHERE id = {} RETURNING id", active, organizer_id
    )
    if row is None:
        raise NotFound("There is no such organizer.")
