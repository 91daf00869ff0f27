"""The console's organizer forms (an admin's add and edit, an organizer's new password): what
was typed, read into the services' Structs.

Pure: no database, no HTTP; form_fields.py reads the text. Rules (a valid email, known
regions, an admin keeping their own role) stay in the services; their refusals are shown
next to the field they are about.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from msgspec import Struct

from events.enums import OrganizerRole
from events.errors import DomainError
from events.services.organizer_admin import OrganizerCreate, OrganizerListing, OrganizerUpdate
from events.web.console.form_fields import FieldReader, FormInvalid, posted_text, posted_values

ROLE_OPTIONS = [
    (OrganizerRole.region_organizer.value, "Region organizer: the events of their regions"),
    (OrganizerRole.checkin_staff.value, "Check-in staff: attendance at their regions' events"),
    (OrganizerRole.admin.value, "Coalition admin: everything, including organizer accounts"),
]
ROLE_LABELS = {
    OrganizerRole.admin: "Coalition admin",
    OrganizerRole.region_organizer: "Region organizer",
    OrganizerRole.checkin_staff: "Check-in staff",
}

# A service's refusal, by its reason, shown next to the field it is about.
REASON_FIELDS = {
    "invalid_email": "email",
    "email_taken": "email",
    "no_name": "name",
    "name_too_long": "name",
    "own_role": "role",
    "unknown_region": "regions",
    "no_region": "regions",
    "password_too_short": "password",
    "password_mismatch": "repeated",
}


def refusal(exc: DomainError) -> tuple[dict[str, str], str | None]:
    """(field errors, notice): a refusal next to its field when it is about one."""
    if isinstance(exc, FormInvalid):
        return exc.errors, None
    field = REASON_FIELDS.get(exc.extra.get("reason", ""))
    return ({field: exc.detail}, None) if field else ({}, exc.detail)


class OrganizerForm(Struct, kw_only=True):
    """The organizer form as typed (or as prefilled from the organizer)."""

    email: str = ""
    name: str = ""
    role: str = OrganizerRole.region_organizer.value
    regions: list[str] = []


def organizer_form(organizer: OrganizerListing) -> OrganizerForm:
    return OrganizerForm(
        email=organizer.email,
        name=organizer.name,
        role=organizer.role.value,
        regions=list(organizer.regions),
    )


def read_organizer(data: Mapping[str, Any]) -> OrganizerForm:
    return OrganizerForm(
        email=posted_text(data, "email"),
        name=posted_text(data, "name"),
        role=posted_text(data, "role"),
        regions=[slug for slug in posted_values(data, "regions") if slug],
    )


def _role(reader: FieldReader, form: OrganizerForm) -> OrganizerRole:
    try:
        return OrganizerRole(form.role)
    except ValueError:
        reader.fail("role", "Choose a role.")
        return OrganizerRole.region_organizer


def organizer_create(form: OrganizerForm) -> OrganizerCreate:
    reader = FieldReader(["email", "name", "role", "regions"])
    if not form.email:
        reader.fail("email", "Give the organizer's email address.")
    if not form.name:
        reader.fail("name", "Give the organizer's name.")
    role = _role(reader, form)
    reader.done()
    return OrganizerCreate(email=form.email, name=form.name, role=role, regions=form.regions)


def organizer_update(form: OrganizerForm) -> OrganizerUpdate:
    reader = FieldReader(["name", "role", "regions"])
    if not form.name:
        reader.fail("name", "Give the organizer's name.")
    role = _role(reader, form)
    reader.done()
    return OrganizerUpdate(name=form.name, role=role, regions=form.regions)


class PasswordForm(Struct, kw_only=True):
    """Never shown again as typed: the page comes back with empty fields."""

    password: str = ""
    repeated: str = ""


def read_password(data: Mapping[str, Any]) -> PasswordForm:
    # Passwords are taken exactly as typed: spaces inside and around them count.
    first, second = posted_values(data, "password"), posted_values(data, "repeated")
    return PasswordForm(password=first[-1] if first else "", repeated=second[-1] if second else "")
