"""Certificates, their rules, regional branding and bulk-issue jobs."""

from __future__ import annotations

from decimal import Decimal

from piccolo.columns import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from certs.enums import CertificateStatus, CreditMode, JobStatus, RevocationReason
from events.db import DB
from events.tables import Event, Member, Organizer, Region, Registration


class CertificateRule(Table, db=DB):
    """How an event's attendees earn a certificate. No row: the defaults of its kind."""

    event = ForeignKey(Event, null=False, on_delete=OnDelete.cascade, unique=True)
    min_sessions = Integer(default=1)
    min_hours = Numeric(digits=(6, 2), null=True, default=None)  # "or at least H hours"
    credit = Varchar(length=10, choices=CreditMode, default=CreditMode.fixed)
    enabled = Boolean(default=True)


class RegionBranding(Table, db=DB):
    region = ForeignKey(Region, null=False, on_delete=OnDelete.cascade, unique=True)
    primary_color = Varchar(length=7, default="#1f3a5f")
    accent_color = Varchar(length=7, default="#b8860b")
    logo_svg = Text(null=True, default=None)  # inline SVG; nothing is fetched at render time
    signatory_name = Varchar(length=200, default="")
    signatory_title = Varchar(length=200, default="")


class CertificateJob(Table, db=DB):
    event = ForeignKey(Event, null=False, on_delete=OnDelete.cascade)
    requested_by = ForeignKey(Organizer, null=True, on_delete=OnDelete.set_null)
    status = Varchar(length=10, choices=JobStatus, default=JobStatus.queued)
    total = Integer(default=0)
    done = Integer(default=0)
    error = Text(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    started_at = Timestamptz(null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())  # a running job's heartbeat
    finished_at = Timestamptz(null=True, default=None)
    attempts = Integer(default=0)  # runs that failed for a temporary reason
    next_attempt_at = Timestamptz(null=True, default=None)  # such a job is due again then


class Certificate(Table, db=DB):
    """What was certified, as printed: a snapshot, so later edits never change a PDF."""

    code = Varchar(length=32, unique=True)  # the capability; 140 random bits
    registration = ForeignKey(Registration, null=False, on_delete=OnDelete.restrict)
    event = ForeignKey(Event, null=False, on_delete=OnDelete.restrict)
    member = ForeignKey(Member, null=False, on_delete=OnDelete.restrict)
    region = ForeignKey(Region, null=False, on_delete=OnDelete.restrict)
    holder_name = Varchar(length=200)
    organization_name = Varchar(length=200, default="")
    event_title = Varchar(length=200)
    event_kind = Varchar(length=20)
    place = Varchar(length=300, default="")
    starts_on = Date()
    ends_on = Date()
    credit_hours = Numeric(digits=(6, 2), default=Decimal("0"))
    status = Varchar(length=12, choices=CertificateStatus, default=CertificateStatus.valid)
    issued_at = Timestamptz(default=TimestamptzNow())
    issued_by = ForeignKey(Organizer, null=True, on_delete=OnDelete.set_null)
    job = ForeignKey(CertificateJob, null=True, on_delete=OnDelete.set_null)
    supersedes = ForeignKey("self", null=True, on_delete=OnDelete.set_null)
    revoked_at = Timestamptz(null=True, default=None)
    revocation_reason = Varchar(length=30, choices=RevocationReason, null=True, default=None)
    revocation_note = Text(null=True, default=None)  # internal: never shown publicly


ALL_TABLES: list[type[Table]] = [
    CertificateRule,
    RegionBranding,
    CertificateJob,
    Certificate,
]
