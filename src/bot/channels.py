"""Which channels the bot treats specially: a channel about one event, and each region's
organizers' channel, where questions the bot cannot answer go."""

from __future__ import annotations

from datetime import UTC, datetime

from events.auth import OrganizerPrincipal
from events.db import fetch, fetch_one
from events.errors import Forbidden, NotFound
from events.services.permissions import event_region_ids, require_event_access


async def link_channel(
    organizer: OrganizerPrincipal, team_id: str, channel_id: str, event_id: int
) -> None:
    await require_event_access(organizer, event_id, manage=True)
    await fetch(
        "INSERT INTO channel_link (team_id, channel_id, event, created_at) "
        "VALUES ({}, {}, {}, {}) ON CONFLICT (team_id, channel_id) "
        "DO UPDATE SET event = excluded.event",
        team_id,
        channel_id,
        event_id,
        datetime.now(UTC),
    )


async def unlink_channel(organizer: OrganizerPrincipal, team_id: str, channel_id: str) -> bool:
    event_id = await linked_event(team_id, channel_id)
    if event_id is None:
        return False
    await require_event_access(organizer, event_id, manage=True)
    await fetch(
        "DELETE FROM channel_link WHERE team_id = {} AND channel_id = {}", team_id, channel_id
    )
    return True


async def linked_event(team_id: str, channel_id: str) -> int | None:
    row = await fetch_one(
        "SELECT event FROM channel_link WHERE team_id = {} AND channel_id = {}",
        team_id,
        channel_id,
    )
    return row["event"] if row else None


async def set_organizer_channel(
    organizer: OrganizerPrincipal, team_id: str, channel_id: str, region_slug: str | None
) -> list[str]:
    """This channel gets the escalated questions of the organizer's regions (or of the one
    named). Returns the regions' names."""
    if region_slug:
        region = await fetch_one("SELECT id FROM region WHERE slug = {}", region_slug)
        if region is None:
            raise NotFound(f"No region '{region_slug}'.")
        region_ids = {region["id"]}
        if not organizer.organizes_any(region_ids):
            raise Forbidden("You do not organize this region.")
    else:
        region_ids = set(organizer.region_ids)
        if not region_ids:
            raise NotFound("Name the region: `/events organizers-here <region>`.")
    for region_id in sorted(region_ids):
        await fetch(
            "INSERT INTO organizer_channel (region, team_id, channel_id) VALUES ({}, {}, {}) "
            "ON CONFLICT (region) DO UPDATE SET team_id = excluded.team_id, "
            "channel_id = excluded.channel_id",
            region_id,
            team_id,
            channel_id,
        )
    rows = await fetch(
        "SELECT name FROM region WHERE id IN (" + ", ".join("{}" for _ in region_ids) + ")",
        *sorted(region_ids),
    )
    return sorted(row["name"] for row in rows)


async def organizer_channel_for_event(event_id: int | None) -> tuple[str, str] | None:
    """(team_id, channel_id) of the organizers of the event's first host region that has
    one; without an event, any national region's channel."""
    if event_id is not None:
        region_ids = sorted(await event_region_ids(event_id))
        for region_id in region_ids:
            row = await fetch_one(
                "SELECT team_id, channel_id FROM organizer_channel WHERE region = {}", region_id
            )
            if row:
                return row["team_id"], row["channel_id"]
    row = await fetch_one(
        "SELECT c.team_id, c.channel_id FROM organizer_channel c JOIN region r "
        "ON r.id = c.region ORDER BY r.is_national DESC, r.id LIMIT 1"
    )
    return (row["team_id"], row["channel_id"]) if row else None
