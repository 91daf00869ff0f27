"""Everything Convene keeps about a member, as one JSON document (GET /me/export.json).

The core's tables, then each extension's part (``ConvenePlugin.member_export``: the
certificates, the questions asked in Slack). Secrets are never in it: API tokens appear
as their label and dates (only their hashes are stored anyway), the calendar feed as
whether it exists.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from events.db import fetch, fetch_one, load_json
from events.errors import NotFound
from events.extensions import installed
from events.services.member_page import answer_lines
from events.services.member_preferences import current

FORMAT_VERSION = 1


def _json(value: Any) -> Any:
    """Database values as JSON values: instants and dates in ISO 8601, decimals as numbers."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "items"):  # dicts, and asyncpg's records on PostgreSQL
        return {key: _json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json(item) for item in value]
    return value


async def export(member_id: int) -> dict[str, Any]:
    member = await fetch_one(
        "SELECT m.id, m.name, m.email, m.created_at, o.name AS organization, "
        "o.slug AS organization_slug, m.calendar_token_hash IS NOT NULL AS calendar_feed "
        "FROM member m LEFT JOIN organization o ON o.id = m.organization "
        "WHERE m.id = {} AND m.erased_at IS NULL",
        member_id,
    )
    if member is None:
        raise NotFound("No such member.")
    preferences = await current(member_id)
    document: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "exported_at": datetime.now(UTC),
        "profile": {
            "id": member["id"],
            "name": member["name"],
            "email": member["email"],
            "created_at": member["created_at"],
            "organization": member["organization"],
            "organization_slug": member["organization_slug"],
        },
        "preferences": {
            "channels": preferences.channels.value,
            "reminder_emails": preferences.reminder_emails,
            "announcement_emails": preferences.announcement_emails,
        },
        "slack_identities": await fetch(
            "SELECT team_id, user_id FROM slack_identity WHERE member = {} ORDER BY id",
            member_id,
        ),
        "calendar_feed": {"exists": bool(member["calendar_feed"])},
        "registrations": await _registrations(member_id),
        "email_registration_requests": await fetch(
            "SELECT e.slug AS event, c.name, c.email, c.created_at, c.used_at "
            "FROM email_confirmation c JOIN event e ON e.id = c.event "
            "WHERE c.member = {} OR c.email = {} ORDER BY c.id",
            member_id,
            member["email"],
        ),
        "notifications": await fetch(
            "SELECT n.kind, n.channel, e.slug AS event, n.created_at, n.sent_at, n.outcome, "
            "n.attempts, n.failed_at FROM notification n "
            "JOIN registration r ON r.id = n.registration JOIN event e ON e.id = r.event "
            "WHERE r.member = {} ORDER BY n.id",
            member_id,
        ),
        "api_tokens": await fetch(
            "SELECT label, created_at, revoked_at FROM api_token WHERE member = {} ORDER BY id",
            member_id,
        ),
        "sign_in_links": await fetch(
            "SELECT via, created_at, expires_at, used_at FROM member_login "
            "WHERE member = {} ORDER BY id",
            member_id,
        ),
    }
    for plugin in installed():
        part = await plugin.member_export(member_id)
        if part:
            document[plugin.name] = part
    return _json(document)


async def _registrations(member_id: int) -> list[dict[str, Any]]:
    rows = await fetch(
        "SELECT r.id, e.slug, e.title, e.questions, r.status, r.answers, r.source, "
        "r.created_at, r.confirmed_at, r.cancelled_at FROM registration r "
        "JOIN event e ON e.id = r.event WHERE r.member = {} ORDER BY r.id",
        member_id,
    )
    attended = await fetch(
        "SELECT a.registration, s.title, s.starts_at, a.checked_in_at, a.method "
        "FROM attendance a JOIN event_session s ON s.id = a.session "
        "JOIN registration r ON r.id = a.registration WHERE r.member = {} ORDER BY s.starts_at",
        member_id,
    )
    result = []
    for row in rows:
        questions, answers = load_json(row["questions"]) or [], load_json(row["answers"]) or {}
        result.append(
            {
                "event": row["slug"],
                "event_title": row["title"],
                "status": row["status"],
                "source": row["source"],
                "created_at": row["created_at"],
                "confirmed_at": row["confirmed_at"],
                "cancelled_at": row["cancelled_at"],
                "answers": answers,
                "answers_labelled": [
                    {"question": line.label, "answer": line.value}
                    for line in answer_lines(questions, answers)
                ],
                "attendance": [
                    {
                        "session": item["title"],
                        "session_starts_at": item["starts_at"],
                        "checked_in_at": item["checked_in_at"],
                        "method": item["method"],
                    }
                    for item in attended
                    if item["registration"] == row["id"]
                ],
            }
        )
    return result
