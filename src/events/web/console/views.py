"""What each console page shows, assembled from the same services as the organizer API
(so the confinement to an organizer's regions is theirs, not re-implemented here)."""

from __future__ import annotations

from datetime import UTC, datetime

from msgspec import Struct

from events import schemas
from events.auth import OrganizerPrincipal, require_manager
from events.enums import OrganizerRole, RegistrationStatus, SessionStatus
from events.services import attendance, events
from events.web import format

STATUS_ORDER = [status.value for status in RegistrationStatus]


class EventRow(Struct):
    slug: str
    title: str
    status: str
    when: str
    counts: dict[str, int]


class HomePage(Struct):
    organizer: OrganizerPrincipal
    events: list[EventRow]
    total: int
    can_manage: bool  # check-in staff see the check-in sheets only


async def home(organizer: OrganizerPrincipal) -> HomePage:
    listed = await events.managed_events(organizer, status=None, page=1, per_page=100)
    counts = await events.counts_by_event(organizer, [item.slug for item in listed.items])
    rows = [
        EventRow(
            slug=item.slug,
            title=item.title,
            status=str(item.status),
            when=format.when(item.starts_at, item.ends_at, item.timezone),
            counts=counts.get(item.slug, {}),
        )
        for item in listed.items
    ]
    return HomePage(
        organizer=organizer,
        events=rows,
        total=listed.total,
        can_manage=not _is_staff(organizer),
    )


def _is_staff(organizer: OrganizerPrincipal) -> bool:
    return organizer.role is OrganizerRole.checkin_staff


class Dashboard(Struct):
    event: schemas.Event
    counts: dict[str, int]
    waitlist: list[schemas.Attendee]
    pending: list[schemas.Attendee]
    when: str


async def dashboard(organizer: OrganizerPrincipal, slug: str) -> Dashboard:
    # Check-in staff may read attendee lists through the API, but the console gives them
    # the check-in sheet only: the dashboard's actions are managers'.
    require_manager(organizer)
    event = await events.manager_event(organizer, slug)
    counts = await events.registration_counts(organizer, slug)
    waitlist = await events.attendees(organizer, slug, RegistrationStatus.waitlisted, 1, 500)
    pending = await events.attendees(organizer, slug, RegistrationStatus.pending, 1, 500)
    return Dashboard(
        event=event,
        counts=counts,
        waitlist=waitlist.items,
        pending=pending.items,
        when=format.when(event.starts_at, event.ends_at, event.timezone),
    )


class SheetRow(Struct):
    registration_id: int
    name: str
    organization: str | None
    checked_in_at: str | None  # local time, when checked in


class SessionChoice(Struct):
    id: int
    label: str
    cancelled: bool


class CheckInSheet(Struct):
    event: schemas.Event
    sessions: list[SessionChoice]
    session_id: int | None
    query: str
    rows: list[SheetRow]
    checked_in: int
    confirmed: int
    opens_at: str | None = None  # when check-in for the chosen session opens, if later


def _default_session(sessions: list[schemas.Session]) -> int | None:
    """The session running now or next; the last one once all are over."""
    now = datetime.now(UTC)
    live = [s for s in sessions if s.status != SessionStatus.cancelled] or sessions
    upcoming = [s for s in live if s.ends_at >= now]
    chosen = upcoming[0] if upcoming else (live[-1] if live else None)
    return chosen.id if chosen else None


def _matches(attendee: schemas.Attendee, words: list[str]) -> bool:
    text = f"{attendee.name} {attendee.email} {attendee.organization or ''}".casefold()
    return all(word in text for word in words)


async def checkin_sheet(
    organizer: OrganizerPrincipal, slug: str, session_id: int | None, query: str
) -> CheckInSheet:
    event = await events.manager_event(organizer, slug)
    known = {s.id for s in event.sessions}
    chosen = session_id if session_id in known else _default_session(event.sessions)
    confirmed = await events.attendees(organizer, slug, RegistrationStatus.confirmed, 1, 5000)
    checked = {}
    if chosen is not None:
        checked = {
            c.registration_id: c.checked_in_at
            for c in await attendance.session_check_ins(organizer, chosen)
        }
    words = query.casefold().split()
    zone = format.zone(event.timezone)
    rows = [
        SheetRow(
            registration_id=a.registration_id,
            name=a.name,
            organization=a.organization,
            checked_in_at=format.clock(checked[a.registration_id].astimezone(zone))
            if a.registration_id in checked
            else None,
        )
        for a in sorted(confirmed.items, key=lambda a: a.name.casefold())
        if _matches(a, words)
    ]
    return CheckInSheet(
        event=event,
        sessions=[
            SessionChoice(
                id=s.id,
                label=f"{s.title} · {format.when(s.starts_at, s.ends_at, event.timezone)}",
                cancelled=s.status == SessionStatus.cancelled,
            )
            for s in event.sessions
        ],
        session_id=chosen,
        query=query,
        rows=rows,
        checked_in=len(checked),
        confirmed=confirmed.total,
        opens_at=_opens_later(event, chosen),
    )


def _opens_later(event: schemas.Event, session_id: int | None) -> str | None:
    """The sheet says so when its session is too far ahead to take attendance."""
    session = next((s for s in event.sessions if s.id == session_id), None)
    if session is None:
        return None
    opens = attendance.check_in_opens_at(session.starts_at)
    return format.moment(opens, event.timezone) if datetime.now(UTC) < opens else None


class SheetTally(Struct):
    checked_in: int
    confirmed: int


class SheetChange(Struct):
    """A row after a tap, and the sheet's "N of M checked in" after it."""

    row: SheetRow
    tally: SheetTally


async def check_in(
    organizer: OrganizerPrincipal, slug: str, session_id: int, registration_id: int
) -> SheetChange:
    """Check one person in (repeating it is harmless); their row and the tally as they are now."""
    await attendance.check_in(
        organizer, session_id, schemas.CheckInRequest(registration_ids=[registration_id])
    )
    return await _sheet_change(organizer, slug, session_id, registration_id)


async def undo_check_in(
    organizer: OrganizerPrincipal, slug: str, session_id: int, registration_id: int
) -> SheetChange:
    await attendance.undo_check_in(organizer, session_id, registration_id)
    return await _sheet_change(organizer, slug, session_id, registration_id)


async def _sheet_change(
    organizer: OrganizerPrincipal, slug: str, session_id: int, registration_id: int
) -> SheetChange:
    confirmed = await events.attendees(organizer, slug, RegistrationStatus.confirmed, 1, 1)
    checked = await attendance.session_check_ins(organizer, session_id)
    return SheetChange(
        row=await _sheet_row(organizer, session_id, registration_id),
        tally=SheetTally(checked_in=len(checked), confirmed=confirmed.total),
    )


async def _sheet_row(
    organizer: OrganizerPrincipal, session_id: int, registration_id: int
) -> SheetRow:
    row = await attendance.sheet_entry(organizer, session_id, registration_id)
    return SheetRow(
        registration_id=registration_id,
        name=row["name"],
        organization=row["organization"],
        checked_in_at=format.clock(row["checked_in_at"].astimezone(format.zone(row["timezone"])))
        if row["checked_in_at"]
        else None,
    )
