"""Sending email: over SMTP when SMTP_URL is set, otherwise into a local outbox folder.

The embedded default writes each email as an ``.eml`` file (any mail program opens it)
under MAIL_OUTBOX_DIR and logs where, so a setup without a mail server still shows what
would have been sent. Callers send after their transaction has committed (see tasks.py).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path

from events.config import Settings, SmtpSettings, get_settings
from events.mail_policy import new_message
from events.notifier import PermanentDeliveryError
from events.text import ANY_CONTROL

logger = logging.getLogger("convene.mail")

# A header is one line: a title or name stored with a line break or a character pasted from
# Word would make EmailMessage refuse the whole message.
_HEADER_BREAKS = re.compile(f"(?:{ANY_CONTROL.pattern})+")


def build_message(
    sender: str,
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> EmailMessage:
    """A plain-text email, with an HTML alternative when one is given. ``headers``: more
    header lines (Reply-To, List-Unsubscribe...), each kept to one line."""
    message = new_message()  # headers parsed once for all messages (events.mail_policy)
    message["From"] = sender
    message["To"] = to
    message["Subject"] = header_text(subject)
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=_domain(sender))
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies, please
    for name, value in (headers or {}).items():
        message[name] = header_text(value)
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def _domain(address: str) -> str:
    return parseaddr(address)[1].rpartition("@")[2] or "localhost"


async def send_mail(to: str, subject: str, text: str, html: str | None = None) -> None:
    """Send one email; raises when the relay refuses it (the caller's task retries)."""
    settings = get_settings()
    await deliver(build_message(settings.mail_from, to, subject, text, html))


async def deliver(message: EmailMessage) -> None:
    """Hand a built message to the relay (or the outbox folder). Raises
    PermanentDeliveryError when the relay rejects the recipient for good (5xx), anything
    else when it may work later."""
    settings = get_settings()
    if settings.smtp is not None:
        await _send_smtp(settings.smtp, message)
    else:
        path = await asyncio.to_thread(write_to_outbox, settings, message)
        # The file says to whom; logs keep no addresses (README, "Operations").
        logger.info("mail written to %s", path)


async def _send_smtp(smtp: SmtpSettings, message: EmailMessage) -> None:
    import aiosmtplib  # only processes that send mail over SMTP need it

    from events.smtp_relay import relay_for

    try:
        await relay_for(smtp).send(message)  # over a connection kept open for the next
    except aiosmtplib.SMTPRecipientsRefused as exc:
        # Every recipient refused: permanent when the relay says so (5xx), else later.
        if all(refusal.code >= 500 for refusal in exc.recipients):
            raise PermanentDeliveryError(_refusals(exc)) from exc
        raise
    except aiosmtplib.SMTPSenderRefused:
        raise  # our From address: configuration, not the member's address


def _refusals(exc: Exception) -> str:
    return "; ".join(
        f"{refusal.recipient}: {refusal.code} {refusal.message}"
        for refusal in getattr(exc, "recipients", [])
    )


def write_to_outbox(settings: Settings, message: EmailMessage) -> Path:
    """Write atomically (temporary name, then rename) so a reader never sees half a file."""
    folder = settings.mail_outbox_dir
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    path = folder / f"{stamp}-{secrets.token_hex(4)}.eml"
    partial = path.with_suffix(".eml.part")
    partial.write_bytes(bytes(message))
    os.replace(partial, path)
    return path


def header_text(value: str) -> str:
    """The text on one header line: control characters and line breaks become spaces."""
    return _HEADER_BREAKS.sub(" ", value).strip()


def address(name: str, email: str) -> str:
    """``Name <email>``, quoted as the header needs it (the bare address if it can't be)."""
    username, _, domain = email.partition("@")
    try:
        return str(Address(display_name=header_text(name), username=username, domain=domain))
    except (ValueError, IndexError):
        return email
