"""Organizers' decisions on single registrations: approve, decline, remove, promote."""

from __future__ import annotations

from datetime import UTC, datetime

from events import tasks
from events.auth import OrganizerPrincipal
from events.db import fetch_one, write_transaction
from events.enums import NotificationKind, RegistrationStatus
from events.errors import Conflict, NotFound
from events.services import notifications
from events.services.permissions import require_event_access
from events.services.registrations import RegistrationRecord, load_registration
from events.services.seats import release, take_seat_or_queue


def _now() -> datetime:
    return datetime.now(UTC)


async def approve(organizer: OrganizerPrincipal, registration_id: int) -> RegistrationRecord:
    """Approve a pending registration: a seat if one is free, else the waitlist."""
    current = await _registration_for_manager(organizer, registration_id)
    if current["status"] != RegistrationStatus.pending:
        raise Conflict("Only pending registrations can be approved.", reason="not_pending")
    async with write_transaction():
        status, arrival, _ = await take_seat_or_queue(current["event"])
        now = _now()
        row = await fetch_one(
            "UPDATE registration SET status = {}, arrival = {}, updated_at = {}, "
            "confirmed_at = {} WHERE id = {} AND status = 'pending' RETURNING id",
            status.value,
            arrival,
            now,
            now if status is RegistrationStatus.confirmed else None,
            registration_id,
        )
        if row is None:
            raise Conflict("The registration is no longer pending.", reason="not_pending")
        # Says what the approval gave (a seat or a waitlist place) as it is when sent.
        await notifications.record(NotificationKind.approved, [registration_id])
    await tasks.enqueue_deliveries([registration_id])
    return await load_registration(registration_id)


async def decline(organizer: OrganizerPrincipal, registration_id: int) -> RegistrationRecord:
    current = await _registration_for_manager(organizer, registration_id)
    not_pending = Conflict("Only pending registrations can be declined.", reason="not_pending")
    if current["status"] != RegistrationStatus.pending:
        raise not_pending
    # Checked again under the event's lock: an approval may win the race meanwhile.
    await release(
        registration_id,
        RegistrationStatus.declined,
        only_from=(RegistrationStatus.pending,),
        refusal=not_pending,
        tell=NotificationKind.declined,
    )
    return await load_registration(registration_id)


async def remove(organizer: OrganizerPrincipal, registration_id: int) -> RegistrationRecord:
    """An organizer cancels someone's registration; a freed seat goes to the waitlist."""
    await _registration_for_manager(organizer, registration_id)
    await release(
        registration_id,
        RegistrationStatus.cancelled,
        tell=NotificationKind.registration_cancelled,
    )
    return await load_registration(registration_id)


async def promote(organizer: OrganizerPrincipal, registration_id: int) -> RegistrationRecord:
    """Admit someone from the waitlist out of turn, adding a seat when the event is full."""
    current = await _registration_for_manager(organizer, registration_id)
    if current["status"] != RegistrationStatus.waitlisted:
        raise Conflict("Only waitlisted registrations can be promoted.", reason="not_waitlisted")
    async with write_transaction():
        opened = await fetch_one(
            "UPDATE event SET capacity = CASE "
            "WHEN capacity IS NOT NULL AND seats_taken >= capacity "
            "THEN seats_taken + 1 ELSE capacity END, seats_taken = seats_taken + 1, "
            "waitlisted = waitlisted - 1 WHERE id = {} AND status = 'published' RETURNING id",
            current["event"],
        )
        if opened is None:
            raise Conflict("A cancelled event offers no seats.", reason="event_cancelled")
        now = _now()
        row = await fetch_one(
            "UPDATE registration SET status = 'confirmed', confirmed_at = {}, updated_at = {} "
            "WHERE id = {} AND status = 'waitlisted' RETURNING id",
            now,
            now,
            registration_id,
        )
        if row is None:
            raise Conflict("The registration is no longer waitlisted.", reason="not_waitlisted")
        await notifications.record(NotificationKind.promoted, [registration_id])
    await tasks.enqueue_deliveries([registration_id])
    return await load_registration(registration_id)


async def _registration_for_manager(organizer: OrganizerPrincipal, registration_id: int) -> dict:
    row = await fetch_one(
        "SELECT id, event, status FROM registration WHERE id = {}", registration_id
    )
    if row is None:
        raise NotFound("No such registration.")
    await require_event_access(organizer, row["event"], manage=True)
    return row
