"""The closed vocabularies of the domain, shared by tables, schemas and services."""

from enum import StrEnum


class OrganizationKind(StrEnum):
    city = "city"
    county = "county"
    state_agency = "state_agency"
    company = "company"
    university = "university"
    nonprofit = "nonprofit"


class OrganizerRole(StrEnum):
    admin = "admin"  # coalition admin: everything
    region_organizer = "region_organizer"  # the events of their regions
    checkin_staff = "checkin_staff"  # attendance at their regions' events, nothing else


class EventKind(StrEnum):
    workshop = "workshop"
    conference = "conference"
    training_track = "training_track"
    webinar = "webinar"


class EventStatus(StrEnum):
    draft = "draft"
    published = "published"
    cancelled = "cancelled"


class SessionStatus(StrEnum):
    scheduled = "scheduled"
    cancelled = "cancelled"


class RegistrationStatus(StrEnum):
    confirmed = "confirmed"
    waitlisted = "waitlisted"
    pending = "pending"  # awaiting an organizer's approval
    cancelled = "cancelled"
    declined = "declined"


ACTIVE_STATUSES = (
    RegistrationStatus.confirmed,
    RegistrationStatus.waitlisted,
    RegistrationStatus.pending,
)


class RegistrationSource(StrEnum):
    api = "api"
    slack = "slack"
    web = "web"


class CheckInMethod(StrEnum):
    manual = "manual"
    bulk = "bulk"
    qr = "qr"


class NotificationKind(StrEnum):
    registered = "registered"  # confirmed, waitlisted or pending: the registration's status
    promoted = "promoted"  # moved off the waitlist into a confirmed seat
    event_changed = "event_changed"  # times or place changed
    event_cancelled = "event_cancelled"
    reminder_24h = "reminder_24h"  # subject: the session
    reminder_1h = "reminder_1h"  # subject: the session
    certificate_issued = "certificate_issued"  # subject: the certificate
    approved = "approved"  # an organizer approved a pending registration
    declined = "declined"  # an organizer declined a pending registration
    registration_cancelled = "registration_cancelled"  # by the member or an organizer
    session_cancelled = "session_cancelled"  # subject: the session
    announcement = "announcement"  # subject: the announcement


class Channel(StrEnum):
    """Where a message reaches a member: one outbox row per (message, channel)."""

    slack = "slack"
    email = "email"


class ChannelChoice(StrEnum):
    """The member's choice; ``auto``: Slack when linked, otherwise email."""

    auto = "auto"
    slack = "slack"
    email = "email"
    both = "both"


class DeliveryOutcome(StrEnum):
    sent = "sent"
    skipped = "skipped"  # nothing worth saying any more (cancelled meanwhile, opted out)
    failed = "failed"  # a permanent error: an unknown Slack user, a rejected address


class DeliveryState(StrEnum):
    """Where one outbox row stands, as organizers see it (events.services.deliveries)."""

    queued = "queued"  # not tried yet, or being sent right now
    sent = "sent"
    skipped = "skipped"  # nothing to say any more, or the member turned the channel off
    retrying = "retrying"  # failed at least once; tried again after a backoff
    failed = "failed"  # given up: a permanent error


class AudienceStatus(StrEnum):
    """Whom an announcement goes to: several may be chosen, and a registration matching
    any of them is a recipient (events.services.announcements)."""

    confirmed = "confirmed"
    waitlisted = "waitlisted"
    pending = "pending"
    checked_in = "checked_in"  # attended (the chosen session, or any session)
    not_checked_in = "not_checked_in"  # confirmed but not attended (idem)


# Messages a member may turn off by email (they carry List-Unsubscribe); the others are
# transactional: what happened to their own registration.
REMINDER_KINDS = frozenset({NotificationKind.reminder_24h, NotificationKind.reminder_1h})


class QuestionKind(StrEnum):
    text = "text"
    choice = "choice"
    boolean = "boolean"
