"""Organizers curating the FAQ, and the questions waiting for them, over HTTP.

Who may curate an entry depends on its scope: an event's entries, whoever manages the event
(its regions' organizers); a region's, that region's organizers; the coalition's, admins.
Check-in staff curate nothing (and see neither the FAQ nor members' questions here).
Everyone else sees what they could curate, plus the coalition-wide entries.
"""

from __future__ import annotations

import msgspec

from bot import faq
from bot.enums import FaqScope, QuestionStatus
from bot.schemas import FaqEntry, FaqEntryCreate, FaqEntryUpdate, PendingQuestion
from events import schemas
from events.auth import OrganizerPrincipal, require_admin, require_manager
from events.db import fetch, fetch_one
from events.errors import Forbidden, InvalidInput, NotFound
from events.services.permissions import require_event_access

ENTRY_SELECT = (
    "SELECT f.id, f.scope, f.event AS event_id, f.region AS region_id, e.slug AS event, "
    "r.slug AS region, f.question, f.answer, f.created_at, f.created_by FROM faq_entry f "
    "LEFT JOIN event e ON e.id = f.event LEFT JOIN region r ON r.id = f.region"
)


# Which of scope's owners (event, region) an entry must name.
def _placeholders(values: list) -> str:
    return ", ".join("{}" for _ in values)


def _entry(row: dict) -> FaqEntry:
    return FaqEntry(
        id=row["id"],
        scope=FaqScope(row["scope"]),
        event=row["event"],
        region=row["region"],
        question=row["question"],
        answer=row["answer"],
        created_at=row["created_at"],
        created_by=row["created_by"] or "",
    )


async def _entry_row(entry_id: int) -> dict:
    row = await fetch_one(f"{ENTRY_SELECT} WHERE f.id = {{}}", entry_id)
    if row is None:
        raise NotFound("No such FAQ entry.")
    return row


async def _require_curator(
    organizer: OrganizerPrincipal, scope: FaqScope, event_id: int | None, region_id: int | None
) -> None:
    require_manager(organizer)
    if scope is FaqScope.event:
        assert event_id is not None
        await require_event_access(organizer, event_id, manage=True)
    elif scope is FaqScope.region:
        assert region_id is not None
        if not organizer.organizes_any({region_id}):
            raise Forbidden("This region is not one you organize.")
    else:
        require_admin(organizer)


def _text(value: str, field: str) -> str:
    text = value.strip()
    if not text:
        raise InvalidInput(f"A FAQ entry needs a non-blank {field}.", reason=f"empty_{field}")
    return text


def _check_owners(data: FaqEntryCreate) -> None:
    needs_event, needs_region = faq.OWNERS[data.scope]
    for name, needed, given in (
        ("event", needs_event, data.event),
        ("region", needs_region, data.region),
    ):
        if needed and given is None:
            raise InvalidInput(
                f"A {data.scope.value} entry needs the {name}'s slug.", reason=f"missing_{name}"
            )
        if not needed and given is not None:
            raise InvalidInput(
                f"A {data.scope.value} entry names no {name}.", reason=f"unexpected_{name}"
            )


async def _id_for_slug(table: str, slug: str) -> int:
    row = await fetch_one(f"SELECT id FROM {table} WHERE slug = {{}}", slug)
    if row is None:
        raise InvalidInput(f"No {table} '{slug}'.", reason=f"unknown_{table}")
    return row["id"]


async def create_entry(organizer: OrganizerPrincipal, data: FaqEntryCreate) -> FaqEntry:
    require_manager(organizer)
    _check_owners(data)
    question, answer = _text(data.question, "question"), _text(data.answer, "answer")
    event_id = await _id_for_slug("event", data.event) if data.event is not None else None
    region_id = await _id_for_slug("region", data.region) if data.region is not None else None
    await _require_curator(organizer, data.scope, event_id, region_id)
    entry_id = await faq.add_entry(
        scope=data.scope,
        question=question,
        answer=answer,
        event_id=event_id,
        region_id=region_id,
        created_by=f"organizer:{organizer.id}",
    )
    return _entry(await _entry_row(entry_id))


async def update_entry(
    organizer: OrganizerPrincipal, entry_id: int, data: FaqEntryUpdate
) -> FaqEntry:
    require_manager(organizer)
    row = await _entry_row(entry_id)
    await _require_curator(organizer, FaqScope(row["scope"]), row["event_id"], row["region_id"])
    question = None if data.question is msgspec.UNSET else _text(data.question, "question")
    answer = None if data.answer is msgspec.UNSET else _text(data.answer, "answer")
    if question is None and answer is None:
        return _entry(row)
    if not await faq.update_entry(entry_id, question=question, answer=answer):
        raise NotFound("No such FAQ entry.")  # deleted meanwhile
    return _entry(await _entry_row(entry_id))


async def delete_entry(organizer: OrganizerPrincipal, entry_id: int) -> None:
    require_manager(organizer)
    row = await _entry_row(entry_id)
    await _require_curator(organizer, FaqScope(row["scope"]), row["event_id"], row["region_id"])
    if not await faq.delete_entry(entry_id):
        raise NotFound("No such FAQ entry.")  # deleted meanwhile


def _visible_entries(organizer: OrganizerPrincipal) -> tuple[str, list[object]]:
    """Coalition entries, and those of the organizer's regions and their events."""
    if organizer.is_admin:
        return "1 = 1", []
    ids = sorted(organizer.region_ids) or [-1]
    clause = (
        "(f.scope = 'coalition' "
        f"OR (f.scope = 'region' AND f.region IN ({_placeholders(ids)})) "
        "OR (f.scope = 'event' AND EXISTS (SELECT 1 FROM event_region er "
        f"WHERE er.event = f.event AND er.region IN ({_placeholders(ids)}))))"
    )
    return clause, [*ids, *ids]


async def list_entries(
    organizer: OrganizerPrincipal,
    *,
    event: str | None,
    region: str | None,
    scope: FaqScope | None,
    page: int,
    per_page: int,
) -> schemas.Page[FaqEntry]:
    """Entries I could curate, and the coalition's; ``event`` and ``region`` are the
    slugs entries belong to (an unknown slug matches nothing, as in the catalogue)."""
    require_manager(organizer)
    visible, args = _visible_entries(organizer)
    where = [visible]
    for condition, value in (
        ("e.slug = {}", event),
        ("r.slug = {}", region),
        ("f.scope = {}", scope.value if scope else None),
    ):
        if value is not None:
            where.append(condition)
            args.append(value)
    clause = " AND ".join(where)
    total = await fetch_one(
        "SELECT COUNT(*) AS n FROM faq_entry f LEFT JOIN event e ON e.id = f.event "
        f"LEFT JOIN region r ON r.id = f.region WHERE {clause}",
        *args,
    )
    rows = await fetch(
        f"{ENTRY_SELECT} WHERE {clause} ORDER BY f.id LIMIT {{}} OFFSET {{}}",
        *args,
        per_page,
        (page - 1) * per_page,
    )
    return schemas.Page(
        items=[_entry(row) for row in rows],
        total=total["n"] if total else 0,
        page=page,
        per_page=per_page,
    )


async def pending_questions(
    organizer: OrganizerPrincipal, *, status: QuestionStatus, page: int, per_page: int
) -> schemas.Page[PendingQuestion]:
    """Members' questions in ``status``, oldest first: about events of the organizer's
    regions; admins also see the questions about no event."""
    require_manager(organizer)
    where, args = ["q.status = {}"], [status.value]
    if not organizer.is_admin:
        ids = sorted(organizer.region_ids) or [-1]
        where.append(
            "EXISTS (SELECT 1 FROM event_region er WHERE er.event = q.event "
            f"AND er.region IN ({_placeholders(ids)}))"
        )
        args.extend(ids)
    clause = " AND ".join(where)
    total = await fetch_one(f"SELECT COUNT(*) AS n FROM question q WHERE {clause}", *args)
    rows = await fetch(
        "SELECT q.id, e.slug AS event, q.text, q.status, q.created_at, q.channel_id, q.user_id "
        f"FROM question q LEFT JOIN event e ON e.id = q.event WHERE {clause} "
        "ORDER BY q.created_at, q.id LIMIT {} OFFSET {}",
        *args,
        per_page,
        (page - 1) * per_page,
    )
    return schemas.Page(
        items=[
            PendingQuestion(
                id=row["id"],
                event=row["event"],
                text=row["text"],
                status=QuestionStatus(row["status"]),
                asked_at=row["created_at"],
                channel_id=row["channel_id"],
                user_id=row["user_id"],
            )
            for row in rows
        ],
        total=total["n"] if total else 0,
        page=page,
        per_page=per_page,
    )
