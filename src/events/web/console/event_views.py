"""What the console's event-editing pages show, from the same services as the organizer API:
the choices an organizer has (their own regions; admins: all), an event with its sessions."""

from __future__ import annotations

from msgspec import Struct

from events import schemas
from events.auth import OrganizerPrincipal, require_manager
from events.enums import ACTIVE_STATUSES, EventKind, SessionStatus
from events.errors import NotFound
from events.services import catalog, events, organizers
from events.web import format

# Offered as suggestions; any IANA name may be typed.
COMMON_ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Puerto_Rico",
    "UTC",
)


class EventChoices(Struct):
    kinds: list[tuple[str, str]]  # (value, label)
    regions: list[schemas.Region]  # where the organizer may host events
    region_names: dict[str, str]  # every region, for co-hosts the organizer cannot change
    topics: list[schemas.Topic]
    timezones: list[str]

    @property
    def region_slugs(self) -> set[str]:
        return {region.slug for region in self.regions}

    @property
    def topic_slugs(self) -> set[str]:
        return {topic.slug for topic in self.topics}

    @property
    def region_options(self) -> list[tuple[str, str]]:
        return [(region.slug, region.name) for region in self.regions]

    @property
    def topic_options(self) -> list[tuple[str, str]]:
        return [(topic.slug, topic.name) for topic in self.topics]


class EventPage(Struct):
    """The event form's page: ``event`` is None while creating."""

    choices: EventChoices
    event: schemas.Event | None = None
    other_hosts: list[str] = []  # co-hosting regions the organizer does not organize
    kind: str = ""  # the event's kind, as a label (it cannot be changed)


async def _hosting_regions(
    organizer: OrganizerPrincipal, regions: list[schemas.Region]
) -> list[schemas.Region]:
    if organizer.is_admin or not regions:
        return regions
    own = await organizers.region_slugs(organizer)
    return [region for region in regions if region.slug in own]


async def event_choices(organizer: OrganizerPrincipal) -> EventChoices:
    require_manager(organizer)
    regions = await catalog.regions()
    return EventChoices(
        kinds=[(kind.value, format.KIND_LABELS.get(kind.value, kind.value)) for kind in EventKind],
        regions=await _hosting_regions(organizer, regions),
        region_names={region.slug: region.name for region in regions},
        topics=await catalog.topics(),
        timezones=sorted({*COMMON_ZONES, *(region.timezone for region in regions)}),
    )


async def managed_event(organizer: OrganizerPrincipal, slug: str) -> schemas.Event:
    """The event, for an organizer who may change it (its regions' organizers, admins)."""
    require_manager(organizer)
    return await events.manager_event(organizer, slug)


async def new_event_page(organizer: OrganizerPrincipal) -> EventPage:
    return EventPage(choices=await event_choices(organizer))


async def edit_event_page(organizer: OrganizerPrincipal, slug: str) -> EventPage:
    event = await managed_event(organizer, slug)
    choices = await event_choices(organizer)
    return EventPage(
        choices=choices,
        event=event,
        other_hosts=[r.name for r in event.regions if r.slug not in choices.region_slugs],
        kind=format.KIND_LABELS.get(str(event.kind), str(event.kind)),
    )


class SessionRow(Struct):
    session: schemas.Session
    when: str
    cancelled: bool


class SessionsPage(Struct):
    event: schemas.Event
    rows: list[SessionRow]


async def sessions_page(organizer: OrganizerPrincipal, slug: str) -> SessionsPage:
    event = await managed_event(organizer, slug)
    return SessionsPage(
        event=event,
        rows=[
            SessionRow(
                session=session,
                when=format.session_when(session.starts_at, session.ends_at, event.timezone),
                cancelled=session.status == SessionStatus.cancelled,  # a str from the row
            )
            for session in event.sessions
        ],
    )


class SessionPage(Struct):
    event: schemas.Event
    session: schemas.Session
    when: str


async def session_page(organizer: OrganizerPrincipal, slug: str, session_id: int) -> SessionPage:
    """One of the event's sessions (a session of another event is not found here)."""
    event = await managed_event(organizer, slug)
    for session in event.sessions:
        if session.id == session_id:
            when = format.session_when(session.starts_at, session.ends_at, event.timezone)
            return SessionPage(event=event, session=session, when=when)
    raise NotFound("This event has no such session.")


class CancelPage(Struct):
    event: schemas.Event
    registered: int  # confirmed, waitlisted or pending: they are told


async def cancel_page(organizer: OrganizerPrincipal, slug: str) -> CancelPage:
    event = await managed_event(organizer, slug)
    counts = await events.registration_counts(organizer, slug)
    return CancelPage(event=event, registered=sum(counts[s.value] for s in ACTIVE_STATUSES))
