"""A member's certificates on their own page, in their data export, and at their erasure
(the hooks of ``CertificatesPlugin``; the core asks, see events.services.member_*).

What an erased member's certificates keep, exactly (README, "Your data"): the snapshot
printed on them, that is the holder's name and organization as printed, the event's
title and kind, the place, the dates, the credit hours, the code, the issuing region,
the issue date, and for a revoked one its date and reason category. That is what the
PDF, the verification page and the badge show, so each still verifies. The organizers'
private revocation note is cleared (it may be about the person). The Open Badge names
its holder by the SHA-256 of their email; once the email is erased it names them by the
printed name instead (verification.holder_identity), hashed and salted the same way.
"""

from __future__ import annotations

from typing import Any

from certs import verification
from events.db import fetch
from events.extensions import MemberSection

TEMPLATE = "member/certificates.html"


async def _views(member_id: int) -> list:
    rows = await fetch(
        f"{verification.SELECT} WHERE c.member = {{}} ORDER BY c.issued_at DESC, c.id DESC",
        member_id,
    )
    return [verification.status_view(row) for row in rows]


async def sections(member_id: int) -> list[MemberSection]:
    return [MemberSection(TEMPLATE, {"certificates": await _views(member_id)})]


async def export(member_id: int) -> dict[str, Any]:
    views = await _views(member_id)
    return {
        "certificates": [
            {
                "code": view.code,
                "state": view.state,
                "holder_name": view.holder_name,
                "event_title": view.event_title,
                "region": view.region,
                "starts_on": view.starts_on.isoformat(),
                "ends_on": view.ends_on.isoformat(),
                "credit_hours": view.credit_hours,
                "issued_on": view.issued_on.isoformat(),
                "verify_url": view.verify_url,
                "pdf_url": view.pdf_url,
                "badge_url": view.badge_url,
            }
            for view in views
        ]
    }


async def erase(member_id: int) -> None:
    await fetch("UPDATE certificate SET revocation_note = NULL WHERE member = {}", member_id)
