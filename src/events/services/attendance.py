"""Attendee lists, CSV export and session check-in."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from events import formatting, schemas
from events.auth import OrganizerPrincipal
from events.config import get_settings
from events.db import fetch, fetch_one, load_json, write_transaction
from events.enums import CheckInMethod, RegistrationSource, RegistrationStatus
from events.errors import Conflict, InvalidInput, NotFound
from events.services.permissions import require_event_access

ATTENDEE_QUERY = (
    "SELECT r.id, r.member, r.status, r.arrival, r.answers, r.source, r.created_at, "
    "m.name, m.email, o.name AS organization, "
    "(SELECT COUNT(*) FROM attendance a WHERE a.registration = r.id) AS attended, "
    # Numbered over the whole waitlist, so a page shows true positions.
    "CASE WHEN r.status = 'waitlisted' THEN "
    "ROW_NUMBER() OVER (PARTITION BY r.status ORDER BY r.arrival) END AS position "
    "FROM registration r JOIN member m ON m.id = r.member "
    "LEFT JOIN organization o ON o.id = m.organization WHERE r.event = {}"
)


async def attendees(
    event_id: int,
    status: RegistrationStatus | None = None,
    *,
    page: int = 1,
    per_page: int | None = None,
) -> schemas.Page[schemas.Attendee]:
    """Registrations in queue order (arrival), optionally one status, optionally a page."""
    condition, args = ("", []) if status is None else (" WHERE status = {}", [status.value])
    limit = "" if per_page is None else f" LIMIT {per_page} OFFSET {(page - 1) * per_page}"
    rows = await fetch(
        f"SELECT * FROM ({ATTENDEE_QUERY}) listed{condition} "
        f"ORDER BY arrival IS NULL, arrival, id{limit}",
        event_id,
        *args,
    )
    total = await fetch_one(
        "SELECT COUNT(*) AS n FROM registration WHERE event = {}"
        + ("" if status is None else " AND status = {}"),
        event_id,
        *args,
    )
    items = [
        schemas.Attendee(
            registration_id=row["id"],
            member_id=row["member"],
            name=row["name"],
            email=row["email"],
            organization=row["organization"],
            status=RegistrationStatus(row["status"]),
            waitlist_position=row["position"],
            answers=load_json(row["answers"]) or {},
            source=RegistrationSource(row["source"]),
            created_at=row["created_at"],
            sessions_attended=row["attended"],
        )
        for row in rows
    ]
    return schemas.Page(
        items=items, total=total["n"] if total else 0, page=page, per_page=per_page or len(items)
    )


def attendees_csv(rows: list[schemas.Attendee], question_keys: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "registration_id",
            "name",
            "email",
            "organization",
            "status",
            "waitlist_position",
            "source",
            "registered_at",
            "sessions_attended",
            *question_keys,
        ]
    )
    for row in rows:
        writer.writerow(
            [
                row.registration_id,
                _safe(row.name),
                _safe(row.email),
                _safe(row.organization or ""),
                row.status.value,
                row.waitlist_position or "",
                row.source.value,
                row.created_at.isoformat(),
                row.sessions_attended,
                *(_safe(str(row.answers.get(key, ""))) for key in question_keys),
            ]
        )
    return buffer.getvalue()


def _safe(value: str) -> str:
    # Spreadsheets run cells that start with these as formulas (CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


async def _session(organizer: OrganizerPrincipal, session_id: int) -> dict:
    row = await fetch_one(
        "SELECT s.id, s.event, s.status, s.starts_at, e.timezone FROM event_session s "
        "JOIN event e ON e.id = s.event WHERE s.id = {}",
        session_id,
    )
    if row is None:
        raise NotFound("No such session.")
    await require_event_access(organizer, row["event"], manage=False)
    return row


def check_in_opens_at(starts_at: datetime, opens_before: timedelta | None = None) -> datetime:
    """Attendance is taken from shortly before a session starts, never for one ahead:
    a check-in is what certificates count."""
    if opens_before is None:
        opens_before = get_settings().checkin_opens_before
    return starts_at - opens_before


def require_check_in_open(session: dict, now: datetime) -> None:
    if session["status"] == "cancelled":
        raise Conflict("This session was cancelled.", reason="session_cancelled")
    opens = check_in_opens_at(session["starts_at"])
    if now < opens:
        raise Conflict(
            f"Check-in for this session opens {formatting.moment(opens, session['timezone'])}, "
            f"{_minutes(get_settings().checkin_opens_before)} before it starts.",
            reason="check_in_not_open",
            opens_at=opens.astimezone(UTC).isoformat(),
        )


def _minutes(span: timedelta) -> str:
    minutes = round(span.total_seconds() / 60)
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


async def check_in(
    organizer: OrganizerPrincipal, session_id: int, request: schemas.CheckInRequest
) -> schemas.CheckInResult:
    """Check in confirmed attendees; repeating a check-in is harmless."""
    session = await _session(organizer, session_id)
    now = datetime.now(UTC)
    require_check_in_open(session, now)
    wanted = sorted(set(request.registration_ids))
    placeholders = ", ".join("{}" for _ in wanted)
    rows = await fetch(
        f"SELECT id, status FROM registration WHERE event = {{}} AND id IN ({placeholders})",
        session["event"],
        *wanted,
    )
    found = {row["id"]: row["status"] for row in rows}
    unknown = [rid for rid in wanted if rid not in found]
    unconfirmed = [rid for rid, status in found.items() if status != RegistrationStatus.confirmed]
    if unknown or unconfirmed:
        raise InvalidInput(
            "Only confirmed registrations of this event can be checked in.",
            reason="not_checkable",
            unknown=unknown,
            not_confirmed=sorted(unconfirmed),
        )
    async with write_transaction():
        await _hold_checkable(session_id, session["event"], wanted)
        present = await fetch(
            f"SELECT registration FROM attendance WHERE session = {{}} "
            f"AND registration IN ({placeholders})",
            session_id,
            *wanted,
        )
        already = {row["registration"] for row in present}
        for registration_id in wanted:
            if registration_id not in already:
                await fetch(
                    "INSERT INTO attendance (registration, session, checked_in_at, "
                    "checked_in_by, method) VALUES ({}, {}, {}, {}, {})",
                    registration_id,
                    session_id,
                    now,
                    organizer.id,
                    request.method.value,
                )
    checked = await session_check_ins(organizer, session_id)
    return schemas.CheckInResult(
        checked_in=[c for c in checked if c.registration_id in set(wanted) - already],
        already_checked_in=sorted(already),
    )


async def _hold_checkable(session_id: int, event_id: int, wanted: list[int]) -> None:
    """The checks above, again inside the transaction and holding the rows (no-op UPDATEs
    lock them on both databases): a cancellation or a cancelled session that commits
    meanwhile either waits for this check-in or makes it a 409, never a check-in of a
    cancelled registration."""
    scheduled = await fetch_one(
        "UPDATE event_session SET status = status WHERE id = {} AND status = 'scheduled' "
        "RETURNING id",
        session_id,
    )
    if scheduled is None:
        raise Conflict("This session was cancelled.", reason="session_cancelled")
    placeholders = ", ".join("{}" for _ in wanted)
    held = await fetch(
        f"UPDATE registration SET status = status WHERE event = {{}} AND id IN ({placeholders}) "
        "AND status = 'confirmed' RETURNING id",
        event_id,
        *wanted,
    )
    lost = sorted(set(wanted) - {row["id"] for row in held})
    if lost:
        raise Conflict(
            "A registration stopped being confirmed meanwhile.",
            reason="not_checkable",
            not_confirmed=lost,
        )


async def session_check_ins(
    organizer: OrganizerPrincipal, session_id: int
) -> list[schemas.CheckIn]:
    await _session(organizer, session_id)
    rows = await fetch(
        "SELECT a.registration, a.session, a.checked_in_at, a.method, m.name "
        "FROM attendance a JOIN registration r ON r.id = a.registration "
        "JOIN member m ON m.id = r.member WHERE a.session = {} ORDER BY m.name",
        session_id,
    )
    return [
        schemas.CheckIn(
            registration_id=row["registration"],
            session_id=row["session"],
            checked_in_at=row["checked_in_at"],
            method=CheckInMethod(row["method"]),
            name=row["name"],
        )
        for row in rows
    ]


async def undo_check_in(
    organizer: OrganizerPrincipal, session_id: int, registration_id: int
) -> None:
    await _session(organizer, session_id)
    await fetch(
        "DELETE FROM attendance WHERE session = {} AND registration = {}",
        session_id,
        registration_id,
    )


async def sheet_entry(organizer: OrganizerPrincipal, session_id: int, registration_id: int) -> dict:
    """One line of a session's check-in sheet: who, and when they were checked in (or None)."""
    session = await _session(organizer, session_id)
    row = await fetch_one(
        "SELECT m.name, o.name AS organization, e.timezone, a.checked_in_at "
        "FROM registration r JOIN member m ON m.id = r.member "
        "LEFT JOIN organization o ON o.id = m.organization JOIN event e ON e.id = r.event "
        "LEFT JOIN attendance a ON a.registration = r.id AND a.session = {} "
        "WHERE r.id = {} AND r.event = {}",
        session_id,
        registration_id,
        session["event"],
    )
    if row is None:
        raise NotFound("No such registration for this session's event.")
    return row
