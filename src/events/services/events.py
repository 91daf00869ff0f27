"""Organizers create, change, publish and cancel events. Each change is one transaction."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import msgspec

from events import schemas, tasks
from events.auth import OrganizerPrincipal, require_manager
from events.db import dump_json, fetch, fetch_one, is_unique_violation, load_json, write_transaction
from events.enums import EventStatus, NotificationKind, RegistrationStatus
from events.errors import Conflict, Forbidden, InvalidInput, NotFound
from events.services import attendance, catalog, notifications, seats, sessions
from events.services.permissions import require_event_access
from events.zones import require_zone


def _check_window(opens: datetime | None, closes: datetime | None) -> None:
    for value in (opens, closes):
        sessions.require_aware(value)
    if opens and closes and closes <= opens:
        raise InvalidInput(
            "Registration must close after it opens.", reason="invalid_registration_window"
        )


async def _ids_by_slug(table: str, slugs: list[str], reason: str) -> list[int]:
    unique = list(dict.fromkeys(slugs))  # the caller's order: the first region hosts
    if not unique:
        return []
    rows = await fetch(
        f"SELECT id, slug FROM {table} WHERE slug IN (" + ", ".join("{}" for _ in unique) + ")",
        *unique,
    )
    found = {row["slug"]: row["id"] for row in rows}
    missing = [slug for slug in unique if slug not in found]
    if missing:
        raise InvalidInput(
            f"Unknown {table}: {', '.join(missing)}.", reason=reason, unknown=missing
        )
    return [found[slug] for slug in unique]


def _check_questions(questions: list[schemas.Question]) -> None:
    keys = [question.key for question in questions]
    if len(keys) != len(set(keys)):
        raise InvalidInput("Question keys must be unique.", reason="duplicate_question")
    for question in questions:
        if question.kind == "choice" and not question.choices:
            raise InvalidInput(
                f"Question '{question.key}' offers no choices.", reason="question_without_choices"
            )


async def _set_links(event_id: int, table: str, column: str, ids: list[int]) -> None:
    await fetch(f"DELETE FROM {table} WHERE event = {{}}", event_id)
    for linked_id in ids:
        await fetch(
            f"INSERT INTO {table} (event, {column}) VALUES ({{}}, {{}})", event_id, linked_id
        )


def _require_own_region(organizer: OrganizerPrincipal, region_ids: list[int]) -> None:
    require_manager(organizer)
    if not organizer.organizes_any(set(region_ids)):
        raise Forbidden("An event must be hosted by at least one region you organize.")


async def create_event(organizer: OrganizerPrincipal, data: schemas.EventCreate) -> schemas.Event:
    require_zone(data.timezone)
    _check_window(data.registration_opens_at, data.registration_closes_at)
    _check_questions(data.questions)
    for session in data.sessions:
        sessions.check_times(session.starts_at, session.ends_at)
    region_ids = await _ids_by_slug("region", data.regions, "unknown_region")
    topic_ids = await _ids_by_slug("topic", data.topics, "unknown_topic")
    _require_own_region(organizer, region_ids)
    venue = data.venue
    now = datetime.now(UTC)
    try:
        async with write_transaction():
            row = await fetch_one(
                "INSERT INTO event (slug, title, kind, summary, description, status, timezone, "
                "venue_name, venue_address, latitude, longitude, online_url, capacity, "
                "seats_taken, arrivals, registration_opens_at, registration_closes_at, "
                "members_only, organization_seat_cap, approval_required, credit_hours, "
                "questions, created_at, updated_at) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, "
                "{}, {}, {}, {}, 0, 0, {}, {}, {}, {}, {}, {}, {}, {}, {}) RETURNING id",
                data.slug,
                data.title,
                data.kind.value,
                data.summary,
                data.description,
                EventStatus.draft.value,
                data.timezone,
                venue.name if venue else None,
                venue.address if venue else None,
                venue.latitude if venue else None,
                venue.longitude if venue else None,
                data.online_url,
                data.capacity,
                sessions.whole_seconds(data.registration_opens_at),
                sessions.whole_seconds(data.registration_closes_at),
                data.members_only,
                data.organization_seat_cap,
                data.approval_required,
                Decimal(str(data.credit_hours)),
                dump_json(msgspec.to_builtins(data.questions)),
                now,
                now,
            )
            assert row is not None
            await _set_links(row["id"], "event_region", "region", region_ids)
            await _set_links(row["id"], "event_topic", "topic", topic_ids)
            for session in data.sessions:
                await sessions.insert_session(row["id"], session)
            await sessions.refresh_event_dates(row["id"])
    except Exception as exc:
        if is_unique_violation(exc):
            raise Conflict(f"The slug '{data.slug}' is taken.", reason="slug_taken") from None
        raise
    return await manager_event(organizer, data.slug)


async def event_for_manager(
    organizer: OrganizerPrincipal, slug: str, *, manage: bool = True
) -> dict:
    row = await catalog.event_row(slug)
    if row is None:
        raise NotFound(f"No event '{slug}'.")
    await require_event_access(organizer, row["id"], manage=manage)
    return row


async def manager_event(organizer: OrganizerPrincipal, slug: str) -> schemas.Event:
    row = await event_for_manager(organizer, slug, manage=False)
    return await catalog.event_detail(row, for_organizer=True)


_PLAIN_FIELDS = (
    "title",
    "summary",
    "description",
    "timezone",
    "online_url",
    "registration_opens_at",
    "registration_closes_at",
    "members_only",
    "approval_required",
)


async def update_event(
    organizer: OrganizerPrincipal, slug: str, data: schemas.EventUpdate
) -> schemas.Event:
    row = await event_for_manager(organizer, slug)
    changes: dict[str, object] = {
        field: sessions.whole_seconds(getattr(data, field))
        for field in _PLAIN_FIELDS
        if getattr(data, field) is not msgspec.UNSET
    }
    if "timezone" in changes:
        require_zone(changes["timezone"])  # type: ignore[arg-type]
    _check_window(
        changes.get("registration_opens_at", row["registration_opens_at"]),  # type: ignore[arg-type]
        changes.get("registration_closes_at", row["registration_closes_at"]),  # type: ignore[arg-type]
    )
    if data.credit_hours is not msgspec.UNSET:
        changes["credit_hours"] = Decimal(str(data.credit_hours))
    if data.questions is not msgspec.UNSET:
        _check_questions(data.questions)
        changes["questions"] = dump_json(msgspec.to_builtins(data.questions))
    venue_changed = False
    if data.venue is not msgspec.UNSET:
        venue = data.venue
        place = {
            "venue_name": venue.name if venue else None,
            "venue_address": venue.address if venue else None,
            "latitude": venue.latitude if venue else None,
            "longitude": venue.longitude if venue else None,
        }
        changes.update(place)
        # Only a real move is a new revision: resending the same venue changes nothing.
        venue_changed = not all(_same(value, row[column]) for column, value in place.items())
    venue_name = changes.get("venue_name", row["venue_name"])
    if row["status"] == EventStatus.published and not (
        venue_name or changes.get("online_url", row["online_url"])
    ):
        raise Conflict(
            "A published event needs a venue or an online join link.", reason="no_location"
        )
    region_ids = topic_ids = None
    if data.regions is not msgspec.UNSET:
        region_ids = await _ids_by_slug("region", data.regions, "unknown_region")
        _require_own_region(organizer, region_ids)
    if data.topics is not msgspec.UNSET:
        topic_ids = await _ids_by_slug("topic", data.topics, "unknown_topic")
    promoted: list[int] = []
    told: list[int] = []
    async with write_transaction():
        changes["updated_at"] = datetime.now(UTC)
        assignments = ", ".join(f"{column} = {{}}" for column in changes)
        await fetch(f"UPDATE event SET {assignments} WHERE id = {{}}", *changes.values(), row["id"])
        if venue_changed:
            await sessions.bump_revisions(row["id"], only_without_location=True)
            told = await notifications.record_for_attendees(
                row["id"], NotificationKind.event_changed
            )
        if data.capacity is not msgspec.UNSET:
            promoted = await seats.change_capacity(row["id"], data.capacity)
        if data.organization_seat_cap is not msgspec.UNSET:
            await _set_organization_cap(row["id"], data.organization_seat_cap)
        if region_ids is not None:
            await _set_links(row["id"], "event_region", "region", region_ids)
        if topic_ids is not None:
            await _set_links(row["id"], "event_topic", "topic", topic_ids)
    await tasks.enqueue_deliveries(promoted + told)
    return await manager_event(organizer, slug)


def _same(new: object, old: object) -> bool:
    """Equal, allowing for coordinates stored as single-precision REAL on PostgreSQL."""
    if isinstance(new, float) and isinstance(old, float):
        return abs(new - old) < 1e-5
    return new == old


async def touch_labelled(label_table: str, label_id: int) -> None:
    """A region or topic was renamed: its events count as changed, so cached feed entries
    (keyed on the event's ``updated_at``) are rendered again with the new name. Call it in
    the transaction that renames."""
    link_table = {"region": "event_region", "topic": "event_topic"}[label_table]
    await fetch(
        f"UPDATE event SET updated_at = {{}} WHERE id IN "
        f"(SELECT event FROM {link_table} WHERE {label_table} = {{}})",
        datetime.now(UTC),
        label_id,
    )


async def _set_organization_cap(event_id: int, cap: int | None) -> None:
    """The per-organization counters are derived data: rebuild them from registrations."""
    await fetch("UPDATE event SET organization_seat_cap = {} WHERE id = {}", cap, event_id)
    await fetch("DELETE FROM event_organization_seats WHERE event = {}", event_id)
    if cap is not None:
        await fetch(
            "INSERT INTO event_organization_seats (event, organization, taken) "
            "SELECT r.event, m.organization, COUNT(*) FROM registration r "
            "JOIN member m ON m.id = r.member WHERE r.event = {} "
            "AND r.status IN ('confirmed', 'waitlisted', 'pending') "
            "AND m.organization IS NOT NULL GROUP BY r.event, m.organization",
            event_id,
        )


async def publish_event(organizer: OrganizerPrincipal, slug: str) -> schemas.Event:
    row = await event_for_manager(organizer, slug)
    if row["status"] == EventStatus.cancelled:
        raise Conflict("A cancelled event cannot be published again.", reason="event_cancelled")
    if row["status"] == EventStatus.draft:
        if not await fetch("SELECT id FROM event_session WHERE event = {} LIMIT 1", row["id"]):
            raise Conflict("Add at least one session before publishing.", reason="no_sessions")
        if not row["venue_name"] and not row["online_url"]:
            raise Conflict(
                "Give the event a venue or an online join link before publishing.",
                reason="no_location",
            )
        now = datetime.now(UTC)
        published = await fetch_one(
            "UPDATE event SET status = 'published', published_at = {}, updated_at = {} "
            "WHERE id = {} AND status = 'draft' RETURNING status",
            now,
            now,
            row["id"],
        )
        current = await catalog.event_row(slug) if published is None else None
        if current is not None and current["status"] == EventStatus.cancelled:
            # Cancelled between the read above and this write: the cancel stands.
            raise Conflict("A cancelled event cannot be published.", reason="event_cancelled")
    return await manager_event(organizer, slug)


async def cancel_event(organizer: OrganizerPrincipal, slug: str) -> schemas.Event:
    """Cancel an event: registrations stay for the record, sessions get a new revision."""
    row = await event_for_manager(organizer, slug)
    if row["status"] != EventStatus.cancelled:
        now = datetime.now(UTC)
        told: list[int] = []
        async with write_transaction():
            # Conditional: of two cancels at once, one tells the attendees.
            cancelled = await fetch_one(
                "UPDATE event SET status = 'cancelled', cancelled_at = {}, updated_at = {} "
                "WHERE id = {} AND status <> 'cancelled' RETURNING id",
                now,
                now,
                row["id"],
            )
            if cancelled is not None:
                await sessions.bump_revisions(row["id"])
                told = await notifications.record_for_attendees(
                    row["id"], NotificationKind.event_cancelled
                )
        await tasks.enqueue_deliveries(told)
    return await manager_event(organizer, slug)


async def managed_events(
    organizer: OrganizerPrincipal, *, status: str | None, page: int, per_page: int
) -> schemas.Page[schemas.EventSummary]:
    statuses = (status,) if status else tuple(s.value for s in EventStatus)
    return await catalog.list_events(
        statuses=statuses,
        published_only=False,
        region_ids=None if organizer.is_admin else organizer.region_ids,
        page=page,
        per_page=per_page,
    )


async def add_session(
    organizer: OrganizerPrincipal, slug: str, data: schemas.SessionCreate
) -> schemas.Event:
    row = await event_for_manager(organizer, slug)
    await sessions.add_session(organizer, row["id"], data)
    return await manager_event(organizer, slug)


async def change_session(
    organizer: OrganizerPrincipal, session_id: int, data: schemas.SessionUpdate
) -> schemas.Event:
    slug = await sessions.update_session(organizer, session_id, data)
    return await manager_event(organizer, slug)


async def cancel_session(organizer: OrganizerPrincipal, session_id: int) -> schemas.Event:
    slug = await sessions.cancel_session(organizer, session_id)
    return await manager_event(organizer, slug)


async def attendees(
    organizer: OrganizerPrincipal,
    slug: str,
    status: RegistrationStatus | None,
    page: int,
    per_page: int,
) -> schemas.Page[schemas.Attendee]:
    row = await event_for_manager(organizer, slug, manage=False)
    return await attendance.attendees(row["id"], status, page=page, per_page=per_page)


async def attendees_csv(organizer: OrganizerPrincipal, slug: str) -> str:
    row = await event_for_manager(organizer, slug, manage=False)
    keys = [question["key"] for question in load_json(row["questions"]) or []]
    return attendance.attendees_csv((await attendance.attendees(row["id"])).items, keys)


async def registration_counts(organizer: OrganizerPrincipal, slug: str) -> dict[str, int]:
    """How many registrations an event has in each status (its organizers only)."""
    row = await event_for_manager(organizer, slug, manage=False)
    rows = await fetch(
        "SELECT status, COUNT(*) AS n FROM registration WHERE event = {} GROUP BY status",
        row["id"],
    )
    return {status.value: 0 for status in RegistrationStatus} | {r["status"]: r["n"] for r in rows}


async def counts_by_event(
    organizer: OrganizerPrincipal, slugs: list[str]
) -> dict[str, dict[str, int]]:
    """Registrations per status for each of these events (those of the organizer's regions;
    admins: all), in one query."""
    if not slugs:
        return {}
    where, args = f"e.slug IN ({', '.join('{}' for _ in slugs)})", list(slugs)
    if not organizer.is_admin:
        regions = sorted(organizer.region_ids) or [-1]
        where += (
            " AND EXISTS (SELECT 1 FROM event_region er WHERE er.event = e.id "
            f"AND er.region IN ({', '.join('{}' for _ in regions)}))"
        )
        args.extend(regions)
    rows = await fetch(
        "SELECT e.slug, r.status, COUNT(*) AS n FROM registration r JOIN event e "
        f"ON e.id = r.event WHERE {where} GROUP BY e.slug, r.status",
        *args,
    )
    counts = {slug: {status.value: 0 for status in RegistrationStatus} for slug in slugs}
    for row in rows:
        counts[row["slug"]][row["status"]] = row["n"]
    return counts
