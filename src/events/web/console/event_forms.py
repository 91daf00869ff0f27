"""The console's event and session forms: what was typed, read into the API's Structs.

Pure: no database, no HTTP; form_fields.py reads the text. Times are typed as local
date-times (``<input type="datetime-local">``) in the event's time zone and become aware
datetimes here. An edit sends only the fields whose values changed, so retyping a session's
title does not tell its attendees that the session moved.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from msgspec import Struct

from events import schemas
from events.enums import EventKind
from events.errors import DomainError
from events.web import format
from events.web.console.form_fields import (
    FieldReader,
    FormInvalid,
    convert,
    local_input,
    posted_text,
    posted_ticked,
    posted_values,
)

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# A service's refusal, by its reason, shown next to the field it is about.
REASON_FIELDS = {
    "slug_taken": "slug",
    "invalid_timezone": "timezone",
    "invalid_registration_window": "registration_closes_at",
    "unknown_region": "regions",
    "unknown_topic": "topics",
    "no_location": "venue_name",
    "invalid_session_times": "ends_at",
    "naive_datetime": "starts_at",
}


SLUG_TAKEN = "Another event has this address name: type another one."


def refusal(exc: DomainError) -> tuple[dict[str, str], str | None]:
    """(field errors, notice): a refusal next to its field when it is about one."""
    if isinstance(exc, FormInvalid):
        return exc.errors, None
    reason = exc.extra.get("reason", "")
    field = REASON_FIELDS.get(reason)
    detail = SLUG_TAKEN if reason == "slug_taken" else exc.detail
    return ({field: detail}, None) if field else ({}, detail)


class EventForm(Struct, kw_only=True):
    """The event form as typed (or as prefilled from the event)."""

    title: str = ""
    slug: str = ""
    kind: str = EventKind.workshop.value
    summary: str = ""
    description: str = ""
    regions: list[str] = []
    topics: list[str] = []
    timezone: str = ""
    venue_name: str = ""
    venue_address: str = ""
    latitude: str = ""
    longitude: str = ""
    online_url: str = ""
    capacity: str = ""
    organization_seat_cap: str = ""
    approval_required: bool = False
    members_only: bool = False
    registration_opens_at: str = ""
    registration_closes_at: str = ""
    credit_hours: str = "0"


class SessionForm(Struct, kw_only=True):
    title: str = ""
    starts_at: str = ""
    ends_at: str = ""
    location_name: str = ""
    location_address: str = ""
    description: str = ""
    required: bool = False


# The forms' fields in page order: the list of problems follows it.
FIELD_ORDER = [*EventForm.__struct_fields__, *SessionForm.__struct_fields__]


def read_event(data: Mapping[str, Any]) -> EventForm:
    text = {field: posted_text(data, field) for field in EventForm.__struct_fields__}
    return EventForm(
        **{
            **text,
            "description": posted_text(data, "description", multiline=True),
            "regions": list(dict.fromkeys(v.strip() for v in posted_values(data, "regions"))),
            "topics": list(dict.fromkeys(v.strip() for v in posted_values(data, "topics"))),
            "approval_required": posted_ticked(data, "approval_required"),
            "members_only": posted_ticked(data, "members_only"),
        }
    )


def read_session(data: Mapping[str, Any]) -> SessionForm:
    return SessionForm(
        title=posted_text(data, "title"),
        description=posted_text(data, "description", multiline=True),
        starts_at=posted_text(data, "starts_at"),
        ends_at=posted_text(data, "ends_at"),
        location_name=posted_text(data, "location_name"),
        location_address=posted_text(data, "location_address", multiline=True),
        required=posted_ticked(data, "required"),
    )


# Prefilling ------------------------------------------------------------------------------


def _number(value: float | None) -> str:
    # 6 decimals: about 10 cm, and more than a PostgreSQL REAL keeps.
    return "" if value is None else f"{value:.6f}".rstrip("0").rstrip(".")


def blank_event(hosts: list[schemas.Region]) -> EventForm:
    """A new event: in the first region's time zone, hosted by it when it is the only one."""
    return EventForm(
        timezone=hosts[0].timezone if hosts else "America/Denver",
        regions=[hosts[0].slug] if len(hosts) == 1 else [],
    )


def event_form(event: schemas.Event) -> EventForm:
    venue = event.venue
    return EventForm(
        title=event.title,
        slug=event.slug,
        kind=str(event.kind),
        summary=event.summary,
        description=event.description,
        regions=[region.slug for region in event.regions],
        topics=[topic.slug for topic in event.topics],
        timezone=event.timezone,
        venue_name=venue.name if venue else "",
        venue_address=(venue.address or "") if venue else "",
        latitude=_number(venue.latitude) if venue else "",
        longitude=_number(venue.longitude) if venue else "",
        online_url=event.online_url or "",
        capacity="" if event.capacity is None else str(event.capacity),
        organization_seat_cap=""
        if event.organization_seat_cap is None
        else str(event.organization_seat_cap),
        approval_required=event.approval_required,
        members_only=event.members_only,
        registration_opens_at=local_input(event.registration_opens_at, event.timezone),
        registration_closes_at=local_input(event.registration_closes_at, event.timezone),
        credit_hours=_number(event.credit_hours) or "0",
    )


def session_form(session: schemas.Session, timezone: str) -> SessionForm:
    return SessionForm(
        title=session.title,
        description=session.description,
        starts_at=local_input(session.starts_at, timezone),
        ends_at=local_input(session.ends_at, timezone),
        location_name=session.location_name or "",
        location_address=session.location_address or "",
        required=session.required,
    )


def derive_slug(title: str) -> str:
    """ "Smart Streets 101: Sensors" -> "smart-streets-101-sensors" (at most 80 characters)."""
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:80].rstrip("-")


def _event_values(form: EventForm, read: FieldReader) -> dict[str, Any]:
    """The fields that creating and changing an event share, as the API's values."""
    zone = read.zone(form.timezone)
    opens = read.moment("registration_opens_at", form.registration_opens_at, zone)
    closes = read.moment("registration_closes_at", form.registration_closes_at, zone)
    if opens and closes and closes <= opens:
        read.fail("registration_closes_at", "Registration must close after it opens.")
    url = form.online_url or None
    if url and (not re.match(r"^https?://\S+$", url) or len(url) > 2000):
        read.fail("online_url", "Enter a link that starts with https://.")
    return {
        "title": read.title("title", form.title, "event"),
        "summary": read.short("summary", form.summary, 500) or "",
        "description": form.description,
        "timezone": form.timezone,
        "venue": _venue(form, read),
        "online_url": url,
        "capacity": read.seats("capacity", form.capacity),
        "organization_seat_cap": read.seats("organization_seat_cap", form.organization_seat_cap),
        "approval_required": form.approval_required,
        "members_only": form.members_only,
        "registration_opens_at": opens,
        "registration_closes_at": closes,
        "credit_hours": read.decimal(
            "credit_hours",
            form.credit_hours or "0",
            0,
            schemas.MAX_CREDIT_HOURS,
            f"Enter hours from 0 to {schemas.MAX_CREDIT_HOURS}.",
        ),
    }


def _venue(form: EventForm, read: FieldReader) -> dict[str, Any] | None:
    if not (form.venue_name or form.venue_address or form.latitude or form.longitude):
        return None
    if not form.venue_name:
        read.fail("venue_name", "Give the venue a name, or clear its address and coordinates.")
    if bool(form.latitude) != bool(form.longitude):
        read.fail(
            "longitude" if form.latitude else "latitude",
            "Give both the latitude and the longitude, or neither.",
        )
    return {
        "name": read.short("venue_name", form.venue_name),
        "address": form.venue_address or None,
        "latitude": read.decimal(
            "latitude", form.latitude, -90, 90, "Enter a latitude from -90 to 90, e.g. 39.7392."
        )
        if form.latitude
        else None,
        "longitude": read.decimal(
            "longitude",
            form.longitude,
            -180,
            180,
            "Enter a longitude from -180 to 180, e.g. -104.9903.",
        )
        if form.longitude
        else None,
    }


def _choose(read: FieldReader, field: str, chosen: list[str], offered: set[str]) -> None:
    if any(slug not in offered for slug in chosen):
        read.fail(field, "Choose from the list.")


def event_create(form: EventForm, regions: set[str], topics: set[str]) -> schemas.EventCreate:
    """``regions``: those the organizer may host in; ``topics``: all topics."""
    read = FieldReader(FIELD_ORDER)
    values = _event_values(form, read)
    slug = form.slug.lower() or derive_slug(form.title)
    if not slug and form.title:
        read.fail("slug", "Type an address name: the title has no letters to make one from.")
    elif slug and (not SLUG.match(slug) or len(slug) > 120):
        read.fail("slug", "Use lowercase letters, digits and single hyphens, e.g. iot-sensors-101.")
    if form.kind not in {kind.value for kind in EventKind}:
        read.fail("kind", "Choose the kind of event.")
    if not form.regions:
        read.fail("regions", "Choose the region that hosts the event.")
    elif any(region not in regions for region in form.regions):
        read.fail("regions", "Choose among the regions you organize.")
    _choose(read, "topics", form.topics, topics)
    read.done()
    values |= {"slug": slug, "kind": form.kind, "regions": form.regions, "topics": form.topics}
    return convert(values, schemas.EventCreate)


def event_update(
    form: EventForm, current: EventForm, regions: set[str], topics: set[str]
) -> schemas.EventUpdate:
    """The fields whose values differ from ``current`` (the event as it is). Regions the
    organizer does not organize are kept as they are: the form does not offer them."""
    read = FieldReader(FIELD_ORDER)
    values = _event_values(form, read)
    chosen = [slug for slug in form.regions if slug in regions]
    hosts = [slug for slug in current.regions if slug not in regions or slug in chosen]
    hosts += [slug for slug in chosen if slug not in hosts]
    if len(chosen) != len(form.regions):
        read.fail("regions", "Choose among the regions you organize.")
    elif not any(slug in regions for slug in hosts):
        read.fail("regions", "Choose at least one of your regions to host the event.")
    _choose(read, "topics", form.topics, topics)
    read.done()
    before = _event_values(current, FieldReader(FIELD_ORDER))
    changes = {field: value for field, value in values.items() if before.get(field) != value}
    if hosts != current.regions:
        changes["regions"] = hosts
    if set(form.topics) != set(current.topics):
        changes["topics"] = form.topics
    return convert(changes, schemas.EventUpdate)


def _session_values(form: SessionForm, zone: ZoneInfo, read: FieldReader) -> dict[str, Any]:
    starts = read.moment("starts_at", form.starts_at, zone)
    ends = read.moment("ends_at", form.ends_at, zone)
    for field, text in (("starts_at", form.starts_at), ("ends_at", form.ends_at)):
        if not text:
            read.fail(field, "Enter a date and time, e.g. 2026-03-04 09:00.")
    if starts and ends and ends <= starts:
        read.fail("ends_at", "The session must end after it starts.")
    return {
        "title": read.title("title", form.title, "session"),
        "description": form.description,
        "starts_at": starts,
        "ends_at": ends,
        "location_name": read.short("location_name", form.location_name),
        "location_address": form.location_address or None,
        "required": form.required,
    }


def session_create(form: SessionForm, timezone: str) -> schemas.SessionCreate:
    read = FieldReader(FIELD_ORDER)
    values = _session_values(form, format.zone(timezone), read)
    read.done()
    return convert(values, schemas.SessionCreate)


def session_update(form: SessionForm, current: SessionForm, timezone: str) -> schemas.SessionUpdate:
    read = FieldReader(FIELD_ORDER)
    zone = format.zone(timezone)
    values = _session_values(form, zone, read)
    read.done()
    before = _session_values(current, zone, FieldReader(FIELD_ORDER))
    changes = {field: value for field, value in values.items() if before.get(field) != value}
    return convert(changes, schemas.SessionUpdate)
