"""Reading the notification emails the SMTP server on loopback received: their MIME layout,
headers and calendar invitation, each calendar read by three independent parsers
(icalendar, the strict `ical` package and Mozilla's ical.js)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from email.message import EmailMessage

import icalendar

from events.config import get_settings
from tests.support import strict_ical
from tests.support.icaljs import IcalJs
from tests.support.smtp import Received, SmtpServer

WAIT = 15  # seconds: a worker process may be the one sending


def layout(message: EmailMessage) -> list[str]:
    """The MIME tree as "type" lines, nested parts indented, attachments marked."""
    lines = []

    def walk(part: EmailMessage, depth: int) -> None:
        label = part.get_content_type()
        if part.get_content_type() == "text/calendar":
            label += f"; method={part.get_param('method')}"
        if part.get_content_disposition() == "attachment":
            label += f" (attachment {part.get_filename()})"
        lines.append("  " * depth + label)
        if part.is_multipart():
            for child in part.iter_parts():
                walk(child, depth + 1)

    walk(message, 0)
    return lines


PLAIN_LAYOUT = ["multipart/alternative", "  text/plain", "  text/html"]


def invitation_layout(method: str) -> list[str]:
    """What Outlook needs (RFC 6047): the calendar as an alternative and as an attachment."""
    return [
        "multipart/mixed",
        "  multipart/alternative",
        "    text/plain",
        "    text/html",
        f"    text/calendar; method={method}",
        "  application/ics (attachment invite.ics)",
    ]


def calendar_bytes(message: EmailMessage) -> bytes:
    """The text/calendar alternative, checked to equal the invite.ics attachment."""
    [alternative] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert alternative.get_content_charset() == "utf-8"
    [attachment] = [p for p in message.walk() if p.get_filename() == "invite.ics"]
    data = alternative.get_payload(decode=True)
    assert attachment.get_payload(decode=True) == data
    return data


def read_calendar(data: bytes, icaljs: IcalJs) -> tuple[icalendar.Calendar, dict]:
    """The calendar as icalendar and as ical.js read it; the strict reader must accept it."""
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")  # CRLF lines only
    strict = strict_ical.parse(data)
    assert len(strict.events) >= 1
    calendar = icalendar.Calendar.from_ical(data)
    read = icaljs.parse(data)
    assert len(read["events"]) == len(calendar.walk("VEVENT")) == len(strict.events)
    return calendar, read


async def mail(
    smtp: SmtpServer, to: str, subject: str, count: int = 1, timeout: float = WAIT
) -> list[Received]:
    """The emails to ``to`` whose Subject holds ``subject``, once there are ``count``."""
    found = await smtp.wait_for(to, count=count, subject=subject, timeout=timeout)
    assert len(found) >= count, (
        f"{len(found)} email(s) to {to} about {subject!r}; got "
        f"{[str(r.message['Subject']) for r in smtp.received(to)]}"
    )
    return found


@contextlib.contextmanager
def sending_from_tests(base_url: str, smtp: SmtpServer) -> Iterator[None]:
    """Let this process deliver notifications as the server would (same BASE_URL, same
    relay), for messages the tests record themselves (reminders at a fixed instant)."""
    saved = {name: os.environ.get(name) for name in ("BASE_URL", "SMTP_URL")}
    os.environ.update(BASE_URL=base_url, SMTP_URL=smtp.url)
    get_settings.cache_clear()
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        get_settings.cache_clear()
