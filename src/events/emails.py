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
    return message


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
