"""Organizers are confined to the events of their regions; admins see everything."""

from __future__ import annotations

from events.auth import OrganizerPrincipal, require_manager
from events.db import fetch
from events.errors import Forbidden, NotFound


async def event_region_ids(event_id: int) -> set[int]:
    rows = await fetch("SELECT region FROM event_region WHERE event = {}", event_id)
    return {row["region"] for row in rows}


async def require_event_access(
    organizer: OrganizerPrincipal, event_id: int, *, manage: bool
) -> None:
    """``manage``: change the event or its registrations (not for check-in staff)."""
    if manage:
        require_manager(organizer)
    if organizer.is_admin:
        return
    regions = await event_region_ids(event_id)
    if not regions and not await fetch("SELECT id FROM event WHERE id = {}", event_id):
        raise NotFound("No such event.")
    if not organizer.organizes_any(regions):
        raise Forbidden("This event belongs to a region you do not organize.")
