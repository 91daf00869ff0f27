"""The core's tables in Piccolo Admin, and the hooks that keep their rules.

Regions, organizations, their email domains and topics are plain records. Events and
sessions are not: their counters, dates and revisions feed seats, waitlists and calendar
feeds. Their edits are handed to the same services as the console and the API (checks,
revisions, notifications to attendees, waitlist promotions); counters and derived dates
are refused; new events and sessions are made in the console, which sets up their regions.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import msgspec
from piccolo_admin.endpoints import TableConfig
from piccolo_api.crud.hooks import Hook, HookType
from starlette.requests import Request

from events import schemas
from events.admin.hooks import (
    acting_admin,
    changed,
    current_row,
    domain_errors,
    refuse,
    refuse_fixed,
    unchanged,
)
from events.db import write_transaction
from events.enums import EventStatus, SessionStatus
from events.services import events as event_service
from events.services.region_aliases import normalized_alias
from events.tables import (
    Event,
    Organization,
    OrganizationDomain,
    Region,
    RegionAlias,
    Session,
    Topic,
)

# Refused when changed: they look editable, and changing them would break links or rules.
EVENT_FIXED = {
    "slug": "Links and calendar feeds use the slug; it cannot change.",
    "kind": "The kind is chosen when the event is created.",
}
SESSION_FIXED = {
    "event": "A session stays with its event; cancel it and add one to the other event.",
}
# Kept by Convene and shown for reference. Ignored rather than refused: Piccolo's form does
# not reload after a save, so the next save sends their old values back.
EVENT_KEPT = {
    "seats_taken", "waitlisted", "arrivals",  # registrations keep them
    "starts_at", "ends_at",  # follow the sessions
    "created_at", "updated_at", "published_at", "cancelled_at",
}  # fmt: skip
SESSION_KEPT = {"revision", "created_at", "updated_at", "cancelled_at"}
VENUE_COLUMNS = {
    "venue_name": "name",
    "venue_address": "address",
    "latitude": "latitude",
    "longitude": "longitude",
}
CREATE_IN_CONSOLE = "Create events and sessions in the console, which sets up their regions."


def _event_update(changes: Mapping[str, object], row: dict) -> schemas.EventUpdate:
    fields: dict[str, object] = {}
    for name, value in changes.items():
        if name in VENUE_COLUMNS:
            continue
        fields[name] = float(value) if isinstance(value, Decimal) else value
    if changes.keys() & VENUE_COLUMNS.keys():
        venue = {key: changes.get(column, row[column]) for column, key in VENUE_COLUMNS.items()}
        fields["venue"] = venue if venue["name"] else None
    try:
        if isinstance(fields.get("questions"), str):
            fields["questions"] = msgspec.json.decode(fields["questions"])  # type: ignore[arg-type]
        return msgspec.convert(fields, schemas.EventUpdate)
    except (msgspec.ValidationError, msgspec.DecodeError) as error:
        raise refuse("event", str(error), "invalid_field") from error


async def patch_event(row_id: int, values: dict, request: Request) -> dict:
    organizer = acting_admin(request)
    row = await current_row(Event, row_id)
    changes = changed(values, row, ignore=EVENT_KEPT)
    refuse_fixed(changes, EVENT_FIXED)
    status = changes.pop("status", None)
    with domain_errors():
        if changes:
            await event_service.update_event(organizer, row["slug"], _event_update(changes, row))
        if status == EventStatus.published:
            await event_service.publish_event(organizer, row["slug"])
        elif status == EventStatus.cancelled:
            await event_service.cancel_event(organizer, row["slug"])
        elif status is not None:
            raise refuse("status", "An event cannot go back to draft.", "invalid_transition")
    return await unchanged(Event, row_id)


async def patch_session(row_id: int, values: dict, request: Request) -> dict:
    organizer = acting_admin(request)
    row = await current_row(Session, row_id)
    changes = changed(values, row, ignore=SESSION_KEPT)
    refuse_fixed(changes, SESSION_FIXED)
    status = changes.pop("status", None)
    with domain_errors():
        if changes:
            try:
                update = msgspec.convert(changes, schemas.SessionUpdate)
            except msgspec.ValidationError as error:
                raise refuse("session", str(error), "invalid_field") from error
            await event_service.change_session(organizer, row_id, update)
        if status == SessionStatus.cancelled:
            await event_service.cancel_session(organizer, row_id)
        elif status is not None:
            raise refuse("status", "A cancelled session stays cancelled.", "invalid_transition")
    return await unchanged(Session, row_id)


def _relabel(table: type[Region] | type[Topic]):
    """Region and topic names are in the calendar feeds' entries: the rename and the touch
    of its events share one transaction, so no feed is rebuilt in between with the old name."""

    async def rename(row_id: int, values: dict) -> dict:
        async with write_transaction():
            await table.update(values).where(table.id == row_id)
            await event_service.touch_labelled(table._meta.tablename, row_id)
        return values  # Piccolo writes them once more: the same values, no change

    return rename


async def _refuse_taken_alias(alias: str, region: object, row_id: object = None) -> None:
    taken = RegionAlias.exists().where(
        (RegionAlias.alias == alias) & (RegionAlias.region == region)
    )
    if row_id is not None:
        taken = taken.where(RegionAlias.id != row_id)
    if await taken:
        raise refuse("alias", "This region already has that alias.", "alias_taken")


async def normalize_new_alias(row: RegionAlias) -> RegionAlias:
    """Aliases are kept as the linker compares them: "The Valley" is stored "the valley"."""
    with domain_errors("alias"):
        row.alias = normalized_alias(row.alias)
    await _refuse_taken_alias(row.alias, row.region, None)
    return row


async def normalize_alias_edit(row_id: int, values: dict) -> dict:
    row = await current_row(RegionAlias, row_id)
    for column in list(values):
        if column._meta.name == "alias":
            with domain_errors("alias"):
                values[column] = normalized_alias(values[column])
    named = {column._meta.name: value for column, value in values.items()}
    await _refuse_taken_alias(
        named.get("alias", row["alias"]), named.get("region", row["region"]), row_id
    )
    return values


def refuse_create(row: object) -> object:
    raise refuse("record", CREATE_IN_CONSOLE, "create_in_console")


async def delete_event(row_id: int) -> None:
    """Only drafts: a published event is cancelled, so calendars and attendees hear of it."""
    row = await current_row(Event, row_id)
    if row["status"] != EventStatus.draft:
        raise refuse("status", "Cancel a published event instead.", "event_not_draft")


async def delete_session(row_id: int) -> None:
    row = await current_row(Session, row_id)
    event = await current_row(Event, row["event"])
    if event["status"] != EventStatus.draft:
        raise refuse("status", "Cancel the session instead.", "event_not_draft")


def _on_patch(hook) -> Hook:
    return Hook(hook_type=HookType.pre_patch, callable=hook)


def _service_backed(table: type, patch, delete) -> TableConfig:
    return TableConfig(
        table,
        menu_group="Events",
        hooks=[
            Hook(hook_type=HookType.pre_save, callable=refuse_create),
            _on_patch(patch),
            Hook(hook_type=HookType.pre_delete, callable=delete),
        ],
    )


def core_tables() -> list[TableConfig]:
    coalition = "Coalition"
    return [
        TableConfig(Region, menu_group=coalition, hooks=[_on_patch(_relabel(Region))]),
        TableConfig(
            RegionAlias,
            menu_group=coalition,
            hooks=[
                Hook(hook_type=HookType.pre_save, callable=normalize_new_alias),
                _on_patch(normalize_alias_edit),
            ],
        ),
        TableConfig(Organization, menu_group=coalition),
        TableConfig(OrganizationDomain, menu_group=coalition),
        TableConfig(Topic, menu_group=coalition, hooks=[_on_patch(_relabel(Topic))]),
        _service_backed(Event, patch_event, delete_event),
        _service_backed(Session, patch_session, delete_session),
    ]
