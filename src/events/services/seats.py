"""The seat counter and the waitlist: taking, giving back and handing on seats.

Every function here runs inside the caller's transaction unless it says otherwise. The
event row is always locked first, then registration rows, then the organization counter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from events import tasks
from events.db import fetch, fetch_one, write_transaction
from events.enums import NotificationKind, RegistrationStatus
from events.errors import Conflict, NotFound, RegistrationRefused
from events.services import notifications

ACTIVE = ("confirmed", "waitlisted", "pending")


class ChangedUnderneath(Exception):
    """Another transaction changed the registration first: roll back and look again."""


def _now() -> datetime:
    return datetime.now(UTC)


# One conditional UPDATE each: the row lock on the event serialises every claim, so the
# counters never pass capacity and arrival numbers come out in a strict order. QUEUE only
# fires while the event is still full, so nobody is queued next to a free seat.
SEAT = (
    "UPDATE event SET seats_taken = seats_taken + 1, arrivals = arrivals + 1 "
    "WHERE id = {} AND status = 'published' AND (capacity IS NULL OR seats_taken < capacity) "
    "RETURNING arrivals, waitlisted"
)
QUEUE = (
    "UPDATE event SET arrivals = arrivals + 1, waitlisted = waitlisted + 1 "
    "WHERE id = {} AND status = 'published' AND capacity IS NOT NULL "
    "AND seats_taken >= capacity RETURNING arrivals, waitlisted"
)


@dataclass(frozen=True, slots=True)
class Claim:
    """How to claim a place: the UPDATE and the status a registration gets from it."""

    sql: str
    status: RegistrationStatus


SEAT_CLAIM = Claim(SEAT, RegistrationStatus.confirmed)
QUEUE_CLAIM = Claim(QUEUE, RegistrationStatus.waitlisted)


def claims(likely_full: bool) -> list[Claim]:
    """Seat first, unless the event looked full when read: then the queue is the likely one.
    Twice round, because a seat can free up (or fill) between the two attempts."""
    order = [QUEUE_CLAIM, SEAT_CLAIM] if likely_full else [SEAT_CLAIM, QUEUE_CLAIM]
    return order * 2


def looks_full(event: dict) -> bool:
    return event["capacity"] is not None and event["seats_taken"] >= event["capacity"]


def position(claim: Claim, place: dict) -> int | None:
    """A new waiter's position is the waitlist counter it just raised."""
    return place["waitlisted"] if claim.status is RegistrationStatus.waitlisted else None


async def take_seat_or_queue(
    event_id: int, likely_full: bool = False
) -> tuple[RegistrationStatus, int, int | None]:
    """Inside a transaction: (status, arrival number, waitlist position)."""
    for claim in claims(likely_full):
        place = await fetch_one(claim.sql, event_id)
        if place is not None:
            return claim.status, place["arrivals"], position(claim, place)
    raise RegistrationRefused("event_not_published", "This event is no longer open.")


async def release(
    registration_id: int,
    new_status: RegistrationStatus,
    *,
    only_from: tuple[str, ...] = ACTIVE,
    refusal: Conflict | None = None,
    tell: NotificationKind | None = None,
) -> list[int]:
    """Move a registration out of the event and hand a freed seat to the waitlist's head.

    Only from a status in ``only_from``: when the registration is in another one (or moves
    to one while this waits for the event's lock), ``refusal`` is raised, or nothing happens
    when there is none (cancelling twice is harmless, and tells nobody twice). ``tell``:
    the message its member gets (declined, registration_cancelled), recorded in the same
    transaction. Returns the ids of the registrations promoted; every notification goes
    out after commit.
    """
    for _ in range(5):
        current = await fetch_one(
            "SELECT r.id, r.event, r.status, m.organization FROM registration r "
            "JOIN member m ON m.id = r.member WHERE r.id = {}",
            registration_id,
        )
        if current is None:
            raise NotFound("No such registration.")
        if current["status"] not in only_from:
            if refusal is not None:
                raise refusal
            return []
        try:
            async with write_transaction():
                promoted = await _release_in_transaction(current, new_status)
                if tell is not None:
                    await notifications.record(tell, [registration_id])
        except ChangedUnderneath:
            continue
        await tasks.enqueue_deliveries(([registration_id] if tell else []) + promoted)
        return promoted
    raise Conflict("The registration keeps changing; try again.")


async def _release_in_transaction(current: dict, new_status: RegistrationStatus) -> list[int]:
    event_id, was = current["event"], current["status"]
    event = await lock_event(event_id)
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
        raise ChangedUnderneath
    if event["organization_seat_cap"] is not None and current["organization"] is not None:
        await fetch(
            "UPDATE event_organization_seats SET taken = taken - 1 "
            "WHERE event = {} AND organization = {} AND taken > 0",
            event_id,
            current["organization"],
        )
    if was == RegistrationStatus.waitlisted:
        await fetch("UPDATE event SET waitlisted = waitlisted - 1 WHERE id = {}", event_id)
    if was != RegistrationStatus.confirmed:
        return []
    promoted = await promote_waitlist(event_id, free_seats=1)
    if not promoted:
        await fetch("UPDATE event SET seats_taken = seats_taken - 1 WHERE id = {}", event_id)
    return promoted


async def lock_event(event_id: int) -> dict:
    """Take the event row's lock (a no-op UPDATE works on both databases)."""
    row = await fetch_one(
        "UPDATE event SET seats_taken = seats_taken WHERE id = {} "
        "RETURNING id, capacity, seats_taken, organization_seat_cap",
        event_id,
    )
    if row is None:
        raise NotFound("No such event.")
    return row


async def promote_waitlist(event_id: int, free_seats: int) -> list[int]:
    """Confirm up to ``free_seats`` from the waitlist's head; the seats are already counted.

    Only while the event is published: a cancelled event offers nobody a seat, whatever
    frees one (a cancellation, a removal, a capacity raise). The caller holds the event's
    row lock, so the status read here cannot change before the commit."""
    if free_seats <= 0:
        return []
    heads = await fetch(
        "SELECT r.id FROM registration r JOIN event e ON e.id = r.event "
        "WHERE r.event = {} AND e.status = 'published' AND r.status = 'waitlisted' "
        "ORDER BY r.arrival LIMIT {}",
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
    if promoted:
        await fetch(
            "UPDATE event SET waitlisted = waitlisted - {} WHERE id = {}", len(promoted), event_id
        )
    await notifications.record(NotificationKind.promoted, promoted)
    return promoted


async def change_capacity(event_id: int, capacity: int | None) -> list[int]:
    """Set a new capacity inside the caller's transaction; promote as many as now fit.

    Refuses a capacity below the number of confirmed seats. Returns promoted ids.
    """
    if capacity is None:
        row = await fetch_one(
            "UPDATE event SET capacity = NULL WHERE id = {} RETURNING seats_taken, waitlisted",
            event_id,
        )
    else:
        row = await fetch_one(
            "UPDATE event SET capacity = {} WHERE id = {} AND seats_taken <= {} "
            "RETURNING seats_taken, waitlisted",
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
    waiting = row["waitlisted"]
    free = waiting if capacity is None else min(capacity - row["seats_taken"], waiting)
    promoted = await promote_waitlist(event_id, free)
    if promoted:
        await fetch(
            "UPDATE event SET seats_taken = seats_taken + {} WHERE id = {}",
            len(promoted),
            event_id,
        )
    return promoted
