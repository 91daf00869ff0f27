"""Who earns a certificate, and for how many hours. The rule itself is a pure function."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from certs.enums import CreditMode
from events.db import fetch, fetch_one
from events.enums import EventKind


@dataclass(frozen=True, slots=True)
class Rule:
    min_sessions: int = 1
    min_hours: Decimal | None = None
    credit: CreditMode = CreditMode.fixed
    fixed_hours: Decimal = Decimal("0")


@dataclass(frozen=True, slots=True)
class SessionAttendance:
    session_id: int
    title: str
    hours: Decimal
    required: bool
    attended: bool  # checked in
    ended: bool = True  # only a session that is over counts, whatever its check-ins say


@dataclass(frozen=True, slots=True)
class Verdict:
    eligible: bool
    credit_hours: Decimal
    attended_sessions: int
    attended_hours: Decimal
    missing: list[str]  # plain sentences, for people


HUNDREDTH = Decimal("0.01")


def _hours(value: Decimal) -> str:
    return f"{value.normalize():f}"


def evaluate(kind: EventKind, rule: Rule, sessions: list[SessionAttendance]) -> Verdict:
    """Tracks: every required session and at least N in all. Other kinds: at least N
    sessions, or at least H hours when the rule sets hours. Sessions that have not ended
    count for nothing, check-in or not."""
    attended = [s for s in sessions if s.attended and s.ended]
    # To the hundredth, as printed: three 80-minute sessions are 4 hours, not 3.999….
    hours = sum((s.hours for s in attended), Decimal("0")).quantize(
        HUNDREDTH, rounding=ROUND_HALF_UP
    )
    missing: list[str] = []
    if kind == EventKind.training_track:
        for session in sessions:
            if session.required and not (session.attended and session.ended):
                missing.append(f"Attend the required session “{session.title}”.")
        if len(attended) < rule.min_sessions:
            missing.append(
                f"Attend at least {rule.min_sessions} sessions in all (attended {len(attended)})."
            )
    else:
        enough_sessions = len(attended) >= rule.min_sessions
        enough_hours = rule.min_hours is not None and hours >= rule.min_hours
        if not (enough_sessions or enough_hours):
            need = f"at least {rule.min_sessions} session" + ("s" if rule.min_sessions != 1 else "")
            if rule.min_hours is not None:
                need += f" or {_hours(rule.min_hours)} hours"
            missing.append(f"Check in to {need} (attended {len(attended)}, {_hours(hours)} hours).")
    if missing:
        missing.extend(
            f"The session “{s.title}” has not ended yet; it counts once it has."
            for s in sessions
            if not s.ended and (s.attended or s.required)
        )
    credit = rule.fixed_hours if rule.credit == CreditMode.fixed else hours
    return Verdict(
        eligible=not missing,
        credit_hours=credit.quantize(HUNDREDTH, rounding=ROUND_HALF_UP),
        attended_sessions=len(attended),
        attended_hours=hours,
        missing=missing,
    )


async def rule_for(event: dict) -> Rule:
    row = await fetch_one(
        "SELECT min_sessions, min_hours, credit FROM certificate_rule WHERE event = {}",
        event["id"],
    )
    fixed = Decimal(str(event["credit_hours"] or 0))
    if row is None:
        return Rule(fixed_hours=fixed)
    return Rule(
        min_sessions=row["min_sessions"],
        min_hours=None if row["min_hours"] is None else Decimal(str(row["min_hours"])),
        credit=CreditMode(row["credit"]),
        fixed_hours=fixed,
    )


async def attendance_by_registration(
    event_id: int, now: datetime | None = None
) -> dict[int, list[SessionAttendance]]:
    """Every confirmed registration's attendance, session by session (cancelled sessions
    neither count nor are required; sessions that end after ``now`` do not count yet)."""
    now = now or datetime.now(UTC)
    sessions = await fetch(
        "SELECT id, title, starts_at, ends_at, required FROM event_session "
        "WHERE event = {} AND status = 'scheduled' ORDER BY starts_at, id",
        event_id,
    )
    checked = await fetch(
        "SELECT a.registration, a.session FROM attendance a "
        "JOIN registration r ON r.id = a.registration "
        "WHERE r.event = {} AND r.status = 'confirmed'",
        event_id,
    )
    registrations = await fetch(
        "SELECT id FROM registration WHERE event = {} AND status = 'confirmed'", event_id
    )
    present = {(row["registration"], row["session"]) for row in checked}
    return {
        registration["id"]: [
            SessionAttendance(
                session_id=s["id"],
                title=s["title"],
                hours=Decimal(str((s["ends_at"] - s["starts_at"]).total_seconds() / 3600)),
                required=bool(s["required"]),
                attended=(registration["id"], s["id"]) in present,
                ended=s["ends_at"] <= now,
            )
            for s in sessions
        ]
        for registration in registrations
    }
