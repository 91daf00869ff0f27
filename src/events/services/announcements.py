"""Organizers' announcements to an event's registrants (delivered through the outbox).

An organizer of the event's regions (or an admin; never check-in staff) picks an audience
(events.announcement_schemas.Audience), previews how many it reaches, and sends: the
announcement and one outbox row per (recipient, channel they want) are written in one
transaction, and one fan-out task queues the deliveries after the commit. Drafts have
nobody to write to; a cancelled event may still explain itself to its registrants.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from events import tasks
from events.announcement_schemas import (
    MAX_BODY,
    MAX_SUBJECT,
    SAMPLE_NAMES,
    Announcement,
    AnnouncementCreate,
    AnnouncementDetail,
    AnnouncementPreview,
    Audience,
    ChannelCounts,
)
from events.auth import OrganizerPrincipal
from events.db import dump_json, fetch, fetch_one, load_json, write_transaction
from events.enums import AudienceStatus, DeliveryState, EventStatus, NotificationKind
from events.errors import Conflict, InvalidInput, NotFound
from events.schemas import Page
from events.services import deliveries, notifications
from events.services.events import event_for_manager

_REGISTRATION_STATUSES = (
    AudienceStatus.confirmed,
    AudienceStatus.waitlisted,
    AudienceStatus.pending,
)
_CHANNELS = "(SELECT 'slack' AS name UNION ALL SELECT 'email' AS name) c"


@dataclass(frozen=True, slots=True)
class AnnouncementContent:
    subject: str
    body: str  # plain text; paragraphs split on blank lines
    sent_by: str | None  # the organizer's name, when known


async def content(announcement_id: int) -> AnnouncementContent | None:
    """What an announcement says, for the channels that deliver it."""
    row = await fetch_one(
        "SELECT a.subject, a.body, o.name AS sent_by FROM announcement a "
        "LEFT JOIN organizer o ON o.id = a.sent_by WHERE a.id = {}",
        announcement_id,
    )
    if row is None:
        return None
    return AnnouncementContent(row["subject"], row["body"], row["sent_by"])


# --- the audience -------------------------------------------------------------------------


def audience_filter(event_id: int, audience: Audience) -> tuple[str, list[object]]:
    """SQL over registration ``r``: the event's registrations in the audience."""
    chosen = set(audience.statuses)
    parts: list[str] = []
    args: list[object] = [event_id]
    plain = [status.value for status in _REGISTRATION_STATUSES if status in chosen]
    if plain:
        parts.append(f"r.status IN ({', '.join('{}' for _ in plain)})")
        args.extend(plain)
    in_session = " AND a.session = {}" if audience.session is not None else ""
    attended = f"EXISTS (SELECT 1 FROM attendance a WHERE a.registration = r.id{in_session})"
    session = [audience.session] if audience.session is not None else []
    if AudienceStatus.checked_in in chosen:
        parts.append(attended)
        args.extend(session)
    if AudienceStatus.not_checked_in in chosen:
        parts.append(f"(r.status = 'confirmed' AND NOT {attended})")
        args.extend(session)
    return f"r.event = {{}} AND ({' OR '.join(parts)})", args


async def _checked_audience(event: dict, audience: Audience) -> Audience:
    statuses = list(dict.fromkeys(audience.statuses))  # as chosen, once each
    if not statuses:
        raise InvalidInput(
            "Choose at least one group of registrants.", reason="no_statuses", field="statuses"
        )
    try:
        statuses = [AudienceStatus(status) for status in statuses]
    except ValueError as exc:
        raise InvalidInput(
            f"Unknown group of registrants: {exc}.", reason="unknown_status", field="statuses"
        ) from exc
    if audience.session is not None and not await fetch_one(
        "SELECT id FROM event_session WHERE id = {} AND event = {}", audience.session, event["id"]
    ):
        raise InvalidInput(
            "This event has no such session.", reason="unknown_session", field="session"
        )
    return Audience(statuses=statuses, session=audience.session)


def checked_text(subject: str, body: str) -> tuple[str, str]:
    subject = " ".join(subject.split())  # one line: it becomes an email's Subject
    body = body.strip()
    if not 1 <= len(subject) <= MAX_SUBJECT:
        raise InvalidInput(
            f"The subject needs 1 to {MAX_SUBJECT} characters.",
            reason="invalid_subject",
            field="subject",
        )
    if not 1 <= len(body) <= MAX_BODY:
        raise InvalidInput(
            f"The message needs 1 to {MAX_BODY:,} characters.", reason="invalid_body", field="body"
        )
    return subject, body


async def _writable_event(organizer: OrganizerPrincipal, slug: str) -> dict:
    event = await event_for_manager(organizer, slug)  # its regions' organizers, admins
    if event["status"] == EventStatus.draft:
        raise Conflict(
            "A draft has no registrants yet: publish the event first.",
            reason="event_not_published",
        )
    return event


# --- preview and send -----------------------------------------------------------------------


async def preview(
    organizer: OrganizerPrincipal, slug: str, audience: Audience
) -> AnnouncementPreview:
    """How many an announcement to ``audience`` would reach, writing nothing."""
    event = await _writable_event(organizer, slug)
    audience = await _checked_audience(event, audience)
    where, args = audience_filter(event["id"], audience)
    people = "FROM registration r JOIN member m ON m.id = r.member"
    counted = await fetch_one(f"SELECT COUNT(*) AS n {people} WHERE {where}", *args)
    names = await fetch(
        f"SELECT m.name {people} WHERE {where} ORDER BY m.name, r.id LIMIT {{}}",
        *args,
        SAMPLE_NAMES,
    )
    reach = await fetch_one(
        "SELECT COUNT(DISTINCT r.id) AS reachable, "
        "SUM(CASE WHEN c.name = 'slack' THEN 1 ELSE 0 END) AS slack, "
        "SUM(CASE WHEN c.name = 'email' THEN 1 ELSE 0 END) AS email "
        f"{people} CROSS JOIN {_CHANNELS} "
        f"WHERE {where} AND {notifications.wanted(NotificationKind.announcement)}",
        *args,
    )
    recipients = counted["n"] if counted else 0
    reach = reach or {}
    return AnnouncementPreview(
        recipients=recipients,
        channels=ChannelCounts(slack=reach.get("slack") or 0, email=reach.get("email") or 0),
        unreachable=recipients - (reach.get("reachable") or 0),
        sample=[row["name"] for row in names],
    )


async def send(organizer: OrganizerPrincipal, slug: str, data: AnnouncementCreate) -> Announcement:
    """Write the announcement and its outbox rows in one transaction, then queue them."""
    event = await _writable_event(organizer, slug)
    subject, body = checked_text(data.subject, data.body)
    audience = await _checked_audience(event, data.audience)
    where, args = audience_filter(event["id"], audience)
    async with write_transaction():
        rows = await fetch(f"SELECT r.id FROM registration r WHERE {where} ORDER BY r.id", *args)
        if not rows:
            raise Conflict(
                "Nobody is in this audience: choose other groups or another session.",
                reason="no_recipients",
            )
        created = await fetch_one(
            "INSERT INTO announcement (event, sent_by, subject, body, audience, recipients, "
            "created_at) VALUES ({}, {}, {}, {}, {}, {}, {}) RETURNING id",
            event["id"],
            organizer.id,
            subject,
            body,
            dump_json(
                {"statuses": [s.value for s in audience.statuses], "session": audience.session}
            ),
            len(rows),
            datetime.now(UTC),
        )
        assert created is not None
        await notifications.record(
            NotificationKind.announcement, [row["id"] for row in rows], subject=created["id"]
        )
    await tasks.enqueue_announcement(created["id"])
    return (await _announcements(event["id"], created["id"]))[0]


# --- the log ------------------------------------------------------------------------------

_SELECT = (
    "SELECT a.id, a.subject, a.body, a.audience, a.recipients, a.created_at, "
    "o.name AS sent_by FROM announcement a LEFT JOIN organizer o ON o.id = a.sent_by "
    "WHERE a.event = {}"
)


def _audience_of(stored: object) -> Audience:
    value = load_json(stored) or {}
    return Audience(
        statuses=[AudienceStatus(status) for status in value.get("statuses", [])],
        session=value.get("session"),
    )


async def _announcements(
    event_id: int, announcement_id: int | None = None, *, page: int = 1, per_page: int = 100
) -> list[Announcement]:
    one = " AND a.id = {}" if announcement_id is not None else ""
    args = [event_id, *([announcement_id] if announcement_id is not None else [])]
    rows = await fetch(
        f"{_SELECT}{one} ORDER BY a.created_at DESC, a.id DESC LIMIT {{}} OFFSET {{}}",
        *args,
        per_page,
        (page - 1) * per_page,
    )
    counts = await deliveries.announcement_counts([row["id"] for row in rows])
    return [
        Announcement(
            id=row["id"],
            subject=row["subject"],
            body=row["body"],
            audience=_audience_of(row["audience"]),
            sent_at=row["created_at"],
            sent_by=row["sent_by"],
            recipients=row["recipients"],
            deliveries=counts[row["id"]],
            total=deliveries.total(counts[row["id"]]),
        )
        for row in rows
    ]


async def history(
    organizer: OrganizerPrincipal, slug: str, page: int = 1, per_page: int = 20
) -> Page[Announcement]:
    """What was sent to the event's registrants, newest first, with delivery counts."""
    event = await event_for_manager(organizer, slug)
    counted = await fetch_one(
        "SELECT COUNT(*) AS n FROM announcement WHERE event = {}", event["id"]
    )
    items = await _announcements(event["id"], page=page, per_page=per_page)
    return Page(items=items, total=counted["n"] if counted else 0, page=page, per_page=per_page)


async def detail(
    organizer: OrganizerPrincipal,
    slug: str,
    announcement_id: int,
    state: DeliveryState | None = None,
    page: int = 1,
    per_page: int = 100,
) -> AnnouncementDetail:
    """One announcement and its delivery rows (one per recipient and channel)."""
    event = await event_for_manager(organizer, slug)
    found = await _announcements(event["id"], announcement_id)
    if not found:
        raise NotFound("This event has no such announcement.")
    rows = await deliveries.listing(
        deliveries.Scope.announcement(announcement_id), state, page, per_page
    )
    return AnnouncementDetail(announcement=found[0], deliveries=rows)
