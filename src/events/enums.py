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


class QuestionKind(StrEnum):
    text = "text"
    choice = "choice"
    boolean = "boolean"
