"""Email bodies: pure builders from plain data to a subject, a text part and an HTML part.

The templates live beside the pages' (web/templates/email/); ``.txt`` is not escaped,
``.html`` is. No database, no sending: services pass the data, mail.py sends.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from email.message import EmailMessage
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES = Path(__file__).parent / "web" / "templates" / "email"


@dataclass(frozen=True, slots=True)
class Email:
    subject: str
    text: str
    html: str


@dataclass(frozen=True, slots=True)
class OutgoingEmail:
    """An email ready to build: its parts, extra headers, and an optional calendar
    (an iMIP REQUEST or CANCEL, sent as an alternative part and as an attachment)."""

    email: Email
    headers: dict[str, str] = field(default_factory=dict)
    calendar: bytes | None = None
    calendar_method: str | None = None  # REQUEST or CANCEL


def build_email(outgoing: OutgoingEmail, *, sender: str, to: str) -> EmailMessage:
    """The MIME message: multipart/alternative (text, HTML, and text/calendar when there
    is an invitation), plus the invitation again as an .ics attachment."""
    from events.mail import build_message

    message = build_message(
        sender,
        to,
        outgoing.email.subject,
        outgoing.email.text,
        outgoing.email.html,
        headers=outgoing.headers,
    )
    if outgoing.calendar is not None:
        _add_invitation(message, outgoing.calendar, outgoing.calendar_method or "REQUEST")
    return message


def _add_invitation(message: EmailMessage, calendar: bytes, method: str) -> None:
    """The layout Outlook needs (RFC 6047): multipart/mixed [multipart/alternative [text,
    HTML, text/calendar; method=...], invite.ics]. Outlook, Gmail and Apple Mail read the
    alternative and offer to add or remove the events; programs that ignore it still get
    the attachment."""
    # As bytes (base64): text parts would have their CRLF line ends, which iCalendar
    # requires, turned into bare LF.
    message.add_alternative(
        calendar,
        maintype="text",
        subtype="calendar",
        params={"method": method, "charset": "UTF-8"},
    )
    message.add_attachment(calendar, maintype="application", subtype="ics", filename="invite.ics")


@dataclass(frozen=True, slots=True)
class ConfirmationEmail:
    """What the "confirm your registration" email says."""

    name: str
    event_title: str
    event_url: str
    when: str | None  # the first session, in the event's time zone
    where: str | None
    confirm_url: str
    manage_url: str
    expires: str  # when the confirm link stops working, in the event's time zone


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default=False),
        undefined=StrictUndefined,  # a missing value is a bug, not an empty line in an email
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _render(name: str, data: object) -> Email:
    env = _environment()
    context = asdict(data)  # type: ignore[call-overload]
    return Email(
        subject=env.get_template(f"{name}.subject.txt").render(context).strip(),
        text=env.get_template(f"{name}.txt").render(context),
        html=env.get_template(f"{name}.html").render(context),
    )


def confirmation_email(data: ConfirmationEmail) -> Email:
    return _render("confirm_registration", data)


@dataclass(frozen=True, slots=True)
class PasswordLinkEmail:
    """What the "set your console password" email to an organizer says."""

    name: str
    sent_by: str  # the admin who sent it
    has_password: bool  # True: the link replaces their password
    set_url: str
    login_url: str
    expires: str  # when the link stops working


def password_link_email(data: PasswordLinkEmail) -> Email:
    return _render("organizer_password", data)


@dataclass(frozen=True, slots=True)
class SessionLine:
    """A session as an email lists it, in the event's time zone."""

    title: str
    when: str
    where: str | None = None
    cancelled: bool = False


@dataclass(frozen=True, slots=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True, slots=True)
class MessageEmail:
    """What a notification email says: one template pair per kind of message
    (``email/message_<template>.txt`` and ``.html``, extending ``message.*``)."""

    template: str  # registered, approved, declined, promoted, ..., reminder, announcement
    subject: str
    name: str
    event_title: str
    event_url: str
    preferences_url: str  # signed, works without signing in (services.preferences)
    status: str | None = None  # the registration's, when it matters to the message
    waitlist_position: int | None = None
    sessions: tuple[SessionLine, ...] = ()  # the event's schedule as it is now
    session: SessionLine | None = None  # the one session a reminder or cancellation is about
    join_url: str | None = None  # confirmed attendees of online events only
    links: tuple[Link, ...] = ()  # e.g. a certificate's PDF and verification page
    invitation: str | None = None  # REQUEST or CANCEL: a calendar part is attached
    organizers: str | None = None  # the region answering replies (Reply-To), by name
    unsubscribe_url: str | None = None  # one-click, for the kinds that may be turned off
    list_name: str | None = None  # what that unsubscribes from: "reminder", "announcement"
    soon: str | None = None  # a reminder's "tomorrow" or "in an hour"
    paragraphs: tuple[str, ...] = ()  # an announcement's body
    sent_by: str | None = None  # an announcement's author


def message_email(data: MessageEmail) -> Email:
    env = _environment()
    context = asdict(data)
    return Email(
        subject=data.subject,
        text=env.get_template(f"message_{data.template}.txt").render(context),
        html=env.get_template(f"message_{data.template}.html").render(context),
    )


@dataclass(frozen=True, slots=True)
class MemberSignInEmail:
    """What the "sign in to your page" email to a member says."""

    name: str
    sign_in_url: str
    minutes: int  # how long the link works
    page_url: str  # /me, to ask for a new link


def member_sign_in_email(data: MemberSignInEmail) -> Email:
    return _render("member_sign_in", data)


def local_time(moment: datetime, timezone: str) -> str:
    """``Tuesday 8 December 2026, 09:00 MST``: the event's clock, with its zone."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = moment.astimezone(zone)
    return f"{local:%A} {local.day} {local:%B %Y, %H:%M} {local.tzname() or 'UTC'}"
