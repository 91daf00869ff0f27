"""Members, organizers and their personal API tokens."""

from __future__ import annotations

from datetime import UTC, datetime

from events import schemas
from events.auth import (
    MEMBER_TOKEN_PREFIX,
    ORGANIZER_TOKEN_PREFIX,
    MemberPrincipal,
    OrganizerPrincipal,
    hash_token,
    new_token,
    require_admin,
)
from events.db import fetch, fetch_one, is_unique_violation, load_json
from events.enums import RegistrationStatus
from events.errors import Conflict, NotFound
from events.services import catalog
from events.services.registrations import RegistrationRecord, load_registration
from events.services.seats import ACTIVE


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower()


async def organization_for_email(email: str) -> int | None:
    """The organization is recognised by the email's domain (or a parent domain)."""
    labels = email_domain(email).split(".")
    candidates = [".".join(labels[i:]) for i in range(len(labels) - 1)]
    rows = await fetch(
        "SELECT domain, organization FROM organization_domain WHERE domain IN ("
        + ", ".join("{}" for _ in candidates)
        + ")",
        *candidates,
    )
    by_domain = {row["domain"]: row["organization"] for row in rows}
    return next((by_domain[c] for c in candidates if c in by_domain), None)


async def create_member(data: schemas.MemberCreate) -> schemas.Member:
    email = data.email.strip().lower()
    organization_id = await organization_for_email(email)
    try:
        row = await fetch_one(
            "INSERT INTO member (name, email, organization, created_at) VALUES ({}, {}, {}, {}) "
            "RETURNING id",
            data.name.strip(),
            email,
            organization_id,
            datetime.now(UTC),
        )
    except Exception as exc:
        if is_unique_violation(exc):
            raise Conflict("A member with this email exists.", reason="email_taken") from None
        raise
    assert row is not None
    return await member(row["id"])


async def member(member_id: int) -> schemas.Member:
    row = await fetch_one(
        "SELECT m.id, m.name, m.email, o.name AS organization, o.kind AS organization_kind "
        "FROM member m LEFT JOIN organization o ON o.id = m.organization WHERE m.id = {}",
        member_id,
    )
    if row is None:
        raise NotFound("No such member.")
    return schemas.Member(**row)


async def issue_token(
    *, member_id: int | None = None, organizer_id: int | None = None, label: str = ""
) -> schemas.IssuedToken:
    prefix = MEMBER_TOKEN_PREFIX if member_id is not None else ORGANIZER_TOKEN_PREFIX
    token = new_token(prefix)
    await fetch(
        "INSERT INTO api_token (token_hash, member, organizer, label, created_at) "
        "VALUES ({}, {}, {}, {}, {})",
        hash_token(token),
        member_id,
        organizer_id,
        label,
        datetime.now(UTC),
    )
    return schemas.IssuedToken(token=token, label=label)


async def revoke_token(token: str) -> None:
    await fetch(
        "UPDATE api_token SET revoked_at = {} WHERE token_hash = {} AND revoked_at IS NULL",
        datetime.now(UTC),
        hash_token(token),
    )


def registration_struct(record: RegistrationRecord) -> schemas.Registration:
    row = record.row
    return schemas.Registration(
        id=row["id"],
        event=record.event_slug,
        status=row["status"],
        waitlist_position=record.waitlist_position,
        answers=load_json(row["answers"]) or {},
        source=row["source"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        confirmed_at=row["confirmed_at"],
        cancelled_at=row["cancelled_at"],
        online_url=record.online_url,
    )


async def my_registrations(
    member: MemberPrincipal, *, include_inactive: bool, page: int, per_page: int
) -> schemas.Page[schemas.MyRegistration]:
    statuses = [s.value for s in RegistrationStatus] if include_inactive else list(ACTIVE)
    where = (
        "FROM registration r JOIN event e ON e.id = r.event WHERE r.member = {} "
        "AND r.status IN (" + ", ".join("{}" for _ in statuses) + ")"
    )
    total = await fetch_one(f"SELECT COUNT(*) AS n {where}", member.id, *statuses)
    rows = await fetch(
        f"SELECT r.id AS registration_id, {catalog.EVENT_COLUMNS} {where} "
        "ORDER BY e.starts_at IS NULL, e.starts_at, e.id LIMIT {} OFFSET {}",
        member.id,
        *statuses,
        per_page,
        (page - 1) * per_page,
    )
    events = await catalog.summaries(rows)
    items = [
        schemas.MyRegistration(
            event=summary,
            registration=registration_struct(await load_registration(row["registration_id"])),
        )
        for summary, row in zip(events, rows, strict=True)
    ]
    return schemas.Page(items=items, total=total["n"] if total else 0, page=page, per_page=per_page)


async def create_member_as(
    organizer: OrganizerPrincipal, data: schemas.MemberCreate
) -> schemas.Member:
    require_admin(organizer)
    return await create_member(data)


async def issue_member_token_as(
    organizer: OrganizerPrincipal, member_id: int, label: str
) -> schemas.IssuedToken:
    require_admin(organizer)
    await member(member_id)
    return await issue_token(member_id=member_id, label=label)


async def issue_token_for_email(email: str, label: str) -> schemas.IssuedToken:
    row = await fetch_one("SELECT id FROM member WHERE email = {}", email.strip().lower())
    if row is None:
        raise NotFound(f"No member with the email {email}.")
    return await issue_token(member_id=row["id"], label=label)
