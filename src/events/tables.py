"""Piccolo tables of the core app. Counters on Event make capacity checks a single UPDATE.

Composite unique keys are unique indexes created in the migration (SQLite cannot add
table constraints after the fact); see UNIQUE_INDEXES.
"""

from __future__ import annotations

from decimal import Decimal

from piccolo.columns import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    Numeric,
    OnDelete,
    Real,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from events.db import DB
from events.enums import (
    Channel,
    ChannelChoice,
    CheckInMethod,
    DeliveryOutcome,
    EventKind,
    EventStatus,
    NotificationKind,
    OrganizationKind,
    OrganizerRole,
    RegistrationSource,
    RegistrationStatus,
    SessionStatus,
)


class Region(Table, db=DB):
    slug = Varchar(length=40, unique=True)
    name = Varchar(length=120)
    timezone = Varchar(length=64)
    is_national = Boolean(default=False)
    # The region's mailbox: ORGANIZER of its calendar invitations, Reply-To of its emails.
    mailbox = Varchar(length=320, null=True, default=None)


class Organization(Table, db=DB):
    slug = Varchar(length=80, unique=True)
    name = Varchar(length=200)
    kind = Varchar(length=20, choices=OrganizationKind)
    region = ForeignKey(Region, null=False, on_delete=OnDelete.restrict)
    # Guests (is_member false) may attend open events but not members-only ones.
    is_member = Boolean(default=True)


class OrganizationDomain(Table, db=DB):
    domain = Varchar(length=255, unique=True)
    organization = ForeignKey(Organization, null=False, on_delete=OnDelete.cascade)


class Member(Table, db=DB):
    name = Varchar(length=200)
    email = Varchar(length=320, unique=True)
    organization = ForeignKey(Organization, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    # The personal calendar feed's token is derived from SECRET_KEY and this salt, so the
    # link can be shown again; only its hash is looked up. No salt: no feed.
    calendar_salt = Varchar(length=32, null=True, default=None)
    calendar_token_hash = Varchar(length=64, null=True, default=None)  # unique index: migration
    notify_channels = Varchar(length=10, choices=ChannelChoice, default=ChannelChoice.auto)
    reminder_emails = Boolean(default=True)  # False: unsubscribed from reminder emails
    announcement_emails = Boolean(default=True)  # False: from organizers' announcements
    erased_at = Timestamptz(null=True, default=None)  # personal data erased on request


class SlackIdentity(Table, db=DB):
    member = ForeignKey(Member, null=False, on_delete=OnDelete.cascade)
    team_id = Varchar(length=32)
    user_id = Varchar(length=32)
    # When the profile email was last read (bot.identity.IDENTITY_TTL); None: linked
    # before this was kept.
    checked_at = Timestamptz(null=True, default=None)


class Organizer(Table, db=DB):
    email = Varchar(length=320, unique=True)
    name = Varchar(length=200)
    role = Varchar(length=20, choices=OrganizerRole)
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    # argon2id hash for the web console; None: the organizer cannot log in there.
    password_hash = Varchar(length=200, null=True, default=None)


class OrganizerRegion(Table, db=DB):
    organizer = ForeignKey(Organizer, null=False, on_delete=OnDelete.cascade)
    region = ForeignKey(Region, null=False, on_delete=OnDelete.cascade)


class ApiToken(Table, db=DB):
    """A personal API token; only its SHA-256 is stored, the token is shown once."""

    token_hash = Varchar(length=64, unique=True)
    member = ForeignKey(Member, null=True, on_delete=OnDelete.cascade)
    organizer = ForeignKey(Organizer, null=True, on_delete=OnDelete.cascade)
    label = Varchar(length=100, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    revoked_at = Timestamptz(null=True, default=None)


class RegionAlias(Table, db=DB):
    """Another name members use for a region: a city, a state, a nickname ("the Valley",
    "DFW"). Stored normalized (events.services.understanding.text.normalize); unique per
    region, and one alias may name several regions ("AZ": both Arizona networks)."""

    region = ForeignKey(Region, null=False, on_delete=OnDelete.cascade)
    alias = Varchar(length=80)


class Topic(Table, db=DB):
    slug = Varchar(length=40, unique=True)
    name = Varchar(length=100)


class Event(Table, db=DB):
    slug = Varchar(length=120, unique=True)
    title = Varchar(length=200)
    kind = Varchar(length=20, choices=EventKind)
    summary = Text(default="")
    description = Text(default="")  # Markdown
    status = Varchar(length=20, choices=EventStatus, default=EventStatus.draft, index=True)
    timezone = Varchar(length=64)
    venue_name = Varchar(length=200, null=True, default=None)
    venue_address = Text(null=True, default=None)
    latitude = Real(null=True, default=None)
    longitude = Real(null=True, default=None)
    online_url = Text(null=True, default=None)  # shown to confirmed attendees only
    capacity = Integer(null=True, default=None)  # None: unlimited
    seats_taken = Integer(default=0)  # confirmed registrations, kept by conditional UPDATEs
    arrivals = Integer(default=0)  # hands out each registration's place in the queue
    waitlisted = Integer(default=0)  # waitlisted registrations, kept with seats_taken
    registration_opens_at = Timestamptz(null=True, default=None)
    registration_closes_at = Timestamptz(null=True, default=None)
    members_only = Boolean(default=False)
    organization_seat_cap = Integer(null=True, default=None)
    approval_required = Boolean(default=False)
    credit_hours = Numeric(digits=(5, 2), default=Decimal("0"))
    questions = JSON(default=[])
    starts_at = Timestamptz(null=True, default=None, index=True)  # first session, kept in sync
    ends_at = Timestamptz(null=True, default=None)  # last session's end
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    cancelled_at = Timestamptz(null=True, default=None)
    # Set once, when first published: a draft that is cancelled never becomes public.
    published_at = Timestamptz(null=True, default=None)


class EventRegion(Table, db=DB):
    event = ForeignKey(Event, null=False, on_delete=OnDelete.cascade)
    region = ForeignKey(Region, null=False, on_delete=OnDelete.restrict)


class EventTopic(Table, db=DB):
    event = ForeignKey(Event, null=False, on_delete=OnDelete.cascade)
    topic = ForeignKey(Topic, null=False, on_delete=OnDelete.restrict)


class Session(Table, db=DB, tablename="event_session"):
    event = ForeignKey(Event, null=False, on_delete=OnDelete.cascade)
    title = Varchar(length=200)
    description = Text(default="")
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    location_name = Varchar(length=200, null=True, default=None)
    location_address = Text(null=True, default=None)
    required = Boolean(default=False)  # required for completion of a training track
    status = Varchar(length=20, choices=SessionStatus, default=SessionStatus.scheduled)
    revision = Integer(default=0)  # bumped on every change of time, place or status
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow(), index=True)
    cancelled_at = Timestamptz(null=True, default=None)


class Registration(Table, db=DB):
    event = ForeignKey(Event, null=False, on_delete=OnDelete.cascade)
    member = ForeignKey(Member, null=False, on_delete=OnDelete.cascade)
    status = Varchar(length=20, choices=RegistrationStatus)
    arrival = Integer(null=True, default=None)  # place in the queue: waitlist order
    answers = JSON(default={})
    source = Varchar(length=10, choices=RegistrationSource, default=RegistrationSource.api)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    confirmed_at = Timestamptz(null=True, default=None)
    cancelled_at = Timestamptz(null=True, default=None)


class OrganizationSeats(Table, db=DB, tablename="event_organization_seats"):
    """Active registrations per organization and event, for the per-organization cap."""

    event = ForeignKey(Event, null=False, on_delete=OnDelete.cascade)
    organization = ForeignKey(Organization, null=False, on_delete=OnDelete.cascade)
    taken = Integer(default=0)


class Attendance(Table, db=DB):
    registration = ForeignKey(Registration, null=False, on_delete=OnDelete.cascade)
    session = ForeignKey(Session, null=False, on_delete=OnDelete.cascade)
    checked_in_at = Timestamptz(default=TimestamptzNow())
    checked_in_by = ForeignKey(Organizer, null=True, on_delete=OnDelete.set_null)
    method = Varchar(length=10, choices=CheckInMethod, default=CheckInMethod.manual)


class Notification(Table, db=DB):
    """The outbox: written in the transaction that caused it, delivered after the commit."""

    kind = Varchar(length=30, choices=NotificationKind)
    registration = ForeignKey(Registration, null=False, on_delete=OnDelete.cascade)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    subject = Integer(null=True, default=None)  # the session of a reminder, the certificate...
    # Unique where set (index in the migration): a reminder is recorded once, ever.
    dedupe_key = Varchar(length=120, null=True, default=None)
    channel = Varchar(length=10, choices=Channel, default=Channel.slack)
    claimed_at = Timestamptz(null=True, default=None)
    sent_at = Timestamptz(null=True, default=None)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(null=True, default=None)  # backing off after a failure
    failed_at = Timestamptz(null=True, default=None)  # given up: a permanent error
    last_error = Text(null=True, default=None)
    outcome = Varchar(length=10, choices=DeliveryOutcome, null=True, default=None)


class EmailConfirmation(Table, db=DB):
    """A registration asked for on the web by email; it counts only once the emailed link
    is followed. The member is found or created then, when the address is proven, so
    nobody can create a member (and the name on their certificates) for someone else's
    address. Tokens are made when the email is sent; only their SHA-256 is kept."""

    event = ForeignKey(Event, null=False, on_delete=OnDelete.cascade)
    email = Varchar(length=320, index=True)
    name = Varchar(length=200)
    answers = JSON(default={})
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()  # the confirm link's end: 48 hours after the request
    token_hash = Varchar(length=64, null=True, default=None, unique=True)  # confirm link
    # The "manage my registration" link: long-lived, for the member's registration for the event.
    manage_token_hash = Varchar(length=64, null=True, default=None, unique=True)
    member = ForeignKey(Member, null=True, on_delete=OnDelete.cascade)  # set on confirming
    used_at = Timestamptz(null=True, default=None)
    # Sending, claimed like the notification outbox: at most once, retried by the sweep.
    claimed_at = Timestamptz(null=True, default=None)
    sent_at = Timestamptz(null=True, default=None)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(null=True, default=None)
    failed_at = Timestamptz(null=True, default=None)
    last_error = Text(null=True, default=None)


class Announcement(Table, db=DB):
    """An organizer's message to an event's registrants, sent through the outbox: one
    notification row per (recipient, channel), whose states make the delivery log."""

    event = ForeignKey(Event, null=False, on_delete=OnDelete.cascade)
    sent_by = ForeignKey(Organizer, null=True, on_delete=OnDelete.set_null)
    subject = Varchar(length=200)
    body = Text()  # plain text; paragraphs split on blank lines
    # Who it went to: {"statuses": [...], "session": id or null}, as the organizer chose.
    audience = JSON(default={})
    recipients = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())


class MemberLogin(Table, db=DB):
    """A one-time sign-in link to the member's page (/me): emailed on request, or handed
    out by the Slack bot. Only the token's SHA-256 is kept; emailed tokens are made when
    the email is sent (like confirmations), so no queue or table ever holds one."""

    member = ForeignKey(Member, null=False, on_delete=OnDelete.cascade)
    via = Varchar(length=10, choices=Channel)
    token_hash = Varchar(length=64, null=True, default=None, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    claimed_at = Timestamptz(null=True, default=None)
    sent_at = Timestamptz(null=True, default=None)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(null=True, default=None)
    failed_at = Timestamptz(null=True, default=None)
    last_error = Text(null=True, default=None)


class OrganizerInvitation(Table, db=DB):
    """An emailed link for an organizer to set their password: an outbox row, sent by the
    worker (services/password_links.py; made by a hand-written migration). The link is
    made when the email is sent and never stored."""

    organizer = ForeignKey(Organizer, null=False, on_delete=OnDelete.cascade)
    sent_by_name = Varchar(length=200, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    claimed_at = Timestamptz(null=True, default=None)
    attempts = Integer(default=0)
    sent_at = Timestamptz(null=True, default=None)
    next_attempt_at = Timestamptz(null=True, default=None)
    failed_at = Timestamptz(null=True, default=None)
    last_error = Text(null=True, default=None)


ALL_TABLES: list[type[Table]] = [
    Region,
    RegionAlias,
    Organization,
    OrganizationDomain,
    Member,
    SlackIdentity,
    Organizer,
    OrganizerRegion,
    ApiToken,
    Topic,
    Event,
    EventRegion,
    EventTopic,
    Session,
    Registration,
    OrganizationSeats,
    Attendance,
    Notification,
    EmailConfirmation,
    Announcement,
    MemberLogin,
    OrganizerInvitation,
]


# (table, columns): unique indexes that the initial migration creates (copied there, as
# migrations must not change when this module does); ON CONFLICT relies on them.
UNIQUE_INDEXES: list[tuple[str, tuple[str, ...]]] = [
    ("slack_identity", ("team_id", "user_id")),
    ("organizer_region", ("organizer", "region")),
    ("event_region", ("event", "region")),
    ("event_topic", ("event", "topic")),
    ("registration", ("event", "member")),
    ("event_organization_seats", ("event", "organization")),
    ("attendance", ("registration", "session")),
]

# (name, table, columns): plain indexes for the hot queries.
INDEXES: list[tuple[str, str, tuple[str, ...]]] = [
    ("registration_queue", "registration", ("event", "status", "arrival")),
    ("session_event_starts", "event_session", ("event", "starts_at")),
    ("notification_pending", "notification", ("sent_at", "created_at")),
]
