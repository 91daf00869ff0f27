"""Registering, cancelling and the waitlist: every check-then-write in one transaction.

Seats are a counter on the event row. Taking one is a single conditional UPDATE
(``seats_taken < capacity``), so the row lock serialises competing registrations and
capacity holds under any concurrency. Every registration that reaches the event row also
draws an ``arrival`` number there, which orders the waitlist.

Lock order, to stay free of deadlocks: event row, then registration rows, then the
per-organization counter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from events import tasks
from events.auth import MemberPrincipal, OrganizerPrincipal
from events.db import dump_json, fetch, fetch_one, is_unique_violation, load_json, write_transaction
from events.enums import EventStatus, NotificationKind, RegistrationSource, RegistrationStatus
from events.errors import Conflict, NotFound, RegistrationRefused
from events.services import notifications
from events.services.answers import validate_answers
from events.services.permissions import require_event_access

ACTIVE = ("confirmed", "waitlisted", "pending")

REGISTRATION_COLUMNS = (
    "r.id, r.event, r.member, r.status, r.arrival, r.answers, r.source, r.created_at, "
    "r.updated_at, r.confirmed_at, r.cancelled_at"
)


@dataclass(slots=True)
class RegistrationRecord:
    row: dict
    event_slug: str
    waitlist_position: int | None
    online_url: str | None
    created: bool = False


class _ChangedUnderneath(Exception):
    """Another transaction changed the registration first: roll back and look again."""


def _now() -> datetime:
    return datetime.now(UTC)


async def _event_gate(slug: str, member_id: int) -> dict:
    row = await fetch_one(
        "SELECT e.id, e.slug, e.status, e.capacity, e.registration_opens_at, "
        "e.registration_closes_at, e.ends_at, e.members_only, e.organization_seat_cap, "
        "e.approval_required, e.questions, e.online_url, r.id AS registration_id, "
        "r.status AS registration_status "
        "FROM event e LEFT JOIN registration r ON r.event = e.id AND r.member = {} "
        "WHERE e.slug = {}",
        member_id,
        slug,
    )
    if row is None:
        raise NotFound(f"No event '{slug}'.")
    return row


def _refuse_if_closed(event: dict, member: MemberPrincipal, now: datetime) -> None:
    status = event["status"]
    if status == EventStatus.cancelled:
        raise RegistrationRefused("event_cancelled", "This event has been cancelled.")
    if status != EventStatus.published:
        raise RegistrationRefused("event_not_published", "This event is not open yet.")
    opens, closes = event["registration_opens_at"], event["registration_closes_at"]
    if opens is not None and now < opens:
        raise RegistrationRefused(
            "registration_not_open", "Registration has not opened yet.", opens_at=opens.isoformat()
        )
    if (closes is not None and now >= closes) or (
        closes is None and event["ends_at"] is not None and now >= event["ends_at"]
    ):
        raise RegistrationRefused("registration_closed", "Registration has closed.")
    if event["members_only"] and not member.organization_is_member:
        raise RegistrationRefused(
            "members_only",
            "This event is for coalition members; your organization is not a member.",
        )


async def register(
    member: MemberPrincipal,
    slug: str,
    answers: dict[str, str | bool],
    source: RegistrationSource = RegistrationSource.api,
) -> RegistrationRecord:
    """Register once: a repeated call returns the registration that already exists."""
    event = await _event_gate(slug, member.id)
    if event["registration_status"] in ACTIVE:
        return await load_registration(event["registration_id"])
    if event["registration_status"] == RegistrationStatus.declined:
        raise RegistrationRefused("declined", "An organizer declined this registration.")
    _refuse_if_closed(event, member, _now())
    answers = validate_answers(load_json(event["questions"]), answers)
    try:
        async with write_transaction():
            registration_id = await _claim_place(event, member, answers, source)
    except _ChangedUnderneath:
        pass  # a concurrent identical request won: fall through and return its result
    except Exception as exc:
        if not is_unique_violation(exc):
            raise
    else:
        record = await load_registration(registration_id)
        record.created = True
        return record
    existing = await fetch_one(
        "SELECT id FROM registration WHERE event = {} AND member = {}", event["id"], member.id
    )
    if existing is None:
        raise Conflict("The registration changed while it was being made; try again.")
    return await load_registration(existing["id"])


async def _claim_place(
    event: dict, member: MemberPrincipal, answers: dict, source: RegistrationSource
) -> int:
    now = _now()
    if event["approval_required"]:
        status, arrival = RegistrationStatus.pending, None
    else:
        status, arrival = await _take_seat_or_queue(event["id"])
    await _count_organization_seat(event, member)
    if event["registration_id"] is not None:  # a cancelled registration comes back to life
        row = await fetch_one(
            "UPDATE registration SET status = {}, arrival = {}, answers = {}, source = {}, "
            "updated_at = {}, confirmed_at = {}, cancelled_at = NULL "
            "WHERE id = {} AND status = 'cancelled' RETURNING id",
            status.value,
            arrival,
            dump_json(answers),
            source.value,
            now,
            now if status is RegistrationStatus.confirmed else None,
            event["registration_id"],
        )
        if row is None:
            raise _ChangedUnderneath
        return row["id"]
    row = await fetch_one(
        "INSERT INTO registration (event, member, status, arrival, answers, source, "
        "created_at, updated_at, confirmed_at) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}) "
        "RETURNING id",
        event["id"],
        member.id,
        status.value,
        arrival,
        dump_json(answers),
        source.value,
        now,
        now,
        now if status is RegistrationStatus.confirmed else None,
    )
    assert row is not None
    return row["id"]


async def _take_seat_or_queue(event_id: int) -> tuple[RegistrationStatus, int]:
    seat = await fetch_one(
        "UPDATE event SET seats_taken = seats_taken + 1, arrivals = arrivals + 1 "
        "WHERE id = {} AND status = 'published' "
        "AND (capacity IS NULL OR seats_taken < capacity) RETURNING arrivals",
        event_id,
    )
    if seat is not None:
        return RegistrationStatus.confirmed, seat["arrivals"]
    queued = await fetch_one(
        "UPDATE event SET arrivals = arrivals + 1 WHERE id = {} AND status = 'published' "
        "RETURNING arrivals",
        event_id,
    )
    if queued is None:
        raise RegistrationRefused("event_not_published", "This event is no longer open.")
    return RegistrationStatus.waitlisted, queued["arrivals"]


async def _count_organization_seat(event: dict, member: MemberPrincipal) -> None:
    cap = event["organization_seat_cap"]
    if cap is None or member.organization_id is None:
        return
    row = await fetch_one(
        "INSERT INTO event_organization_seats (event, organization, taken) VALUES ({}, {}, 1) "
        "ON CONFLICT (event, organization) DO UPDATE "
        "SET taken = event_organization_seats.taken + 1 "
        "WHERE event_organization_seats.taken < {} RETURNING taken",
        event["id"],
        member.organization_id,
        cap,
    )
    if row is None:
        raise RegistrationRefused(
            "organization_cap_reached",
            f"Your organization already has {cap} registrations for this event.",
            cap=cap,
        )


async def cancel(member: MemberPrincipal, slug: str) -> RegistrationRecord:
    """Cancel one's own registration; cancelling twice returns the cancelled one."""
    row = await fetch_one(
        "SELECT r.id FROM registration r JOIN event e ON e.id = r.event "
        "WHERE e.slug = {} AND r.member = {}",
        slug,
        member.id,
    )
    if row is None:
        raise NotFound("You are not registered for this event.")
    await release(row["id"], RegistrationStatus.cancelled)
    return await load_registration(row["id"])


async def release(registration_id: int, new_status: RegistrationStatus) -> list[int]:
    """Move a registration out of the event and hand a freed seat to the waitlist's head.

    Returns the ids of the registrations promoted; their notifications go out after commit.
    """
    for _ in range(5):
        current = await fetch_one(
            "SELECT r.id, r.event, r.status, m.organization FROM registration r "
            "JOIN member m ON m.id = r.member WHERE r.id = {}",
            registration_id,
        )
        if current is None:
            raise NotFound("No such registration.")
        if current["status"] not in ACTIVE:
            return []
        try:
            async with write_transaction():
                promoted = await _release_in_transaction(current, new_status)
        except _ChangedUnderneath:
            continue
        await tasks.enqueue_deliveries(promoted)
        return promoted
    raise Conflict("The registration keeps changing; try again.")


async def _release_in_transaction(current: dict, new_status: RegistrationStatus) -> list[int]:
    event_id, was = current["event"], current["status"]
    event = await _lock_event(event_id)
    now = _now()
    changed = await fetch_one(
        "UPDATE registration SET status = {}, updated_at = {}, cancelled_at = {} "
        "WHERE id = {} AND status = {} RETURNING id",
        new_status.value,
        now,
        now if new_status is RegistrationStatus.cancelled else None,
        current["id"],
        was,
    )
    if changed is None:
        raise _ChangedUnderneath
    if event["organization_seat_cap"] is not None and current["organization"] is not None:
        await fetch(
            "UPDATE event_organization_seats SET taken = taken - 1 "
            "WHERE event = {} AND organization = {} AND taken > 0",
            event_id,
            current["organization"],
        )
    if was != RegistrationStatus.confirmed:
        return []
    promoted = await _promote_waitlist(event_id, free_seats=1)
    if not promoted:
        await fetch("UPDATE event SET seats_taken = seats_taken - 1 WHERE id = {}", event_id)
    return promoted


async def _lock_event(event_id: int) -> dict:
    """Take the event row's lock (a no-op UPDATE works on both databases)."""
    row = await fetch_one(
        "UPDATE event SET seats_taken = seats_taken WHERE id = {} "
        "RETURNING id, capacity, seats_taken, organization_seat_cap",
        event_id,
    )
    if row is None:
        raise NotFound("No such event.")
    return row


async def _promote_waitlist(event_id: int, free_seats: int) -> list[int]:
    """Confirm up to ``free_seats`` from the waitlist's head; the seats are already counted."""
    if free_seats <= 0:
        return []
    heads = await fetch(
        "SELECT id FROM registration WHERE event = {} AND status = 'waitlisted' "
        "ORDER BY arrival LIMIT {}",
        event_id,
        free_seats,
    )
    promoted = [row["id"] for row in heads]
    now = _now()
    for registration_id in promoted:
        await fetch(
            "UPDATE registration SET status = 'confirmed', confirmed_at = {}, updated_at = {} "
            "WHERE id = {}",
            now,
            now,
            registration_id,
        )
    await notifications.record(NotificationKind.promoted, promoted)
    return promoted


async def change_capacity(event_id: int, capacity: int | None) -> list[int]:
    """Set a new capacity inside the caller's transaction; promote as many as now fit.

    Refuses a capacity below the number of confirmed seats. Returns promoted ids.
    """
    if capacity is None:
        row = await fetch_one(
            "UPDATE event SET capacity = NULL WHERE id = {} RETURNING seats_taken", event_id
        )
    else:
        row = await fetch_one(
            "UPDATE event SET capacity = {} WHERE id = {} AND seats_taken <= {} "
            "RETURNING seats_taken",
            capacity,
            event_id,
            capacity,
        )
    if row is None:
        taken = await fetch_one("SELECT seats_taken FROM event WHERE id = {}", event_id)
        raise Conflict(
            "Capacity cannot go below the number of confirmed registrations.",
            reason="capacity_below_confirmed",
            confirmed=taken["seats_taken"] if taken else None,
        )
    waiting = await fetch_one(
        "SELECT COUNT(*) AS n FROM registration WHERE event = {} AND status = 'waitlisted'",
        event_id,
    )
    free = waiting["n"] if capacity is None else min(capacity - row["seats_taken"], waiting["n"])
    promoted = await _promote_waitlist(event_id, free)
    if promoted:
        await fetch(
            "UPDATE event SET seats_taken = seats_taken + {} WHERE id = {}",
            len(promoted),
            event_id,
        )
    return promoted


async def approve(organizer: OrganizerPrincipal, registration_id: int) -> RegistrationRecord:
    """Approve a pending registration: a seat if one is free, else the waitlist."""
    current = await _registration_for_manager(organizer, registration_id)
    if current["status"] != RegistrationStatus.pending:
        raise Conflict("Only pending registrations can be approved.", reason="not_pending")
    async with write_transaction():
        status, arrival = await _take_seat_or_queue(current["event"])
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
    return await load_registration(registration_id)


async def decline(organizer: OrganizerPrincipal, registration_id: int) -> RegistrationRecord:
    current = await _registration_for_manager(organizer, registration_id)
    if current["status"] != RegistrationStatus.pending:
        raise Conflict("Only pending registrations can be declined.", reason="not_pending")
    await release(registration_id, RegistrationStatus.declined)
    return await load_registration(registration_id)


async def remove(organizer: OrganizerPrincipal, registration_id: int) -> RegistrationRecord:
    """An organizer cancels someone's registration; a freed seat goes to the waitlist."""
    await _registration_for_manager(organizer, registration_id)
    await release(registration_id, RegistrationStatus.cancelled)
    return await load_registration(registration_id)


async def promote(organizer: OrganizerPrincipal, registration_id: int) -> RegistrationRecord:
    """Admit someone from the waitlist out of turn, adding a seat when the event is full."""
    current = await _registration_for_manager(organizer, registration_id)
    if current["status"] != RegistrationStatus.waitlisted:
        raise Conflict("Only waitlisted registrations can be promoted.", reason="not_waitlisted")
    async with write_transaction():
        await fetch(
            "UPDATE event SET capacity = CASE WHEN capacity IS NOT NULL AND seats_taken >= capacity "
            "THEN seats_taken + 1 ELSE capacity END, seats_taken = seats_taken + 1 WHERE id = {}",
            current["event"],
        )
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


async def load_registration(registration_id: int) -> RegistrationRecord:
    row = await fetch_one(
        f"SELECT {REGISTRATION_COLUMNS}, e.slug AS event_slug, e.online_url "
        "FROM registration r JOIN event e ON e.id = r.event WHERE r.id = {}",
        registration_id,
    )
    if row is None:
        raise NotFound("No such registration.")
    return RegistrationRecord(
        row=row,
        event_slug=row["event_slug"],
        waitlist_position=await waitlist_position(row),
        online_url=row["online_url"] if row["status"] == RegistrationStatus.confirmed else None,
    )


async def waitlist_position(row: dict) -> int | None:
    if row["status"] != RegistrationStatus.waitlisted:
        return None
    ahead = await fetch_one(
        "SELECT COUNT(*) AS n FROM registration WHERE event = {} AND status = 'waitlisted' "
        "AND arrival <= {}",
        row["event"],
        row["arrival"],
    )
    return ahead["n"] if ahead else None


async def registration_of(member: MemberPrincipal, slug: str) -> RegistrationRecord | None:
    row = await fetch_one(
        "SELECT r.id FROM registration r JOIN event e ON e.id = r.event "
        "WHERE e.slug = {} AND r.member = {}",
        slug,
        member.id,
    )
    return None if row is None else await load_registration(row["id"])
