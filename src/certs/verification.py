"""Public views of a certificate: status, sharing links, the Open Badges credential."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlencode

from certs import codes, signing
from certs.documents import pdf_url, verify_url
from certs.render import KIND_LABELS, display_code
from certs.schemas import CertificateStatusView
from events.config import get_settings
from events.db import fetch_one

SELECT = (
    "SELECT c.*, r.name AS region_name, r.slug AS region_slug, e.slug AS event_slug, "
    "m.email AS holder_email, m.erased_at AS holder_erased_at FROM certificate c "
    "JOIN region r ON r.id = c.region JOIN event e ON e.id = c.event "
    "JOIN member m ON m.id = c.member"
)


async def find(code: str) -> dict | None:
    normalized = codes.normalize(code)
    if normalized is None:
        return None
    return await fetch_one(f"{SELECT} WHERE c.code = {{}}", normalized)


def linkedin_url(row: dict) -> str:
    issued = row["issued_at"]
    query = urlencode(
        {
            "startTask": "CERTIFICATION_NAME",
            "name": row["event_title"],
            "organizationName": row["region_name"],
            "issueYear": issued.year,
            "issueMonth": issued.month,
            "certUrl": verify_url(row["code"]),
            "certId": display_code(row["code"]),
        }
    )
    return f"https://www.linkedin.com/profile/add?{query}"


def status_view(row: dict) -> CertificateStatusView:
    base = get_settings().base_url
    revoked = row["status"] == "revoked"
    return CertificateStatusView(
        state="revoked" if revoked else "valid",
        code=display_code(row["code"]),
        holder_name=row["holder_name"],
        event_title=row["event_title"],
        event_kind=row["event_kind"],
        region=row["region_name"],
        starts_on=row["starts_on"],
        ends_on=row["ends_on"],
        credit_hours=float(row["credit_hours"]),
        issued_on=row["issued_at"].date(),
        verify_url=verify_url(row["code"]),
        pdf_url=pdf_url(row["code"]),
        badge_url=f"{base}/api/certificates/{row['code']}/badge",
        linkedin_url=linkedin_url(row),
        revoked_on=row["revoked_at"].date() if revoked and row["revoked_at"] else None,
        revocation_reason=row["revocation_reason"] if revoked else None,
    )


def holder_identity(email: str, code: str, *, identity_type: str = "emailAddress") -> dict:
    """OB 3.0's IdentityObject: the holder's email, salted and hashed, so that whoever knows
    the address can check it and nobody can read it. The salt is derived from SECRET_KEY
    and the certificate's code: one salt per certificate (the same hash across badges would
    link them), stored nowhere, and the same every time, so the signed badge is too.
    An erased member's email is gone: their badge names them by the printed name
    (``identity_type`` "name"), the one thing about them a certificate keeps."""
    salt = hmac.new(
        get_settings().secret_key.encode(), b"open badge identity salt\0" + code.encode(), "sha256"
    ).hexdigest()[:32]
    normalized = email.strip().lower() if identity_type == "emailAddress" else email.strip()
    digest = hashlib.sha256((normalized + salt).encode()).hexdigest()
    return {
        "type": "IdentityObject",
        "identityHash": f"sha256${digest}",
        "identityType": identity_type,
        "hashed": True,
        "salt": salt,
    }


def _holder(row: dict) -> dict:
    if row.get("holder_erased_at") is not None:
        return holder_identity(row["holder_name"], row["code"], identity_type="name")
    return holder_identity(row["holder_email"], row["code"])


def badge(row: dict) -> dict:
    """An Open Badges 3.0 OpenBadgeCredential, signed by its region (``signing``). A revoked
    certificate's credential ends at the revocation and is signed again then."""
    base = get_settings().base_url
    kind = KIND_LABELS.get(row["event_kind"], row["event_kind"])
    credential = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": f"{base}/api/certificates/{row['code']}/badge",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": signing.issuer_did(row["region_slug"]),
            "type": ["Profile"],
            "name": row["region_name"],
            "url": f"{base}/regions/{row['region_slug']}",
        },
        "validFrom": row["issued_at"].isoformat(),
        "name": f"{row['event_title']} ({kind})",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [_holder(row)],
            "name": row["holder_name"],
            "achievement": {
                "id": f"{base}/events/{row['event_slug']}#certificate",
                "type": ["Achievement"],
                "name": row["event_title"],
                "description": f"{kind} of the {row['region_name']}, "
                f"{row['starts_on'].isoformat()} to {row['ends_on'].isoformat()}.",
                "criteria": {"narrative": "Attendance verified by the organizers at check-in."},
                "creditsAvailable": float(row["credit_hours"]),
            },
        },
    }
    signed_at = row["issued_at"]
    if row["status"] == "revoked" and row["revoked_at"]:
        credential["validUntil"] = row["revoked_at"].isoformat()
        signed_at = row["revoked_at"]
    return signing.sign(credential, row["region_slug"], signed_at)
