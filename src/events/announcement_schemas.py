"""msgspec Structs of organizers' announcements and of the outbox's delivery state."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from msgspec import Meta, Struct

from events.enums import AudienceStatus, Channel, DeliveryState, NotificationKind

MAX_SUBJECT = 200  # announcement.subject is VARCHAR(200)
MAX_BODY = 10_000
SAMPLE_NAMES = 5  # names a preview shows, so the organizer recognises the audience

Subject = Annotated[str, Meta(min_length=1, max_length=MAX_SUBJECT)]
Body = Annotated[str, Meta(min_length=1, max_length=MAX_BODY)]


class Audience(Struct, forbid_unknown_fields=True):
    """Registrations matching any of ``statuses``. ``session`` (an id of the event's
    sessions) narrows checked_in and not_checked_in to that session; confirmed,
    waitlisted and pending registrations hold their place in every session, so for them
    it changes nothing."""

    statuses: Annotated[list[AudienceStatus], Meta(min_length=1, max_length=5)]
    session: int | None = None


class AnnouncementCreate(Struct, forbid_unknown_fields=True):
    subject: Subject
    body: Body  # plain text; paragraphs split on blank lines
    audience: Audience


class ChannelCounts(Struct):
    slack: int = 0
    email: int = 0


class AnnouncementPreview(Struct):
    recipients: int  # registrations in the audience
    channels: ChannelCounts  # messages each channel would carry (a member may want both)
    unreachable: int  # recipients who turned every channel for announcements off
    sample: list[str]  # a few recipients' names


class DeliveryCounts(Struct):
    queued: int = 0
    sent: int = 0
    skipped: int = 0
    retrying: int = 0
    failed: int = 0


class Announcement(Struct):
    id: int
    subject: str
    body: str
    audience: Audience
    sent_at: datetime
    sent_by: str | None  # the organizer's name (None once their account is deleted)
    recipients: int
    deliveries: dict[str, DeliveryCounts]  # by channel: "slack", "email"
    total: DeliveryCounts  # all channels


class Delivery(Struct):
    """One outbox row: one message to one member on one channel."""

    id: int
    kind: NotificationKind
    registration_id: int
    member: str  # the member's name
    channel: Channel
    state: DeliveryState
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    next_attempt_at: datetime | None  # retrying: when
    failed_at: datetime | None
    last_error: str | None


class Deliveries(Struct):
    items: list[Delivery]
    total: int  # rows in the chosen state (all states when none is chosen)
    page: int
    per_page: int
    counts: DeliveryCounts  # every state, whatever the filter


class AnnouncementDetail(Struct):
    announcement: Announcement
    deliveries: Deliveries
