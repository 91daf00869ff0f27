"""What a member sees of their own certificate eligibility."""

from __future__ import annotations

from certs import issuing, verification
from certs.schemas import Eligibility
from events.auth import MemberPrincipal
from events.db import fetch_one
from events.errors import NotFound


async def eligibility_for_member(member: MemberPrincipal, slug: str) -> Eligibility:
    row = await fetch_one(
        "SELECT r.id AS registration, e.id, e.slug, e.title, e.kind, e.credit_hours "
        "FROM registration r JOIN event e ON e.id = r.event "
        "WHERE e.slug = {} AND r.member = {}",
        slug,
        member.id,
    )
    if row is None:
        raise NotFound("You are not registered for this event.")
    verdict = await issuing.verdict_for(row, row["registration"])
    certificate = await fetch_one(
        "SELECT code FROM certificate WHERE registration = {} AND status = 'valid'",
        row["registration"],
    )
    return Eligibility(
        eligible=verdict.eligible,
        credit_hours=float(verdict.credit_hours),
        attended_sessions=verdict.attended_sessions,
        attended_hours=float(verdict.attended_hours),
        missing=verdict.missing,
        certificate=(
            verification.status_view(await verification.find(certificate["code"]))
            if certificate
            else None
        ),
    )
