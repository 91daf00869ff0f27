"""Issuing, re-issuing and revoking certificates; bulk jobs that render on the queue.

A job only records intent: which event, who asked. Running it (certs.tasks) derives
everything from the database, issues what is missing and renders PDFs not yet on disk,
so running it twice, or again after a crash, finishes the work without doing it twice.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from certs import codes, messages
from certs.eligibility import Verdict, attendance_by_registration, evaluate, rule_for
from certs.enums import CertificateStatus, JobStatus, RevocationReason
from events import tasks
from events.auth import OrganizerPrincipal
from events.db import fetch, fetch_one, is_unique_violation, write_transaction
from events.enums import EventKind
from events.errors import Conflict, NotFound
from events.services.permissions import require_event_access

ACTIVE_JOB = ("queued", "running")


async def event_for_certificates(organizer: OrganizerPrincipal, slug: str) -> dict:
    event = await fetch_one(
        "SELECT id, slug, title, kind, status, timezone, venue_name, venue_address, "
        "online_url, credit_hours, starts_at, ends_at FROM event WHERE slug = {}",
        slug,
    )
    if event is None:
        raise NotFound(f"No event '{slug}'.")
    await require_event_access(organizer, event["id"], manage=True)
    return event


async def start_job(organizer: OrganizerPrincipal, slug: str) -> dict:
    """Bulk issue for a whole event: one active job per event, returned if it exists."""
    event = await event_for_certificates(organizer, slug)
    async with write_transaction():
        job = await fetch_one(
            "SELECT * FROM certificate_job WHERE event = {} AND status IN ('queued', 'running') "
            "ORDER BY id DESC LIMIT 1",
            event["id"],
        )
        if job is None:
            job = await fetch_one(
                "INSERT INTO certificate_job (event, requested_by, status, total, done, "
                "created_at) VALUES ({}, {}, 'queued', 0, 0, {}) RETURNING *",
                event["id"],
                organizer.id,
                datetime.now(UTC),
            )
    return job


async def job_for(organizer: OrganizerPrincipal, job_id: int) -> dict:
    job = await fetch_one("SELECT * FROM certificate_job WHERE id = {}", job_id)
    if job is None:
        raise NotFound("No such job.")
    await require_event_access(organizer, job["event"], manage=False)
    return job


async def issue_missing(event: dict, job_id: int | None, organizer_id: int | None) -> int:
    """Issue a certificate to every eligible registration that has no valid one."""
    rule = await rule_for(event)
    kind = EventKind(event["kind"])
    attendance = await attendance_by_registration(event["id"])
    issued = await fetch(
        "SELECT registration FROM certificate WHERE event = {} AND status = 'valid'",
        event["id"],
    )
    have = {row["registration"] for row in issued}
    verdicts = {
        registration_id: verdict
        for registration_id, sessions in attendance.items()
        if registration_id not in have and (verdict := evaluate(kind, rule, sessions)).eligible
    }
    snapshots = await _snapshots(event, list(verdicts))
    rows = [
        _certificate_values(event, snapshots[registration_id], verdict, job_id, organizer_id)
        for registration_id, verdict in verdicts.items()
    ]
    created = 0
    for start in range(0, len(rows), INSERT_CHUNK):
        chunk = rows[start : start + INSERT_CHUNK]
        # Certificates and their holders' messages commit together: a worker that dies
        # between the two statements leaves neither, and the job's rerun issues both.
        async with write_transaction():
            # A certificate issued meanwhile (issue one, another worker) wins: the partial
            # unique index on valid certificates turns ours into nothing.
            inserted = await fetch(
                f"INSERT INTO certificate ({CERTIFICATE_COLUMNS}) VALUES "
                + ", ".join([CERTIFICATE_PLACEHOLDERS] * len(chunk))
                + " ON CONFLICT DO NOTHING RETURNING id, registration",
                *(value for row in chunk for value in row),
            )
            await messages.announce(inserted)
        created += len(inserted)
    return created


INSERT_CHUNK = 200  # rows per INSERT: 18 parameters each, far below any driver's limit
CERTIFICATE_COLUMNS = (
    "code, registration, event, member, region, holder_name, organization_name, event_title, "
    "event_kind, place, starts_on, ends_on, credit_hours, status, issued_at, issued_by, job, "
    "supersedes"
)
CERTIFICATE_PLACEHOLDERS = "(" + ", ".join(["{}"] * 18) + ")"


async def _snapshots(event: dict, registration_ids: list[int]) -> dict[int, dict]:
    """What a certificate records of its holder and event, as it is now, per registration."""
    if not registration_ids:
        return {}
    one = registration_ids if len(registration_ids) == 1 else []
    people = await fetch(
        "SELECT r.id AS registration, m.id, m.name, o.name AS organization FROM registration r "
        "JOIN member m ON m.id = r.member LEFT JOIN organization o ON o.id = m.organization "
        "WHERE r.event = {}" + (" AND r.id = {}" if one else ""),
        event["id"],
        *one,
    )
    region = await fetch_one(
        "SELECT region FROM event_region WHERE event = {} ORDER BY id LIMIT 1", event["id"]
    )
    zone = ZoneInfo(event["timezone"])
    starts, ends = event["starts_at"], event["ends_at"]
    place = ", ".join(p for p in (event["venue_name"], event["venue_address"]) if p) or "Online"
    shared = {
        "region": region["region"],
        "place": place[:300],
        "starts_on": starts.astimezone(zone).date(),
        "ends_on": ends.astimezone(zone).date(),
    }
    wanted = set(registration_ids)
    return {
        person["registration"]: shared
        | {
            "registration": person["registration"],
            "member": person["id"],
            "holder_name": person["name"],
            "organization_name": person["organization"] or "",
        }
        for person in people
        if person["registration"] in wanted
    }


def _certificate_values(
    event: dict,
    snapshot: dict,
    verdict: Verdict,
    job_id: int | None,
    organizer_id: int | None,
    supersedes: int | None = None,
) -> tuple:
    """One certificate row, in CERTIFICATE_COLUMNS order."""
    return (
        codes.new_code(),
        snapshot["registration"],
        event["id"],
        snapshot["member"],
        snapshot["region"],
        snapshot["holder_name"],
        snapshot["organization_name"],
        event["title"],
        event["kind"],
        snapshot["place"],
        snapshot["starts_on"],
        snapshot["ends_on"],
        verdict.credit_hours,
        CertificateStatus.valid.value,
        datetime.now(UTC),
        organizer_id,
        job_id,
        supersedes,
    )


async def _insert(
    event: dict,
    registration_id: int,
    verdict: Verdict,
    job_id: int | None,
    organizer_id: int | None,
    supersedes: int | None = None,
) -> dict | None:
    """None when a valid certificate appeared meanwhile (the partial unique index)."""
    snapshot = (await _snapshots(event, [registration_id]))[registration_id]
    values = _certificate_values(event, snapshot, verdict, job_id, organizer_id, supersedes)
    try:
        # The certificate and its holder's message commit together (inside a caller's
        # transaction, as part of it).
        async with write_transaction():
            certificate = await fetch_one(
                f"INSERT INTO certificate ({CERTIFICATE_COLUMNS}) VALUES "
                f"{CERTIFICATE_PLACEHOLDERS} RETURNING *",
                *values,
            )
            await messages.announce([certificate])
    except Exception as exc:
        if is_unique_violation(exc):
            return None
        raise
    return certificate


async def verdict_for(event: dict, registration_id: int) -> Verdict:
    attendance = await attendance_by_registration(event["id"])
    if registration_id not in attendance:
        return Verdict(False, 0, 0, 0, ["Only confirmed registrations earn a certificate."])
    return evaluate(EventKind(event["kind"]), await rule_for(event), attendance[registration_id])


async def issue_one(organizer: OrganizerPrincipal, registration_id: int) -> dict:
    """One registration's certificate: the existing valid one, or a new one if eligible."""
    row = await fetch_one("SELECT event FROM registration WHERE id = {}", registration_id)
    if row is None:
        raise NotFound("No such registration.")
    slug = await fetch_one("SELECT slug FROM event WHERE id = {}", row["event"])
    event = await event_for_certificates(organizer, slug["slug"])
    existing = await _valid_certificate(registration_id)
    if existing:
        return existing
    verdict = await verdict_for(event, registration_id)
    if not verdict.eligible:
        raise Conflict(
            "This registration does not qualify for a certificate yet.",
            reason="not_eligible",
            missing=verdict.missing,
        )
    certificate = await _insert(event, registration_id, verdict, None, organizer.id)
    await tasks.enqueue_deliveries([registration_id])
    return certificate or await _valid_certificate(registration_id)


async def _valid_certificate(registration_id: int) -> dict | None:
    return await fetch_one(
        "SELECT * FROM certificate WHERE registration = {} AND status = 'valid'", registration_id
    )


async def certificate_for_manager(organizer: OrganizerPrincipal, code: str) -> dict:
    normalized = codes.normalize(code)
    row = normalized and await fetch_one("SELECT * FROM certificate WHERE code = {}", normalized)
    if not row:
        raise NotFound("No such certificate.")
    await require_event_access(organizer, row["event"], manage=True)
    return row


async def revoke(
    organizer: OrganizerPrincipal, code: str, reason: RevocationReason, note: str
) -> dict:
    certificate = await certificate_for_manager(organizer, code)
    if certificate["status"] == CertificateStatus.revoked:
        return certificate
    return await fetch_one(
        "UPDATE certificate SET status = 'revoked', revoked_at = {}, revocation_reason = {}, "
        "revocation_note = {} WHERE id = {} RETURNING *",
        datetime.now(UTC),
        reason.value,
        note,
        certificate["id"],
    )


async def reissue(organizer: OrganizerPrincipal, code: str, holder_name: str | None) -> dict:
    """A corrected certificate replaces the old one, which stays on record as superseded."""
    old = await certificate_for_manager(organizer, code)
    if old["status"] != CertificateStatus.valid:
        raise Conflict("Only a valid certificate can be re-issued.", reason="not_valid")
    event = await fetch_one(
        "SELECT id, slug, title, kind, timezone, venue_name, venue_address, credit_hours, "
        "starts_at, ends_at FROM event WHERE id = {}",
        old["event"],
    )
    async with write_transaction():
        if holder_name:
            await fetch("UPDATE member SET name = {} WHERE id = {}", holder_name, old["member"])
        revoked = await fetch_one(
            "UPDATE certificate SET status = 'revoked', revoked_at = {}, "
            "revocation_reason = 'superseded' WHERE id = {} AND status = 'valid' RETURNING id",
            datetime.now(UTC),
            old["id"],
        )
        if revoked is None:
            raise Conflict("The certificate changed meanwhile; try again.", reason="not_valid")
        verdict = await verdict_for(event, old["registration"])
        # Keep the hours that were certified unless attendance now says otherwise.
        verdict = verdict if verdict.eligible else Verdict(True, old["credit_hours"], 0, 0, [])
        new = await _insert(event, old["registration"], verdict, None, organizer.id, old["id"])
    await tasks.enqueue_deliveries([old["registration"]])
    return new


async def unfinished_jobs() -> list[int]:
    rows = await fetch(
        "SELECT id FROM certificate_job WHERE status IN ('queued', 'running') ORDER BY id"
    )
    return [row["id"] for row in rows]


async def mark_job(job_id: int, status: JobStatus, **fields: object) -> None:
    assignments = ", ".join(["status = {}", *(f"{name} = {{}}" for name in fields)])
    await fetch(
        f"UPDATE certificate_job SET {assignments} WHERE id = {{}}",
        status.value,
        *fields.values(),
        job_id,
    )


async def set_rule(organizer: OrganizerPrincipal, slug: str, rule: dict) -> dict:
    """Replace the event's certificate rule (an upsert keyed by the event)."""
    event = await event_for_certificates(organizer, slug)
    row = await fetch_one(
        "INSERT INTO certificate_rule (event, min_sessions, min_hours, credit, enabled) "
        "VALUES ({}, {}, {}, {}, {}) ON CONFLICT (event) DO UPDATE SET "
        "min_sessions = excluded.min_sessions, min_hours = excluded.min_hours, "
        "credit = excluded.credit RETURNING min_sessions, min_hours, credit",
        event["id"],
        rule["min_sessions"],
        rule["min_hours"],
        rule["credit"],
        True,
    )
    return row


async def get_rule(organizer: OrganizerPrincipal, slug: str) -> dict:
    event = await event_for_certificates(organizer, slug)
    rule = await rule_for(event)
    return {"min_sessions": rule.min_sessions, "min_hours": rule.min_hours, "credit": rule.credit}
