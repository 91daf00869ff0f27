"""What the console's announcement and message pages show, from the same services as the
organizer API (events.services.announcements, events.services.deliveries), and how the
compose form is read. Organizers of the event's regions and admins only: check-in staff
and other regions' organizers are refused by the services."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import msgspec
from msgspec import Struct

from events import schemas
from events.announcement_schemas import (
    Announcement,
    AnnouncementCreate,
    AnnouncementPreview,
    Audience,
    Deliveries,
    Delivery,
    DeliveryCounts,
)
from events.auth import OrganizerPrincipal
from events.enums import AudienceStatus, DeliveryState
from events.errors import DomainError
from events.services import announcements, deliveries
from events.web import format
from events.web.console.event_views import managed_event
from events.web.console.form_fields import FormInvalid, posted_text, posted_values

AUDIENCE_LABELS = {
    AudienceStatus.confirmed.value: "Confirmed",
    AudienceStatus.waitlisted.value: "On the waitlist",
    AudienceStatus.pending.value: "Waiting for approval",
    AudienceStatus.checked_in.value: "Checked in",
    AudienceStatus.not_checked_in.value: "Confirmed but not checked in",
}
STATES = [state.value for state in DeliveryState]
LOG_PER_PAGE = 20
ROWS_PER_PAGE = 100


class ComposeForm(Struct, kw_only=True):
    """The compose form as typed."""

    subject: str = ""
    body: str = ""
    statuses: list[str] = msgspec.field(default_factory=lambda: [AudienceStatus.confirmed.value])
    session: str = ""  # a session's id, or "" for all sessions


def read_compose(data: Mapping[str, Any]) -> ComposeForm:
    return ComposeForm(
        subject=posted_text(data, "subject"),
        body=posted_text(data, "body", multiline=True),
        statuses=list(dict.fromkeys(posted_values(data, "statuses"))),
        session=posted_text(data, "session"),
    )


def audience_of(form: ComposeForm) -> Audience:
    """The form's audience; FormInvalid next to the field when it cannot be read."""
    unknown = [status for status in form.statuses if status not in AUDIENCE_LABELS]
    if not form.statuses or unknown:
        raise FormInvalid({"statuses": "Choose at least one group of registrants."})
    session: int | None = None
    if form.session:
        if not form.session.isdigit():
            raise FormInvalid({"session": "Choose one of the event's sessions."})
        session = int(form.session)
    return Audience(statuses=[AudienceStatus(s) for s in form.statuses], session=session)


def refusal(exc: DomainError) -> tuple[dict[str, str], str | None]:
    """(field errors, notice): a refusal next to its field when it names one."""
    if isinstance(exc, FormInvalid):
        return exc.errors, None
    field = exc.extra.get("field")
    return ({field: exc.detail}, None) if field else ({}, exc.detail)


class ComposePage(Struct):
    event: schemas.Event
    sessions: list[tuple[str, str]]  # (id, "title · when")
    audiences: list[tuple[str, str]]  # (value, label)


async def compose_page(organizer: OrganizerPrincipal, slug: str) -> ComposePage:
    event = await managed_event(organizer, slug)
    return ComposePage(
        event=event,
        sessions=[
            (
                str(session.id),
                f"{session.title} · "
                f"{format.session_when(session.starts_at, session.ends_at, event.timezone)}",
            )
            for session in event.sessions
        ],
        audiences=list(AUDIENCE_LABELS.items()),
    )


def describe(audience: Audience, event: schemas.Event) -> str:
    """ "Confirmed, Checked in (session: Day 2)": the audience in words."""
    groups = ", ".join(AUDIENCE_LABELS.get(str(s), str(s)) for s in audience.statuses)
    if audience.session is None:
        return groups
    title = next((s.title for s in event.sessions if s.id == audience.session), "a session")
    return f"{groups} (session: {title})"


class PreviewPage(Struct):
    compose: ComposePage
    form: ComposeForm
    subject: str
    paragraphs: list[str]
    preview: AnnouncementPreview
    audience: str


async def preview_page(
    organizer: OrganizerPrincipal, slug: str, form: ComposeForm
) -> tuple[ComposePage, PreviewPage | None]:
    """The compose page, and the preview when the form holds a message and an audience
    (raises a DomainError otherwise, for the form to show)."""
    compose = await compose_page(organizer, slug)
    subject, body = announcements.checked_text(form.subject, form.body)
    audience = audience_of(form)
    preview = await announcements.preview(organizer, slug, audience)
    return compose, PreviewPage(
        compose=compose,
        form=form,
        subject=subject,
        paragraphs=[part.strip() for part in body.split("\n\n") if part.strip()],
        preview=preview,
        audience=describe(audience, compose.event),
    )


async def send(organizer: OrganizerPrincipal, slug: str, form: ComposeForm) -> Announcement:
    data = AnnouncementCreate(subject=form.subject, body=form.body, audience=audience_of(form))
    return await announcements.send(organizer, slug, data)


class LogRow(Struct):
    announcement: Announcement
    sent_at: str
    audience: str


class LogPage(Struct):
    event: schemas.Event
    rows: list[LogRow]
    total: int
    page: int
    pages: int


def _pages(total: int, per_page: int) -> int:
    return max((total + per_page - 1) // per_page, 1)


async def log_page(organizer: OrganizerPrincipal, slug: str, page: int) -> LogPage:
    listed = await announcements.history(organizer, slug, page, LOG_PER_PAGE)
    event = await managed_event(organizer, slug)
    return LogPage(
        event=event,
        rows=[
            LogRow(
                announcement=item,
                sent_at=format.moment(item.sent_at, event.timezone),
                audience=describe(item.audience, event),
            )
            for item in listed.items
        ],
        total=listed.total,
        page=page,
        pages=_pages(listed.total, LOG_PER_PAGE),
    )


class DeliveryRow(Struct):
    delivery: Delivery
    when: str  # sent, failed, next try or queued at, in the event's time zone


class DeliveriesView(Struct):
    rows: list[DeliveryRow]
    counts: DeliveryCounts
    state: str  # "" for all
    total: int
    page: int
    pages: int
    states: list[str]


def _deliveries_view(event: schemas.Event, found: Deliveries, state: str) -> DeliveriesView:
    def at(moment: datetime | None) -> str:
        return format.moment(moment, event.timezone) if moment else ""

    rows = []
    for item in found.items:
        moment = item.failed_at or item.sent_at or item.next_attempt_at or item.created_at
        rows.append(DeliveryRow(delivery=item, when=at(moment)))
    return DeliveriesView(
        rows=rows,
        counts=found.counts,
        state=state,
        total=found.total,
        page=found.page,
        pages=_pages(found.total, found.per_page),
        states=STATES,
    )


class DetailPage(Struct):
    event: schemas.Event
    row: LogRow
    paragraphs: list[str]
    deliveries: DeliveriesView


async def detail_page(
    organizer: OrganizerPrincipal,
    slug: str,
    announcement_id: int,
    state: DeliveryState | None,
    page: int,
) -> DetailPage:
    found = await announcements.detail(organizer, slug, announcement_id, state, page, ROWS_PER_PAGE)
    event = await managed_event(organizer, slug)
    item = found.announcement
    return DetailPage(
        event=event,
        row=LogRow(
            announcement=item,
            sent_at=format.moment(item.sent_at, event.timezone),
            audience=describe(item.audience, event),
        ),
        paragraphs=[part.strip() for part in item.body.split("\n\n") if part.strip()],
        deliveries=_deliveries_view(event, found.deliveries, state.value if state else ""),
    )


class MessagesPage(Struct):
    event: schemas.Event
    deliveries: DeliveriesView


async def messages_page(
    organizer: OrganizerPrincipal, slug: str, state: DeliveryState | None, page: int
) -> MessagesPage:
    _, found = await deliveries.event_messages(organizer, slug, state, page, ROWS_PER_PAGE)
    event = await managed_event(organizer, slug)
    return MessagesPage(
        event=event, deliveries=_deliveries_view(event, found, state.value if state else "")
    )
