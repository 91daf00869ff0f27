"""Members register and cancel: every check-then-write in one transaction.

Seats are a counter on the event row (see seats.py). Taking one is a single conditional
UPDATE (``seats_taken < capacity``), so the row lock serialises competing registrations
and capacity holds under any concurrency. Every registration that reaches the event row
also draws an ``arrival`` number there, which orders the waitlist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from events import tasks
from events.auth import (
    UNKNOWN_MEMBER_TOKEN,
    MemberPrincipal,
    hash_token,
    member_from_row,
)
from events.db import DB, dump_json, fetch_one, is_unique_violation, load_json, write_transaction
from events.enums import EventStatus, NotificationKind, RegistrationSource, RegistrationStatus
from events.errors import Conflict, NotAuthenticated, NotFound, RegistrationRefused
from events.services import notifications
from events.services.answers import validate_answers
from events.services.join_links import join_link
from events.services.seats import (
    ACTIVE,
    ChangedUnderneath,
    claims,
    looks_full,
    position,
    release,
    take_seat_or_queue,
)

RETURNING = (
    "id, event, member, status, arrival, answers, source, created_at, updated_at, "
    "confirmed_at, cancelled_at"
)
REGISTRATION_COLUMNS = ", ".join(f"r.{column}" for column in RETURNING.split(", "))


@dataclass(slots=True)
class RegistrationRecord:
    row: dict
    event_slug: str
    waitlist_position: int | None
    online_url: str | None
    created: bool = False


def _now() -> datetime:
    return datetime.now(UTC)


EVENT_GATE = (
    "e.id, e.slug, e.status, e.capacity, e.registration_opens_at, "
    "e.registration_closes_at, e.ends_at, e.members_only, e.organization_seat_cap, "
    "e.approval_required, e.questions, e.online_url, e.seats_taken, "
    "r.id AS registration_id, r.status AS registration_status"
)


async def _event_gate(slug: str, member_id: int) -> dict:
    row = await fetch_one(
        f"SELECT {EVENT_GATE} FROM event e "
        "LEFT JOIN registration r ON r.event = e.id AND r.member = {} WHERE e.slug = {}",
        member_id,
        slug,
    )
    if row is None:
        raise NotFound(f"No event '{slug}'.")
    return row


async def _member_and_event_gate(token: str, slug: str) -> tuple[MemberPrincipal, dict]:
    """The token's member and the event gate in one query (one round trip fewer on the
    hot path): the token is refused first, as the member dependency would."""
    row = await fetch_one(
        "SELECT m.id AS member_id, m.name, m.email, m.organization, o.is_member, "
        f"{EVENT_GATE} FROM api_token t JOIN member m ON m.id = t.member "
        "LEFT JOIN organization o ON o.id = m.organization LEFT JOIN event e ON e.slug = {} "
        "LEFT JOIN registration r ON r.event = e.id AND r.member = m.id "
        "WHERE t.token_hash = {} AND t.revoked_at IS NULL",
        slug,
        hash_token(token),
    )
    if row is None:
        raise NotAuthenticated(UNKNOWN_MEMBER_TOKEN)
    if row["id"] is None:
        raise NotFound(f"No event '{slug}'.")
    return member_from_row(row, id_column="member_id"), row


def refuse_if_closed(event: dict, organization_is_member: bool, now: datetime) -> None:
    """The event's own refusals (state, window, members only), before any write; the web's
    email registration asks them up front too, to answer on the form."""
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
    if event["members_only"] and not organization_is_member:
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
    return await _register(member, await _event_gate(slug, member.id), answers, source)


async def register_by_token(
    token: str, slug: str, answers: dict[str, str | bool]
) -> RegistrationRecord:
    """``register`` for the API, which knows the member only by a token: the member and the
    event are read together."""
    member, event = await _member_and_event_gate(token, slug)
    return await _register(member, event, answers, RegistrationSource.api)


async def _register(
    member: MemberPrincipal,
    event: dict,
    answers: dict[str, str | bool],
    source: RegistrationSource,
) -> RegistrationRecord:
    if event["registration_status"] in ACTIVE:
        return await load_registration(event["registration_id"])
    if event["registration_status"] == RegistrationStatus.declined:
        raise RegistrationRefused("declined", "An organizer declined this registration.")
    refuse_if_closed(event, member.organization_is_member, _now())
    new = NewRegistration(
        event_id=event["id"],
        member_id=member.id,
        answers=dump_json(validate_answers(load_json(event["questions"]), answers)),
        source=source,
        at=_now(),
    )
    try:
        row, position, told = await _claim_place(event, member, new)
    except ChangedUnderneath:
        pass  # a concurrent identical request won: fall through and return its result
    except Exception as exc:
        if not is_unique_violation(exc):
            raise
    else:
        tasks.deliver_soon(told)  # the confirmation, recorded with the registration
        return _record(row, event, position, created=True)
    existing = await fetch_one(
        "SELECT id FROM registration WHERE event = {} AND member = {}", event["id"], member.id
    )
    if existing is None:
        raise Conflict("The registration changed while it was being made; try again.")
    return await load_registration(existing["id"])


@dataclass(frozen=True, slots=True)
class NewRegistration:
    event_id: int
    member_id: int
    answers: str  # JSON
    source: RegistrationSource
    at: datetime

    def confirmed_at(self, status: RegistrationStatus) -> datetime | None:
        return self.at if status is RegistrationStatus.confirmed else None

    def values(self, status: RegistrationStatus) -> list[object]:
        """In the order of INSERT_COLUMNS, without the arrival number."""
        return [
            self.event_id,
            self.member_id,
            status.value,
            self.answers,
            self.source.value,
            self.at,
            self.at,
            self.confirmed_at(status),
        ]


INSERT_COLUMNS = (
    "event, member, status, answers, source, created_at, updated_at, confirmed_at, arrival"
)
# Typed, because PostgreSQL cannot infer parameter types in INSERT ... SELECT.
INSERT_VALUES = (
    "{}::integer, {}::integer, {}, {}::json, {}, {}::timestamptz, {}::timestamptz, {}::timestamptz"
)


PLAIN_VALUES = ", ".join("{}" for _ in INSERT_COLUMNS.split(", "))


def _fits_one_statement(event: dict) -> bool:
    """The common case: a new registration with nothing to count but the seat."""
    return (
        DB.engine_type == "postgres"
        and event["registration_id"] is None
        and event["organization_seat_cap"] is None
        and not event["approval_required"]
    )


async def _claim_place(
    event: dict, member: MemberPrincipal, new: NewRegistration
) -> tuple[dict, int | None, list[int]]:
    """Take a seat (or a place in the queue), write the registration and record its
    confirmation (confirmed, waitlisted or pending), atomically: (the registration, its
    waitlist position, the confirmation's outbox ids). A registration that exists has its
    confirmation; should a message be lost all the same, the sweep derives it again
    (reminders.py)."""
    if _fits_one_statement(event):
        return await _insert_with_place(event, new)
    async with write_transaction():
        if event["approval_required"]:
            status, arrival, position = RegistrationStatus.pending, None, None
        else:
            status, arrival, position = await take_seat_or_queue(event["id"], looks_full(event))
        await _count_organization_seat(event, member)
        if event["registration_id"] is None:
            row = await fetch_one(
                f"INSERT INTO registration ({INSERT_COLUMNS}) VALUES ({PLAIN_VALUES}) "
                f"RETURNING {RETURNING}",
                *new.values(status),
                arrival,
            )
        else:  # a cancelled registration comes back to life
            row = await fetch_one(
                "UPDATE registration SET status = {}, arrival = {}, answers = {}, source = {}, "
                "updated_at = {}, confirmed_at = {}, cancelled_at = NULL "
                f"WHERE id = {{}} AND status = 'cancelled' RETURNING {RETURNING}",
                status.value,
                arrival,
                new.answers,
                new.source.value,
                new.at,
                new.confirmed_at(status),
                event["registration_id"],
            )
        if row is None:
            raise ChangedUnderneath
        # A cancelled registration that comes back to life is news again (and a new
        # calendar invitation): only one request revives it, so that one is recorded
        # without the key that makes a first confirmation once-only.
        told = await notifications.record(
            NotificationKind.registered, [row["id"]], once=event["registration_id"] is None
        )
    return row, position, told


@cache
def _claim_and_insert(claim_sql: str) -> str:
    """The claim, the INSERT and the confirmation's outbox rows (one per channel the member
    wants) as one statement. The new registration is not visible to a sibling of its
    INSERT, so the outbox rows take the member from the INSERT's RETURNING."""
    confirmation = notifications.outbox_rows(
        NotificationKind.registered, "t JOIN member m ON m.id = t.member", once=True
    )
    return (
        "WITH place AS (" + claim_sql + "), created AS ("
        f"INSERT INTO registration ({INSERT_COLUMNS}) "
        f"SELECT {INSERT_VALUES}, place.arrivals FROM place RETURNING {RETURNING}), "
        "t AS (SELECT id AS registration, CAST(NULL AS INTEGER) AS subject, member "
        f"FROM created), told AS ({confirmation}) "
        "SELECT created.*, place.waitlisted, ARRAY(SELECT id FROM told) AS told "
        "FROM created, place"
    )


async def _insert_with_place(
    event: dict, new: NewRegistration
) -> tuple[dict, int | None, list[int]]:
    """PostgreSQL: the claim, the INSERT and the confirmation as one statement (a
    data-modifying CTE) outside any explicit transaction, so the event row's lock is held
    only inside the server and never across a round trip to this process."""
    for claim in claims(looks_full(event)):
        row = await fetch_one(
            _claim_and_insert(claim.sql),
            event["id"],
            *new.values(claim.status),
            *notifications.outbox_args(NotificationKind.registered, new.at, once=True),
        )
        if row is not None:
            return row, position(claim, row), list(row["told"])
    raise RegistrationRefused("event_not_published", "This event is no longer open.")


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
    registration_id = await _registration_id(member, slug)
    if registration_id is None:
        raise NotFound("You are not registered for this event.")
    await release(
        registration_id,
        RegistrationStatus.cancelled,
        tell=NotificationKind.registration_cancelled,
    )
    return await load_registration(registration_id)


async def load_registration(registration_id: int) -> RegistrationRecord:
    row = await fetch_one(
        f"SELECT {REGISTRATION_COLUMNS}, e.slug AS event_slug, e.online_url, "
        "e.status AS event_status "
        "FROM registration r JOIN event e ON e.id = r.event WHERE r.id = {}",
        registration_id,
    )
    if row is None:
        raise NotFound("No such registration.")
    return _record(row, row, await waitlist_position(row))


def _record(row: dict, event: dict, position: int | None, created: bool = False):
    event_status = event.get("event_status") or event["status"]
    return RegistrationRecord(
        row=row,
        event_slug=event.get("event_slug") or event["slug"],
        waitlist_position=position,
        online_url=join_link(event["online_url"], row["status"], event_status),
        created=created,
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
    registration_id = await _registration_id(member, slug)
    return None if registration_id is None else await load_registration(registration_id)


async def _registration_id(member: MemberPrincipal, slug: str) -> int | None:
    row = await fetch_one(
        "SELECT r.id FROM registration r JOIN event e ON e.id = r.event "
        "WHERE e.slug = {} AND r.member = {}",
        slug,
        member.id,
    )
    return None if row is None else row["id"]
