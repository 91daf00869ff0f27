"""The closed vocabularies of the domain, shared by tables, schemas and services."""

from enum import Enum


class OrganizationKind(str, Enum):
    city = "city"
    county = "county"
    state_agency = "state_agency"
    company = "company"
    university = "university"
    nonprofit = "nonprofit"


class OrganizerRole(str, Enum):
    admin = "admin"  # coalition admin: everything
    region_organizer = "region_organizer"  # the events of their regions
    checkin_staff = "checkin_staff"  # attendance at their regions' events, nothing else


class EventKind(str, Enum):
    workshop = "workshop"
    conference = "conference"
    training_track = "training_track"
    webinar = "webinar"


class EventStatus(str, Enum):
    draft = "draft"
    published = "published"
    cancelled = "cancelled"


class SessionStatus(str, Enum):
    scheduled = "scheduled"
    cancelled = "cancelled"


class RegistrationStatus(str, Enum):
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


class RegistrationSource(str, Enum):
    api = "api"
    slack = "slack"
    web = "web"


class CheckInMethod(str, Enum):
    manual = "manual"
    bulk = "bulk"
    qr = "qr"


class NotificationKind(str, Enum):
    promoted = "promoted"  # moved off the waitlist into a confirmed seat


class QuestionKind(str, Enum):
    text = "text"
    choice = "choice"
    boolean = "boolean"
