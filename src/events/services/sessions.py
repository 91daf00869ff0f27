"""Sessions of an event. A change of time, place or status bumps the session's revision."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec

from events import schemas, tasks
from events.auth import OrganizerPrincipal
from events.db import fetch, fetch_one, write_transaction
from events.enums import NotificationKind
from events.errors import Conflict, InvalidInput, NotFound
from events.services import notifications
from events.services.permissions import require_event_access

_REVISED_FIELDS = {"starts_at", "ends_at", "location_name", "location_address"}


def require_aware(value: datetime | None) -> None:
    if value is not None and value.tzinfo is None:
        raise InvalidInput(
            "Give times with a UTC offset, e.g. 2026-03-04T09:00:00-07:00.", reason="naive_datetime"
        )


def whole_seconds(value: object) -> object:
    """Times are stored in whole seconds: iCalendar and calendar links have no fractions,
    and the API must say what the feeds say."""
    return value.replace(microsecond=0) if isinstance(value, datetime) else value


def check_times(starts_at: datetime, ends_at: datetime) -> None:
    require_aware(starts_at)
    require_aware(ends_at)
    if whole_seconds(ends_at) <= whole_seconds(starts_at):  # as they will be stored
        raise InvalidInput("A session must end after it starts.", reason="invalid_session_times")


EVENT_CHANGED = NotificationKind.event_changed


async def insert_session(event_id: int, data: schemas.SessionCreate) -> int:
    now = datetime.now(UTC)
    row = await fetch_one(
        "INSERT INTO event_session (event, title, description, starts_at, ends_at, "
        "location_name, location_address, required, status, revision, created_at, updated_at) "
        "VALUES ({}, {}, {}, {}, {}, {}, {}, {}, 'scheduled', 0, {}, {}) RETURNING id",
        event_id,
        data.title,
        data.description,
        whole_seconds(data.starts_at),
        whole_seconds(data.ends_at),
        data.location_name,
        data.location_address,
        data.required,
        now,
        now,
    )
    assert row is not None
    return row["id"]


async def refresh_event_dates(event_id: int) -> None:
    """The event's first start and last end are kept on the event row for listing."""
    await fetch(
        "UPDATE event SET "
        "starts_at = (SELECT MIN(starts_at) FROM event_session "
        "WHERE event = {} AND status = 'scheduled'), "
        "ends_at = (SELECT MAX(ends_at) FROM event_session "
        "WHERE event = {} AND status = 'scheduled') WHERE id = {}",
        event_id,
        event_id,
        event_id,
    )


async def bump_revisions(event_id: int, *, only_without_location: bool = False) -> None:
    condition = " AND location_name IS NULL" if only_without_location else ""
    await fetch(
        "UPDATE event_session SET revision = revision + 1, updated_at = {} "
        f"WHERE event = {{}}{condition}",
        datetime.now(UTC),
        event_id,
    )


async def _session_for_manager(organizer: OrganizerPrincipal, session_id: int) -> dict:
    row = await fetch_one(
        "SELECT s.*, e.slug AS event_slug FROM event_session s "
        "JOIN event e ON e.id = s.event WHERE s.id = {}",
        session_id,
    )
    if row is None:
        raise NotFound("No such session.")
    await require_event_access(organizer, row["event"], manage=True)
    return row


async def add_session(
    organizer: OrganizerPrincipal, event_id: int, data: schemas.SessionCreate
) -> int:
    check_times(data.starts_at, data.ends_at)
    await require_event_access(organizer, event_id, manage=True)
    async with write_transaction():
        session_id = await insert_session(event_id, data)
        await refresh_event_dates(event_id)
    return session_id


async def update_session(
    organizer: OrganizerPrincipal, session_id: int, data: schemas.SessionUpdate
) -> str:
    """Apply the changes; returns the event's slug."""
    row = await _session_for_manager(organizer, session_id)
    changes = {
        field: whole_seconds(value)
        for field in data.__struct_fields__
        if (value := getattr(data, field)) is not msgspec.UNSET
    }
    check_times(changes.get("starts_at", row["starts_at"]), changes.get("ends_at", row["ends_at"]))
    if not changes:
        return row["event_slug"]
    revised = any(changes[field] != row[field] for field in _REVISED_FIELDS & changes.keys())
    changes["updated_at"] = datetime.now(UTC)
    assignments = ", ".join(f"{column} = {{}}" for column in changes)
    if revised:
        assignments += ", revision = revision + 1"
    told: list[int] = []
    async with write_transaction():
        await fetch(
            f"UPDATE event_session SET {assignments} WHERE id = {{}}", *changes.values(), session_id
        )
        await refresh_event_dates(row["event"])
        if revised:  # a new time or place: attendees hear of it
            told = await notifications.record_for_attendees(row["event"], EVENT_CHANGED)
    await tasks.enqueue_deliveries(told)
    return row["event_slug"]


async def cancel_session(organizer: OrganizerPrincipal, session_id: int) -> str:
    row = await _session_for_manager(organizer, session_id)
    if row["status"] == "cancelled":
        return row["event_slug"]
    now = datetime.now(UTC)
    async with write_transaction():
        changed = await fetch_one(
            "UPDATE event_session SET status = 'cancelled', revision = revision + 1, "
            "updated_at = {}, cancelled_at = {} WHERE id = {} AND status = 'scheduled' "
            "RETURNING id",
            now,
            now,
            session_id,
        )
        if changed is None:
            raise Conflict("The session changed meanwhile; try again.")
        await refresh_event_dates(row["event"])
        told = await notifications.record_for_attendees(
            row["event"], NotificationKind.session_cancelled, subject=session_id
        )
    await tasks.enqueue_deliveries(told)
    return row["event_slug"]
