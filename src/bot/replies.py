"""Answers that are not one event's facts: times in another zone, lists of events, the
asker's own registrations, how to cancel, and the polite refusal of questions about other
people. Pure: no database, no HTTP; the caller brings the data (bot.questions)."""

from __future__ import annotations

from datetime import datetime

from events import schemas
from events.enums import SessionStatus
from events.formatting import KIND_LABELS, session_when, when
from events.services.understanding.dates import DateRange

MAX_LISTED = 10


def esc(text: str) -> str:
    """Slack mrkdwn treats &, < and > as markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(url: str, label: str) -> str:
    return f"<{url}|{esc(label)}>"


ZONE_NAMES = {
    "America/Los_Angeles": "Pacific time",
    "America/Denver": "Mountain time",
    "America/Phoenix": "Arizona time",
    "America/Chicago": "Central time",
    "America/New_York": "Eastern time",
    "UTC": "UTC",
}


def in_zone(
    event: schemas.Event, zone: str, *, now: datetime, session_id: int | None, mine: bool
) -> str:
    """The event's sessions (or the one asked about) in ``zone``, with the event's own time
    next to it: "8:30 AM MST is 7:30 AM PST"."""
    sessions = [s for s in event.sessions if s.status == SessionStatus.scheduled]
    sessions = [s for s in sessions if s.id == session_id] or sessions
    title = f"*{esc(event.title)}*"
    if not sessions:
        return f"The organizers haven't scheduled {title} yet."
    name = "your time" if mine else ZONE_NAMES.get(zone, zone.replace("_", " "))
    lines = [f"{title} in {name}{f' ({zone})' if mine else ''}:"]
    for session in sessions[:8]:
        there = session_when(session.starts_at, session.ends_at, zone, now=now)
        home = session_when(session.starts_at, session.ends_at, event.timezone, now=now)
        label = f"{esc(session.title)}: " if len(sessions) > 1 or session_id else ""
        lines.append(f"• {label}{there}" + ("" if there == home else f" (that's {home})"))
    if len(sessions) > 8:
        lines.append(f"…and {len(sessions) - 8} more: {link(event.url, 'full schedule')}")
    return "\n".join(lines)


def _describe(
    topics: list[str],
    kinds: frozenset[str],
    regions: list[str],
    dates: DateRange | None,
) -> str:
    kind = " or ".join(sorted(KIND_LABELS.get(k, k).lower() + "s" for k in kinds)) or "events"
    what = " ".join([*topics, kind]) if topics else kind
    where = f" in {' or '.join(regions)}" if regions else ""
    upcoming = "" if dates and dates.end else "upcoming "
    period = f" {dates.label}" if dates and dates.end else ""
    return f"{upcoming}{what}{where}{period}"


def event_list(
    events: list[schemas.EventSummary],
    *,
    total: int,
    topics: list[str],
    kinds: frozenset[str],
    regions: list[str],
    dates: DateRange | None,
    region_names: dict[str, str],
    now: datetime,
    list_url: str,
) -> str:
    """ "Upcoming cybersecurity events in Illinois next month:" and one line per event:
    title (its page), dates in its zone, kind, host regions by name."""
    described = _describe(topics, kinds, regions, dates)
    if not events:
        return f"I found no {described}."
    lines = [f"{described[0].upper()}{described[1:]}:"]
    for event in events[:MAX_LISTED]:
        dates_text = when(event.starts_at, event.ends_at, event.timezone, now=now)
        hosts = ", ".join(esc(region_names.get(r, r)) for r in event.regions)
        kind = KIND_LABELS.get(event.kind, event.kind)
        lines.append(f"• {link(event.url, event.title)}: {dates_text} · {kind} · {hosts}")
    if total > MAX_LISTED:
        lines.append(f"…and {total - MAX_LISTED} more: {link(list_url, 'all of them')}")
    return "\n".join(lines)


STATUS_WORDS = {
    "confirmed": "you're *confirmed*",
    "waitlisted": "you're on the *waitlist*",
    "pending": "your registration is *pending*: it waits for the organizers' approval",
    "cancelled": "your registration was *cancelled*",
    "declined": "the organizers *declined* your registration",
}


def my_status(event: schemas.Event, status: str | None, position: int | None) -> str:
    title = f"*{esc(event.title)}*"
    if status is None:
        return f"You're not registered for {title}. {link(event.url, 'Register here')}."
    said = STATUS_WORDS.get(status, f"your registration is {status}")
    place = f" (number {position} in line)" if status == "waitlisted" and position else ""
    return f"For {title}, {said}{place}."


def my_registrations(
    items: list[schemas.MyRegistration], *, now: datetime, status: str | None
) -> str:
    chosen = [i for i in items if status is None or i.registration.status == status]
    if not chosen:
        which = {"waitlisted": "on any waitlist"}.get(status or "", "registered for anything")
        return f"You're not {which} coming up. `/events list` shows what's on."
    lines = ["Your registrations:"]
    for item in chosen[:MAX_LISTED]:
        event, registration = item.event, item.registration
        said = STATUS_WORDS.get(registration.status, registration.status)
        place = registration.waitlist_position
        place_text = f" (number {place})" if registration.status == "waitlisted" and place else ""
        dates_text = when(event.starts_at, event.ends_at, event.timezone, now=now)
        lines.append(f"• {link(event.url, event.title)}: {dates_text}: {said}{place_text}")
    return "\n".join(lines)


def cancel_howto(event: schemas.Event | None, status: str | None) -> str:
    if event is None:
        return (
            "To cancel a registration, type `/events cancel <event>` (its name or a few words "
            "of it), or use *Cancel* on your registrations with `/events mine`, or on your "
            "page on the web (`/events me` sends a sign-in link). Your seat goes to the next "
            "person on the waitlist."
        )
    title = f"*{esc(event.title)}*"
    how = (
        f"type `/events cancel {event.slug}`, or use *Cancel* in `/events mine` or on your "
        "page on the web (`/events me`)"
    )
    if status not in ("confirmed", "waitlisted", "pending"):
        return (
            f"You're not registered for {title}, so there's nothing to cancel. "
            f"(To cancel one, {how}.)"
        )
    if status == "waitlisted":
        return f"To leave the waitlist for {title}, {how}."
    return f"To cancel for {title}, {how}. Your seat goes to the next person waiting."


PRIVACY = (
    "I can't share who has registered or anything about other members. The organizers of "
    "the event's region can see its attendees in the Convene console; ask them if you need "
    "to coordinate with colleagues."
)
