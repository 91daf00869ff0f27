from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from msgspec import Meta, Struct

from certs.enums import CreditMode, RevocationReason


class CertificateStatusView(Struct):
    """What anyone holding the code may see: no email, no organization, no contact."""

    state: str  # "valid" or "revoked"
    code: str  # printed form, e.g. ABCDE-FGHJK-...
    holder_name: str
    event_title: str
    event_kind: str
    region: str
    starts_on: date
    ends_on: date
    credit_hours: float
    issued_on: date
    verify_url: str
    pdf_url: str
    badge_url: str
    linkedin_url: str
    revoked_on: date | None = None
    revocation_reason: RevocationReason | None = None


class Job(Struct):
    id: int
    event: str
    status: str
    total: int
    done: int
    created_at: datetime
    finished_at: datetime | None
    error: str | None
    poll_url: str


class RevokeRequest(Struct, forbid_unknown_fields=True):
    reason: RevocationReason
    note: Annotated[str, Meta(max_length=1000)] = ""


class ReissueRequest(Struct, forbid_unknown_fields=True):
    holder_name: Annotated[str, Meta(min_length=1, max_length=200)] | None = None


class Eligibility(Struct):
    eligible: bool
    credit_hours: float
    attended_sessions: int
    attended_hours: float
    missing: list[str]
    certificate: CertificateStatusView | None = None


class CertificateRuleView(Struct, forbid_unknown_fields=True):
    """How attendees earn the certificate; see certs.eligibility."""

    min_sessions: Annotated[int, Meta(ge=0, le=1000)] = 1
    min_hours: Annotated[float, Meta(ge=0, le=1000)] | None = None
    credit: CreditMode = CreditMode.fixed
