"""What each kind of notification says by email, read from the database at sending time.

A message is recorded when something happens and sent a moment (or, after a failure,
minutes) later: it says what is true when it leaves, as the Slack messages do
(bot/notify.py). When it is no longer news (registered, then cancelled before it left),
``compose`` returns None and the outbox marks it skipped.

Confirmed seats carry a calendar invitation (iMIP, events.calendar.invitations): a
REQUEST for the sessions when the seat is confirmed, approved, promoted or changed; a
CANCEL when a session, the event, or the member's own registration is cancelled.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import parseaddr

from events import emails
from events.calendar import invitations
from events.calendar.entries import Personal
from events.calendar.feeds import session_entries
from events.config import get_settings
from events.db import fetch, fetch_one
from events.enums import (
    ACTIVE_STATUSES,
    EventStatus,
    NotificationKind,
    RegistrationStatus,
    SessionStatus,
)
from events.formatting import session_when, starts_in
from events.mail import address, header_text
from events.notifier import Message
from events.services import announcements, preferences
from events.services.catalog import event_url
from events.services.join_links import join_link

Kind = NotificationKind

# The certificate routes of the certs package (certs.documents.pdf_url and verify_url):
# the core cannot import it, and these URLs are printed on every certificate for good.
CERTIFICATE_PDF = "/certificates/{code}.pdf"
CERTIFICATE_VERIFY = "/verify/{code}"


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything a message may need, read once."""

    message: Message
    registration: dict  # status, event, confirmed_at, waitlist position
    event: dict  # slug, title, status, timezone, online_url, venue
    sessions: list[dict]  # the event's sessions, in time order
    organizer: invitations.Party  # the region's mailbox, or the sender's address
    region_name: str | None  # the region that answers replies (its mailbox is set)
    now: datetime

    @property
    def status(self) -> str:
        return self.registration["status"]

    @property
    def published(self) -> bool:
        return self.event["status"] == EventStatus.published

    @property
    def join_url(self) -> str | None:
        return join_link(self.event["online_url"], self.status, self.event["status"])

    def upcoming(self) -> list[dict]:
        """The scheduled sessions not over yet: what an invitation holds."""
        return [
            s
            for s in self.sessions
            if s["status"] == SessionStatus.scheduled and s["ends_at"] >= self.now
        ]

    def line(self, session: dict) -> emails.SessionLine:
        where = session["location_name"] or self.event["venue_name"]
        if not where and self.event["online_url"]:
            where = "Online"
        return emails.SessionLine(
            title=session["title"] or self.event["title"],
            when=session_when(session["starts_at"], session["ends_at"], self.event["timezone"]),
            where=where,
            cancelled=session["status"] == SessionStatus.cancelled
            or self.event["status"] == EventStatus.cancelled,
        )

    def lines(self, sessions: list[dict]) -> tuple[emails.SessionLine, ...]:
        return tuple(self.line(session) for session in sessions)


async def compose(message: Message) -> emails.OutgoingEmail | None:
    facts = await _facts(message)
    if facts is None:
        return None
    said = await COMPOSERS[message.kind](facts)
    if said is None:
        return None
    data, calendar = said
    headers = {}
    if facts.region_name:  # a region mailbox is set: replies go to its organizers
        headers["Reply-To"] = _mailbox_header(facts.organizer)
    headers.update(preferences.list_headers(message.member_id, message.member_email, message.kind))
    if calendar is None:
        return emails.OutgoingEmail(email=emails.message_email(data), headers=headers)
    return emails.OutgoingEmail(
        email=emails.message_email(data),
        headers=headers,
        calendar=invitations.render(calendar),
        calendar_method=calendar.method.value,
    )


Said = tuple[emails.MessageEmail, invitations.Invitation | None] | None


def _mailbox_header(party: invitations.Party) -> str:
    return address(party.name, party.email)


async def _facts(message: Message) -> Facts | None:
    row = await fetch_one(
        "SELECT r.id, r.status, r.event, r.confirmed_at, e.slug, e.title, "
        "e.status AS event_status, e.timezone, e.online_url, e.venue_name, "
        "(SELECT COUNT(*) FROM registration w WHERE w.event = r.event "
        "AND w.status = 'waitlisted' AND w.arrival <= r.arrival) AS position "
        "FROM registration r JOIN event e ON e.id = r.event WHERE r.id = {}",
        message.registration_id,
    )
    if row is None:
        return None
    sessions = await fetch(
        "SELECT id, title, starts_at, ends_at, status, location_name, revision "
        "FROM event_session WHERE event = {} ORDER BY starts_at, id",
        row["event"],
    )
    regions = await fetch(
        "SELECT g.name, g.mailbox FROM event_region er JOIN region g ON g.id = er.region "
        "WHERE er.event = {} ORDER BY er.id",
        row["event"],
    )
    with_mailbox = [region for region in regions if region["mailbox"]]
    if with_mailbox:
        organizer = invitations.Party(with_mailbox[0]["name"], with_mailbox[0]["mailbox"])
        region_name = with_mailbox[0]["name"]
    else:
        name, address = parseaddr(get_settings().mail_from)
        organizer = invitations.Party(name or "Convene", address)
        region_name = None
    event = {
        "slug": row["slug"],
        "title": row["title"],
        "status": row["event_status"],
        "timezone": row["timezone"],
        "online_url": row["online_url"],
        "venue_name": row["venue_name"],
    }
    return Facts(
        message=message,
        registration=row,
        event=event,
        sessions=sessions,
        organizer=organizer,
        region_name=region_name,
        now=datetime.now(UTC),
    )


def _email(facts: Facts, template: str, subject: str, **fields: object) -> emails.MessageEmail:
    message = facts.message
    unsubscribe = preferences.unsubscribe_url(message.member_id, message.member_email, message.kind)
    return emails.MessageEmail(
        template=template,
        subject=header_text(f"{subject}: {facts.event['title']}"),
        name=message.member_name,
        event_title=facts.event["title"],
        event_url=event_url(facts.event["slug"]),
        preferences_url=preferences.preferences_url(message.member_id, message.member_email),
        organizers=facts.region_name,
        unsubscribe_url=unsubscribe,
        list_name=preferences.LISTS.get(message.kind, "").rstrip("s") or None,
        **fields,  # type: ignore[arg-type]
    )


async def _cancellations_before(facts: Facts) -> int:
    """``c`` of the SEQUENCE rule (events.calendar.invitations)."""
    row = await fetch_one(
        "SELECT COUNT(*) AS n FROM notification WHERE registration = {} "
        "AND kind = 'registration_cancelled' AND channel = 'email' AND id < {}",
        facts.registration["id"],
        facts.message.notification_id,
    )
    return row["n"] if row else 0


async def _invitation(
    facts: Facts, method: invitations.Method, sessions: list[dict], *, own_cancel: bool = False
) -> invitations.Invitation | None:
    if not sessions:
        return None
    cancellations = await _cancellations_before(facts)
    personal = None
    if method is invitations.Method.request:
        personal = Personal(
            status=RegistrationStatus.confirmed, waitlist_position=None, join_url=facts.join_url
        )
    entries = await session_entries(
        [s["id"] for s in sessions], {s["id"]: personal for s in sessions} if personal else {}
    )
    ordered = tuple(entries[s["id"]] for s in sessions if s["id"] in entries)
    revisions = {entries[s["id"]].uid: s["revision"] for s in sessions if s["id"] in entries}
    message = facts.message
    return invitations.Invitation(
        method=method,
        organizer=facts.organizer,
        attendee=invitations.Party(message.member_name, message.member_email),
        sessions=ordered,
        sequence={
            uid: invitations.sequence(revision, cancellations, own_cancel=own_cancel)
            for uid, revision in revisions.items()
        },
        stamp=facts.now,
    )


async def _request_if_confirmed(facts: Facts) -> invitations.Invitation | None:
    if facts.status != RegistrationStatus.confirmed or not facts.published:
        return None
    return await _invitation(facts, invitations.Method.request, facts.upcoming())


def _with_invitation(
    data: emails.MessageEmail, invitation: invitations.Invitation | None
) -> tuple[emails.MessageEmail, invitations.Invitation | None]:
    """The email mentions the calendar part only when there is one."""
    method = invitation.method.value if invitation else None
    return (replace(data, invitation=method), invitation)


# The subject of each piece of registration news, by the status it may still announce.
REGISTRATION_NEWS = {
    Kind.registered: {
        RegistrationStatus.confirmed: "Registered",
        RegistrationStatus.waitlisted: "On the waitlist",
        RegistrationStatus.pending: "Awaiting approval",
    },
    Kind.approved: {
        RegistrationStatus.confirmed: "Approved",
        RegistrationStatus.waitlisted: "Approved, on the waitlist",
    },
    Kind.promoted: {RegistrationStatus.confirmed: "A seat opened up"},
}


async def _registration_news(facts: Facts) -> Said:
    """registered, approved, promoted: the registration's status as it is now."""
    kind = facts.message.kind
    subjects = REGISTRATION_NEWS[kind]
    if facts.status not in subjects or not facts.published:
        return None  # cancelled, declined or moved on meanwhile: old news
    data = _email(
        facts,
        kind.value,
        subjects[facts.status],
        status=facts.status,
        waitlist_position=facts.registration["position"] if facts.status == "waitlisted" else None,
        sessions=facts.lines(facts.upcoming()),
        join_url=facts.join_url,
    )
    return _with_invitation(data, await _request_if_confirmed(facts))


async def _declined(facts: Facts) -> Said:
    if facts.status != RegistrationStatus.declined:
        return None
    return _email(facts, "declined", "Registration declined"), None


async def _event_changed(facts: Facts) -> Said:
    if facts.status not in ACTIVE_STATUSES or not facts.published:
        return None
    data = _email(
        facts,
        "event_changed",
        "Changed",
        sessions=facts.lines(facts.upcoming()),
        join_url=facts.join_url,
    )
    return _with_invitation(data, await _request_if_confirmed(facts))


async def _session_cancelled(facts: Facts) -> Said:
    session = next((s for s in facts.sessions if s["id"] == facts.message.subject), None)
    if session is None or facts.status not in ACTIVE_STATUSES or not facts.published:
        return None  # a cancelled event says so itself (event_cancelled)
    data = _email(
        facts,
        "session_cancelled",
        f"Session cancelled ({session['title']})",
        session=facts.line(session),
        sessions=facts.lines(facts.upcoming()),
    )
    invitation = None
    if facts.status == RegistrationStatus.confirmed:
        invitation = await _invitation(facts, invitations.Method.cancel, [session])
    return _with_invitation(data, invitation)


async def _event_cancelled(facts: Facts) -> Said:
    if facts.event["status"] != EventStatus.cancelled:
        return None
    data = _email(facts, "event_cancelled", "Cancelled")
    invitation = None
    if facts.status == RegistrationStatus.confirmed:
        invitation = await _invitation(facts, invitations.Method.cancel, facts.upcoming())
    return _with_invitation(data, invitation)


async def _registration_cancelled(facts: Facts) -> Said:
    if facts.status != RegistrationStatus.cancelled:
        return None  # registered again meanwhile: that message has the news
    data = _email(facts, "registration_cancelled", "Registration cancelled")
    invitation = None
    if facts.registration["confirmed_at"] is not None:  # held a seat: had an invitation
        invitation = await _invitation(
            facts, invitations.Method.cancel, facts.upcoming(), own_cancel=True
        )
    return _with_invitation(data, invitation)


async def _reminder(facts: Facts) -> Said:
    session = next((s for s in facts.sessions if s["id"] == facts.message.subject), None)
    if (
        session is None
        or session["status"] != SessionStatus.scheduled
        or not facts.published
        or facts.status != RegistrationStatus.confirmed
    ):
        return None
    soon = starts_in(session["starts_at"], datetime.now(UTC), facts.event["timezone"])
    data = _email(
        facts,
        "reminder",
        soon.headline,
        session=facts.line(session),
        soon=soon.phrase,
        join_url=facts.join_url,  # confirmed, published: the attendee's own link
    )
    return data, None


async def _certificate(facts: Facts) -> Said:
    certificate = await fetch_one(
        "SELECT code, status FROM certificate WHERE id = {}", facts.message.subject
    )
    if certificate is None or certificate["status"] != "valid":
        return None
    base, code = get_settings().base_url, certificate["code"]
    links = (
        emails.Link("Download the PDF", base + CERTIFICATE_PDF.format(code=code)),
        emails.Link("Verification page", base + CERTIFICATE_VERIFY.format(code=code)),
    )
    return _email(facts, "certificate_issued", "Your certificate", links=links), None


async def _announcement(facts: Facts) -> Said:
    if facts.message.subject is None:
        return None
    content = await announcements.content(facts.message.subject)
    if content is None:
        return None
    paragraphs = tuple(
        part.strip() for part in content.body.replace("\r\n", "\n").split("\n\n") if part.strip()
    )
    data = _email(
        facts, "announcement", content.subject, paragraphs=paragraphs, sent_by=content.sent_by
    )
    return data, None


COMPOSERS: dict[NotificationKind, Callable[[Facts], Awaitable[Said]]] = {
    Kind.registered: _registration_news,
    Kind.approved: _registration_news,
    Kind.declined: _declined,
    Kind.promoted: _registration_news,
    Kind.event_changed: _event_changed,
    Kind.session_cancelled: _session_cancelled,
    Kind.event_cancelled: _event_cancelled,
    Kind.registration_cancelled: _registration_cancelled,
    Kind.reminder_24h: _reminder,
    Kind.reminder_1h: _reminder,
    Kind.certificate_issued: _certificate,
    Kind.announcement: _announcement,
}
