"""What the member page (/me) shows a signed-in member, and what it lets them do there:
cancel a registration, replace their calendar link.

The page reads: the member's registrations (upcoming ones with their sessions in the
event's time zone, status, waitlist position and the answers given; earlier and
cancelled ones briefly), their personal calendar link, their message preferences, and
the extensions' sections (certificates, from certs). Cancelling goes through
``registrations.cancel``, the API's path: a freed seat goes to the waitlist's head.
"""

from __future__ import annotations

from datetime import UTC, datetime

from msgspec import Struct

from events import schemas
from events.auth import MemberPrincipal, member_by_id
from events.calendar import tokens
from events.db import fetch, fetch_one, load_json
from events.enums import QuestionKind
from events.errors import NotAuthenticated, NotFound
from events.extensions import MemberSection, installed
from events.formatting import session_when, when
from events.services import members, registrations
from events.services.member_preferences import Preferences, current
from events.services.seats import ACTIVE


class SessionLine(Struct):
    title: str
    when: str
    cancelled: bool


class AnswerLine(Struct):
    label: str
    value: str


class MyRegistrationEntry(Struct):
    registration_id: int
    event: str  # slug
    event_title: str
    when: str
    status: str
    event_cancelled: bool
    waitlist_position: int | None
    sessions: list[SessionLine]
    answers: list[AnswerLine]

    @property
    def active(self) -> bool:
        return self.status in ACTIVE


class MemberPage(Struct):
    member: schemas.Member
    upcoming: list[MyRegistrationEntry]
    earlier: list[MyRegistrationEntry]  # past events, and cancelled or declined ones
    calendar: schemas.PersonalCalendar
    preferences: Preferences
    sections: list[MemberSection]


async def signed_in(member_id: int) -> MemberPrincipal:
    """The member of a session, while they exist and are not erased."""
    row = await fetch_one("SELECT erased_at FROM member WHERE id = {}", member_id)
    member = await member_by_id(member_id) if row and row["erased_at"] is None else None
    if member is None:
        raise NotAuthenticated("Sign in to see your page.")
    return member


async def page(member: MemberPrincipal) -> MemberPage:
    now = datetime.now(UTC)
    entries = await _entries(member.id)
    upcoming = [
        entry for entry, ends_at in entries if entry.active and (ends_at is None or ends_at >= now)
    ]
    earlier = [entry for entry, _ in entries if entry not in upcoming]
    earlier.reverse()  # the most recent first
    sections = [
        section for plugin in installed() for section in await plugin.member_sections(member.id)
    ]
    return MemberPage(
        member=await members.member(member.id),
        upcoming=upcoming,
        earlier=earlier,
        calendar=await tokens.personal_calendar(member),
        preferences=await current(member.id),
        sections=sections,
    )


async def _entries(member_id: int) -> list[tuple[MyRegistrationEntry, datetime | None]]:
    rows = await fetch(
        "SELECT r.id, r.event, r.status, r.arrival, r.answers, e.slug, e.title, e.timezone, "
        "e.starts_at, e.ends_at, e.questions, e.status AS event_status "
        "FROM registration r JOIN event e ON e.id = r.event WHERE r.member = {} "
        "ORDER BY e.starts_at IS NULL, e.starts_at, e.id",
        member_id,
    )
    sessions = await _sessions([row["event"] for row in rows])
    entries = []
    for row in rows:
        zone = row["timezone"]
        entry = MyRegistrationEntry(
            registration_id=row["id"],
            event=row["slug"],
            event_title=row["title"],
            when=when(row["starts_at"], row["ends_at"], zone) if row["starts_at"] else "",
            status=row["status"],
            event_cancelled=row["event_status"] == "cancelled",
            waitlist_position=await registrations.waitlist_position(row),
            sessions=[
                SessionLine(
                    title=session["title"],
                    when=session_when(session["starts_at"], session["ends_at"], zone),
                    cancelled=session["status"] == "cancelled",
                )
                for session in sessions.get(row["event"], [])
            ],
            answers=answer_lines(
                load_json(row["questions"]) or [], load_json(row["answers"]) or {}
            ),
        )
        entries.append((entry, row["ends_at"]))
    return entries


async def _sessions(event_ids: list[int]) -> dict[int, list[dict]]:
    if not event_ids:
        return {}
    rows = await fetch(
        "SELECT event, title, starts_at, ends_at, status FROM event_session WHERE event IN ("
        + ", ".join("{}" for _ in event_ids)
        + ") ORDER BY starts_at, id",
        *event_ids,
    )
    by_event: dict[int, list[dict]] = {}
    for row in rows:
        by_event.setdefault(row["event"], []).append(row)
    return by_event


def answer_lines(questions: list[dict], answers: dict) -> list[AnswerLine]:
    """The answers under their questions' labels, in the questions' order; an answer to a
    question removed since keeps its key as the label."""
    labels = {question["key"]: question.get("label") or question["key"] for question in questions}
    kinds = {question["key"]: question.get("kind", QuestionKind.text) for question in questions}
    order = [key for key in labels if key in answers] + [k for k in answers if k not in labels]
    lines = []
    for key in order:
        value = answers[key]
        if kinds.get(key) == QuestionKind.boolean or isinstance(value, bool):
            text = "Yes" if value else "No"
        else:
            text = str(value)
        lines.append(AnswerLine(label=labels.get(key, key), value=text))
    return lines


async def cancel(member: MemberPrincipal, registration_id: int) -> str:
    """Cancel one of the member's own registrations; the event's title."""
    row = await fetch_one(
        "SELECT e.slug, e.title FROM registration r JOIN event e ON e.id = r.event "
        "WHERE r.id = {} AND r.member = {}",
        registration_id,
        member.id,
    )
    if row is None:
        raise NotFound("You have no such registration.")
    await registrations.cancel(member, row["slug"])
    return row["title"]


async def rotate_calendar(member: MemberPrincipal) -> schemas.PersonalCalendar:
    return await tokens.rotate(member)
