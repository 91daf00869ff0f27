"""msgspec Structs: what the API reads and writes. Handlers never return ORM rows."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Generic, TypeVar

import msgspec
from msgspec import Meta, Struct

from events.enums import (
    CheckInMethod,
    EventKind,
    EventStatus,
    OrganizationKind,
    QuestionKind,
    RegistrationSource,
    RegistrationStatus,
    SessionStatus,
)

T = TypeVar("T")

Slug = Annotated[str, Meta(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", min_length=1, max_length=120)]
Title = Annotated[str, Meta(min_length=1, max_length=200)]
PlaceName = Annotated[str, Meta(max_length=200)]
Latitude = Annotated[float, Meta(ge=-90, le=90)]
Longitude = Annotated[float, Meta(ge=-180, le=180)]
# Limits the columns set (tables.py): the API and the console's forms both use these.
MAX_SEATS = 100_000
MAX_CREDIT_HOURS = 999.99  # event.credit_hours is NUMERIC(5, 2)
MAX_QUESTIONS = 20
MAX_LABEL = 300
MAX_CHOICES = 50
MAX_CHOICE = 300
Seats = Annotated[int, Meta(ge=1, le=MAX_SEATS)]
Hours = Annotated[float, Meta(ge=0, le=MAX_CREDIT_HOURS)]
Url = Annotated[str, Meta(pattern=r"^https?://", max_length=2000)]


class Page(Struct, Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int


class Region(Struct):
    slug: str
    name: str
    timezone: str
    is_national: bool
    calendar: CalendarLinks | None = None


class Topic(Struct):
    slug: str
    name: str


class Question(Struct, forbid_unknown_fields=True):
    key: Annotated[str, Meta(pattern=r"^[a-z0-9_]{1,40}$")]
    label: Annotated[str, Meta(min_length=1, max_length=MAX_LABEL)]
    kind: QuestionKind = QuestionKind.text
    required: bool = False
    choices: Annotated[
        list[Annotated[str, Meta(min_length=1, max_length=MAX_CHOICE)]],
        Meta(max_length=MAX_CHOICES),
    ] = []


Questions = Annotated[list[Question], Meta(max_length=MAX_QUESTIONS)]


class Venue(Struct, forbid_unknown_fields=True):
    name: Annotated[str, Meta(min_length=1, max_length=200)]
    address: str | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None


class SessionCreate(Struct, forbid_unknown_fields=True):
    title: Title
    starts_at: datetime
    ends_at: datetime
    description: str = ""
    location_name: PlaceName | None = None
    location_address: str | None = None
    required: bool = False


class SessionUpdate(Struct, forbid_unknown_fields=True, omit_defaults=True):
    title: Title | msgspec.UnsetType = msgspec.UNSET
    starts_at: datetime | msgspec.UnsetType = msgspec.UNSET
    ends_at: datetime | msgspec.UnsetType = msgspec.UNSET
    description: str | msgspec.UnsetType = msgspec.UNSET
    location_name: PlaceName | None | msgspec.UnsetType = msgspec.UNSET
    location_address: str | None | msgspec.UnsetType = msgspec.UNSET
    required: bool | msgspec.UnsetType = msgspec.UNSET


class Session(Struct):
    id: int
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    location_name: str | None
    location_address: str | None
    required: bool
    status: SessionStatus
    revision: int


class EventCreate(Struct, forbid_unknown_fields=True):
    slug: Slug
    title: Title
    kind: EventKind
    timezone: str
    regions: Annotated[list[str], Meta(min_length=1)]
    summary: str = ""
    description: str = ""
    topics: list[str] = []
    venue: Venue | None = None
    online_url: Url | None = None
    capacity: Seats | None = None
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    members_only: bool = False
    organization_seat_cap: Seats | None = None
    approval_required: bool = False
    credit_hours: Hours = 0
    questions: Questions = []
    sessions: list[SessionCreate] = []


class EventUpdate(Struct, forbid_unknown_fields=True, omit_defaults=True):
    title: Title | msgspec.UnsetType = msgspec.UNSET
    summary: str | msgspec.UnsetType = msgspec.UNSET
    description: str | msgspec.UnsetType = msgspec.UNSET
    timezone: str | msgspec.UnsetType = msgspec.UNSET
    regions: Annotated[list[str], Meta(min_length=1)] | msgspec.UnsetType = msgspec.UNSET
    topics: list[str] | msgspec.UnsetType = msgspec.UNSET
    venue: Venue | None | msgspec.UnsetType = msgspec.UNSET
    online_url: Url | None | msgspec.UnsetType = msgspec.UNSET
    capacity: Seats | None | msgspec.UnsetType = msgspec.UNSET
    registration_opens_at: datetime | None | msgspec.UnsetType = msgspec.UNSET
    registration_closes_at: datetime | None | msgspec.UnsetType = msgspec.UNSET
    members_only: bool | msgspec.UnsetType = msgspec.UNSET
    organization_seat_cap: Seats | None | msgspec.UnsetType = msgspec.UNSET
    approval_required: bool | msgspec.UnsetType = msgspec.UNSET
    credit_hours: Hours | msgspec.UnsetType = msgspec.UNSET
    questions: Questions | msgspec.UnsetType = msgspec.UNSET


class EventCancel(Struct, forbid_unknown_fields=True):
    reason: str = ""


class CalendarLinks(Struct):
    ics: str  # download / "add to calendar"
    webcal: str  # subscribe: calendar apps follow changes
    google: str | None = None  # "Add to Google Calendar" (the next session)
    outlook: str | None = None  # "Add to Outlook.com" (personal accounts; the next session)
    outlook_office: str | None = None  # "Add to Outlook" for work or school (Microsoft 365)


class PersonalCalendar(Struct):
    url: str  # https link to the member's own feed; keep it private
    webcal: str


class EventSummary(Struct):
    slug: str
    title: str
    kind: EventKind
    status: EventStatus
    summary: str
    timezone: str
    regions: list[str]
    topics: list[str]
    starts_at: datetime | None
    ends_at: datetime | None
    venue_name: str | None
    online: bool
    capacity: int | None
    seats_left: int | None
    waitlist_length: int
    registration_open: bool
    url: str
    calendar: CalendarLinks


class Event(Struct):
    slug: str
    title: str
    kind: EventKind
    status: EventStatus
    summary: str
    description: str
    timezone: str
    regions: list[Region]
    topics: list[Topic]
    venue: Venue | None
    online: bool
    capacity: int | None
    seats_taken: int
    seats_left: int | None
    waitlist_length: int
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    registration_open: bool
    members_only: bool
    organization_seat_cap: int | None
    approval_required: bool
    credit_hours: float
    questions: list[Question]
    sessions: list[Session]
    starts_at: datetime | None
    ends_at: datetime | None
    url: str
    calendar: CalendarLinks
    # Only in the organizers' view: the join link is for confirmed attendees.
    online_url: str | None = None


class RegistrationCreate(Struct, forbid_unknown_fields=True):
    answers: dict[str, str | bool] = {}


class Registration(Struct):
    id: int
    event: str
    status: RegistrationStatus
    waitlist_position: int | None
    answers: dict[str, str | bool]
    source: RegistrationSource
    created_at: datetime
    updated_at: datetime
    confirmed_at: datetime | None
    cancelled_at: datetime | None
    # The join link, for confirmed registrations of online events only.
    online_url: str | None = None


class MyRegistration(Struct):
    event: EventSummary
    registration: Registration


class Member(Struct):
    id: int
    name: str
    email: str
    organization: str | None
    organization_kind: OrganizationKind | None


class MemberCreate(Struct, forbid_unknown_fields=True):
    name: Annotated[str, Meta(min_length=1, max_length=200)]
    email: Annotated[str, Meta(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=320)]


class IssuedToken(Struct):
    token: str  # shown once; only its hash is stored
    label: str


class TokenCreate(Struct, forbid_unknown_fields=True):
    label: Annotated[str, Meta(max_length=100)] = ""


class Attendee(Struct):
    registration_id: int
    member_id: int
    name: str
    email: str
    organization: str | None
    status: RegistrationStatus
    waitlist_position: int | None
    answers: dict[str, str | bool]
    source: RegistrationSource
    created_at: datetime
    sessions_attended: int


class CheckInRequest(Struct, forbid_unknown_fields=True):
    registration_ids: Annotated[list[int], Meta(min_length=1, max_length=1000)]
    method: CheckInMethod = CheckInMethod.manual


class CheckIn(Struct):
    registration_id: int
    session_id: int
    checked_in_at: datetime
    method: CheckInMethod
    name: str


class CheckInResult(Struct):
    checked_in: list[CheckIn]
    already_checked_in: list[int]


class Health(Struct):
    status: str  # "ok", or "unavailable" (503) when a check failed
    database: bool
    redis: bool | None  # None: no REDIS_URL, nothing to check
    broker: str  # "in-process" or "redis"


class Liveness(Struct):
    status: str


class EmailRegistrationCreate(Struct):
    """The web form's fields as typed; the service checks them and names each problem, so
    the form can be shown again with the errors next to the fields."""

    name: str
    email: str
    answers: dict[str, str] = {}  # question key -> the form's value ("yes" for a checkbox)


class EmailRegistrationRequested(Struct):
    event: str
    event_title: str
    email: str


class EmailConfirmation(Struct):
    """What a confirm link stands for, shown before the person presses Confirm."""

    event: str
    event_title: str
    name: str
    email: str
    expires_at: datetime


class ManagedRegistration(Struct):
    """A registration as its "manage" link shows it; ``registration`` is None until the
    emailed confirm link has been followed."""

    event: str
    event_title: str
    name: str
    email: str
    registration: Registration | None
    calendar: PersonalCalendar | None
