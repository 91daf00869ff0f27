"""The App Home tab: the member's next sessions, waitlist places, certificates, and what is
coming up in their region. ``home_view`` is pure; ``publish_home`` loads and sends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks import escape, event_card
from certs.documents import pdf_url, verify_url
from events import schemas
from events.db import fetch, fetch_one
from events.formatting import session_when
from events.services import catalog
from events.services.registrations import waitlist_position

UPCOMING_SESSIONS = 8
REGION_EVENTS = 5


@dataclass(frozen=True, slots=True)
class SessionLine:
    event_title: str
    event_url: str
    title: str
    starts_at: datetime
    ends_at: datetime
    timezone: str


@dataclass(frozen=True, slots=True)
class WaitlistLine:
    event_title: str
    event_url: str
    position: int


@dataclass(frozen=True, slots=True)
class CertificateLine:
    event_title: str
    download_url: str
    verify_url: str


def home_view(
    name: str,
    sessions: list[SessionLine],
    waitlists: list[WaitlistLine],
    certificates: list[CertificateLine],
    region_events: list[schemas.EventSummary],
) -> dict:
    blocks: list[dict] = [
        {"type": "header", "text": {"type": "plain_text", "text": f"Hi {name[:100]}"}},
        _section("*Your next sessions*"),
    ]
    if sessions:
        blocks.append(
            _section(
                "\n".join(
                    f"• <{s.event_url}|{escape(s.event_title)}>"
                    + (f": {escape(s.title)}" if s.title and s.title != s.event_title else "")
                    + f"\n   {session_when(s.starts_at, s.ends_at, s.timezone)}"
                    for s in sessions
                )
            )
        )
    else:
        blocks.append(_context("Nothing scheduled. `/events list` shows what's coming up."))
    if waitlists:
        blocks.append(_section("*Waitlists*"))
        blocks.append(
            _section(
                "\n".join(
                    f"• <{w.event_url}|{escape(w.event_title)}>: position {w.position}"
                    for w in waitlists
                )
            )
        )
    if certificates:
        blocks.append(_section("*Your certificates*"))
        blocks.append(
            _section(
                "\n".join(
                    f"• {escape(c.event_title)}: <{c.download_url}|Download PDF> · "
                    f"<{c.verify_url}|Verify>"
                    for c in certificates
                )
            )
        )
    blocks += [{"type": "divider"}, _section("*Coming up in your region*")]
    for event in region_events:
        blocks += event_card(event)
    if not region_events:
        blocks.append(_context("No upcoming events in your region yet."))
    return {"type": "home", "blocks": blocks[:100]}


def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}


def _context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:3000]}]}


async def publish_home(client: AsyncWebClient, user_id: str, member_id: int) -> None:
    now = datetime.now(UTC)
    member = await fetch_one(
        "SELECT m.name, o.region FROM member m LEFT JOIN organization o "
        "ON o.id = m.organization WHERE m.id = {}",
        member_id,
    )
    assert member is not None
    sessions = await fetch(
        "SELECT e.title AS event_title, e.slug, e.timezone, s.title, s.starts_at, s.ends_at "
        "FROM registration r JOIN event e ON e.id = r.event "
        "JOIN event_session s ON s.event = e.id WHERE r.member = {} "
        "AND r.status = 'confirmed' AND s.status = 'scheduled' AND s.ends_at > {} "
        "AND e.status = 'published' ORDER BY s.starts_at LIMIT {}",
        member_id,
        now,
        UPCOMING_SESSIONS,
    )
    waitlisted = await fetch(
        "SELECT e.title, e.slug, r.event, r.status, r.arrival FROM registration r JOIN event e "
        "ON e.id = r.event WHERE r.member = {} AND r.status = 'waitlisted' "
        "AND (e.ends_at IS NULL OR e.ends_at > {})",
        member_id,
        now,
    )
    waitlists = [
        WaitlistLine(row["title"], catalog.event_url(row["slug"]), await waitlist_position(row))
        for row in waitlisted
    ]
    certificates = await fetch(
        "SELECT code, event_title FROM certificate WHERE member = {} AND status = 'valid' "
        "ORDER BY issued_at DESC LIMIT 10",
        member_id,
    )
    region = await fetch_one("SELECT slug FROM region WHERE id = {}", member["region"])
    upcoming = await catalog.list_events(
        region=region["slug"] if region else None, starts_after=now, per_page=REGION_EVENTS
    )
    view = home_view(
        member["name"],
        [
            SessionLine(
                s["event_title"], catalog.event_url(s["slug"]), s["title"], s["starts_at"],
                s["ends_at"], s["timezone"],
            )
            for s in sessions
        ],
        waitlists,
        [
            CertificateLine(
                c["event_title"], pdf_url(c["code"]), verify_url(c["code"])
            )
            for c in certificates
        ],
        upcoming.items,
    )  # fmt: skip
    await client.views_publish(user_id=user_id, view=view)
