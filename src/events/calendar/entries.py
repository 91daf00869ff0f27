"""From rows to SessionEntry: what a subscriber sees of each session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from events.calendar.ical import SessionEntry
from events.enums import RegistrationStatus


@dataclass(frozen=True, slots=True)
class Personal:
    """How one member's registration colours a session in their own feed."""

    status: str
    waitlist_position: int | None
    join_url: str | None  # confirmed attendees of online events only
    changed_at: datetime | None = None  # the registration's last change (or its queue's)


def uid(session_id: int, host: str) -> str:
    return f"session-{session_id}@{host}"


def _location(row: dict) -> tuple[str | None, tuple[float, float] | None]:
    if row["location_name"]:
        parts = [row["location_name"], row["location_address"]]
        return ", ".join(p for p in parts if p), None
    if row["venue_name"]:
        parts = [row["venue_name"], row["venue_address"]]
        geo = None
        if row["latitude"] is not None and row["longitude"] is not None:
            # 5 decimals is about a metre; more would only show float noise.
            geo = (round(float(row["latitude"]), 5), round(float(row["longitude"]), 5))
        return ", ".join(p for p in parts if p), geo
    if row["online"]:
        return "Online", None
    return None, None


def _summary(row: dict) -> str:
    session_title, event_title = row["session_title"], row["event_title"]
    if not session_title or session_title == event_title:
        return event_title
    return f"{event_title}: {session_title}"


def _personal_lines(personal: Personal) -> list[str]:
    if personal.status == RegistrationStatus.confirmed:
        lines = ["You are registered (confirmed)."]
        if personal.join_url:
            lines.append(f"Join online: {personal.join_url}")
        return lines
    if personal.status == RegistrationStatus.waitlisted:
        return [f"You are number {personal.waitlist_position} on the waitlist."]
    return ["Your registration is awaiting an organizer's approval."]


def build_entry(
    row: dict,
    *,
    host: str,
    event_url: str,
    regions: list[dict],
    topics: list[str],
    region_url: str,
    personal: Personal | None = None,
) -> SessionEntry:
    """``row``: a session joined with its event (see feeds.DETAIL_COLUMNS)."""
    cancelled = row["event_status"] == "cancelled" or row["session_status"] == "cancelled"
    if cancelled:
        status = "CANCELLED"
    elif personal is None or personal.status == RegistrationStatus.confirmed:
        status = "CONFIRMED"
    else:
        status = "TENTATIVE"
    location, geo = _location(row)
    if personal and personal.join_url and location == "Online":
        location = personal.join_url
    lines = [text for text in (row["event_summary"], row["session_description"]) if text]
    if len(regions) > 1:
        lines.append("Co-hosted by " + " and ".join(r["name"] for r in regions) + ".")
    if cancelled:
        lines.insert(0, "CANCELLED.")
    if personal:
        lines.extend(_personal_lines(personal))
    lines.append(f"Details and registration: {event_url}")
    stamp: datetime = max(row["session_updated_at"], row["event_updated_at"])
    if personal and personal.changed_at and personal.changed_at > stamp:
        stamp = personal.changed_at  # e.g. promoted from the waitlist: clients must update
    host_region = regions[0] if regions else None
    return SessionEntry(
        uid=uid(row["session_id"], host),
        sequence=row["revision"],
        stamp=stamp,
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        summary=_summary(row),
        description="\n\n".join(lines),
        url=event_url,
        status=status,
        location=location,
        geo=geo,
        categories=tuple(topics),
        organizer_name=host_region["name"] if host_region else None,
        organizer_url=region_url.format(slug=host_region["slug"]) if host_region else None,
    )
