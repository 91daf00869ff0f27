"""Emailed links with which an organizer sets their own console password.

The link itself is stateless: nothing of it is stored. Sending one records an outbox row
(``organizer_invitation``); the worker makes the link and emails it, retrying while the
relay is down (events.services.outbox), so an admin's "send" never fails on the relay.
A link's token is
``<organizer id>.<expires>.<made>.<bound>`` (``expires`` in Unix seconds), where

- ``made``  = HMAC(SECRET_KEY, "organizer-password-link:made:<id>:<expires>") proves that
  this server made the link: a made-up or altered link is not found (404);
- ``bound`` = HMAC(SECRET_KEY, "organizer-password-link:bound:<id>:<expires>:<fingerprint>")
  ties it to the organizer's password when it was sent (``auth.password_fingerprint`` of
  the hash, or ``NO_PASSWORD``): setting a password changes the fingerprint, so a link works
  once, and a newer password (by any route) retires older links. Used, expired, or the
  organizer deactivated: gone (410).

The prefixes keep these MACs apart from every other use of SECRET_KEY (form_tokens.py signs
"form:..."). Each MAC is cut to 128 bits, plenty against guessing and a shorter link.
Opening the link (GET) changes nothing, since mail scanners prefetch links; only the
form's POST sets the password.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from events import emails, mail, tasks
from events.auth import OrganizerPrincipal, password_fingerprint, require_admin
from events.config import get_settings
from events.db import fetch_one
from events.errors import Conflict, Gone, InvalidInput, NotFound
from events.ratelimit import Limit, RateLimited, limiter
from events.services import organizers
from events.services.outbox import Outbox

logger = logging.getLogger("convene.password_links")
OUTBOX = Outbox("organizer_invitation")

LINK_LIFETIME = timedelta(hours=48)
LINK_PATH = "/console/password/"
NO_PASSWORD = "no-password"  # the fingerprint of an organizer without a password yet
_PREFIX = "organizer-password-link"
NOT_VALID = (
    "This password link is not valid. Check that the whole link was copied from the email, "
    "or ask a coalition admin to send a new one."
)
EXPIRED = "This password link has expired. Ask a coalition admin to send a new one."
USED = (
    "This password link has been used already (or a newer password was set since). "
    "Log in with your password, or ask a coalition admin to send a new link."
)


@dataclass(frozen=True, slots=True)
class LinkHolder:
    """The organizer a valid link is for."""

    id: int
    name: str
    email: str
    password_hash: str | None


def _mac(*parts: object) -> str:
    key = get_settings().secret_key.encode()
    message = ":".join([_PREFIX, *map(str, parts)]).encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _fingerprint(password_hash: str | None) -> str:
    return password_fingerprint(password_hash) if password_hash else NO_PASSWORD


def password_link_token(
    organizer_id: int, password_hash: str | None, now: datetime | None = None
) -> str:
    """A token valid for LINK_LIFETIME from ``now``, while the password stays unchanged."""
    expires = int(((now or datetime.now(UTC)) + LINK_LIFETIME).timestamp())
    made = _mac("made", organizer_id, expires)
    bound = _mac("bound", organizer_id, expires, _fingerprint(password_hash))
    return f"{organizer_id}.{expires}.{made}.{bound}"


def link_expiry(token: str) -> datetime:
    """When a token made by ``password_link_token`` stops working."""
    return datetime.fromtimestamp(int(token.split(".")[1]), UTC)


async def organizer_for_password_token(token: str, now: datetime | None = None) -> LinkHolder:
    """The organizer whose password the link may set; NotFound for a link this server did
    not make, Gone for an expired or used one, or a deactivated organizer's."""
    parts = token.split(".")
    if len(parts) != 4 or not (parts[0].isdigit() and parts[1].isdigit()):
        raise NotFound(NOT_VALID, reason="invalid_link")
    organizer_id, expires, made, bound = int(parts[0]), int(parts[1]), parts[2], parts[3]
    if not hmac.compare_digest(_mac("made", organizer_id, expires), made):
        raise NotFound(NOT_VALID, reason="invalid_link")
    if (now or datetime.now(UTC)).timestamp() >= expires:
        raise Gone(EXPIRED, reason="expired")
    row = await fetch_one(
        "SELECT id, name, email, active, password_hash FROM organizer WHERE id = {}",
        organizer_id,
    )
    if row is None:
        raise NotFound(NOT_VALID, reason="invalid_link")
    if not row["active"]:
        raise Gone("This organizer account is deactivated.", reason="inactive")
    expected = _mac("bound", organizer_id, expires, _fingerprint(row["password_hash"]))
    if not hmac.compare_digest(expected, bound):
        raise Gone(USED, reason="used")
    return LinkHolder(row["id"], row["name"], row["email"], row["password_hash"])


async def set_password_with_link(
    token: str, password: str, repeated: str, now: datetime | None = None
) -> None:
    """Set the password the link is for; the link stops working with it."""
    holder = await organizer_for_password_token(token, now)
    if password != repeated:
        raise InvalidInput("The two passwords are not the same.", reason="password_mismatch")
    try:
        # Only over the password the link was made for: a second press at the same moment
        # finds it changed and is refused.
        await organizers.set_password(holder.email, password, replacing=holder.password_hash)
    except Gone as exc:
        raise Gone(USED, reason="used") from exc


async def send_password_link(
    admin: OrganizerPrincipal, organizer_id: int, client: str, now: datetime | None = None
) -> str:
    """Email an active organizer a link to set their password; the address it goes to.
    Recorded in the outbox and sent by a task after the commit, retried while the relay is
    down (``send_invitation``), so the admin never waits on the relay; too many links from
    the ``client`` or to the organizer are RateLimited (429)."""
    require_admin(admin)
    row = await fetch_one(
        "SELECT id, email, active FROM organizer WHERE id = {}",
        organizer_id,
    )
    if row is None:
        raise NotFound("There is no such organizer.")
    if not row["active"]:
        raise Conflict("This organizer is deactivated: reactivate them first.", reason="inactive")
    await _count_link(client, row["id"])
    invitation = await fetch_one(
        "INSERT INTO organizer_invitation (organizer, sent_by_name, created_at, attempts) "
        "VALUES ({}, {}, {}, 0) RETURNING id",
        row["id"],
        admin.name[:200],
        now or datetime.now(UTC),
    )
    assert invitation is not None
    await tasks.enqueue_invitation(invitation["id"])
    return row["email"]


async def due_for_sending(older_than: timedelta, limit: int = 500) -> list[int]:
    return await OUTBOX.due(older_than, limit)


async def send_invitation(invitation_id: int) -> bool:
    """Email one password link at most once; False when it was sent or claimed elsewhere,
    or failed and waits for a retry. The link is made now, for the password the organizer
    has now (so a retry hours later still sends a link that works for 48 hours)."""
    claimed = await OUTBOX.claim(invitation_id, "id, organizer, sent_by_name")
    if claimed is None:
        return False
    row = await fetch_one(
        "SELECT id, name, email, active, password_hash FROM organizer WHERE id = {}",
        claimed["organizer"],
    )
    if row is None or not row["active"]:  # deactivated since: nothing to send
        await OUTBOX.sent(invitation_id)
        return False
    token = password_link_token(row["id"], row["password_hash"])
    base = get_settings().base_url
    message = emails.password_link_email(
        emails.PasswordLinkEmail(
            name=row["name"],
            sent_by=claimed["sent_by_name"],
            has_password=bool(row["password_hash"]),
            set_url=f"{base}{LINK_PATH}{token}",
            login_url=f"{base}/console/login",
            expires=emails.local_time(link_expiry(token), "UTC"),
        )
    )
    return await OUTBOX.attempt(
        invitation_id,
        "organizer password link by email",
        lambda: mail.send_mail(
            mail.address(row["name"], row["email"]), message.subject, message.text, message.html
        ),
    )


async def latest_invitation(organizer_id: int) -> dict | None:
    """The newest link sent to an organizer, with its delivery state (for the console)."""
    return await fetch_one(
        "SELECT created_at, sent_at, failed_at, attempts, next_attempt_at, last_error "
        "FROM organizer_invitation WHERE organizer = {} ORDER BY id DESC LIMIT 1",
        organizer_id,
    )


async def _count_link(client: str, organizer_id: int) -> None:
    """Both limits are checked before either counts: a refused link costs nothing."""
    limits, counters = get_settings().rate_limits, limiter()
    per_client = Limit("password-link:client", limits.password_links_per_client, 3600)
    per_organizer = Limit("password-link:organizer", limits.password_links_per_organizer, 3600)
    if await counters.exceeded(per_client, client):
        raise RateLimited(
            "Too many password links sent from your connection. Try again in an hour.",
            reason="too_many_emails",
        )
    if await counters.exceeded(per_organizer, str(organizer_id)):
        raise RateLimited(
            "This organizer was sent several links in the last hour: ask them to check "
            "their inbox, or try again later.",
            reason="too_many_emails",
        )
    await counters.hit(per_client, client)
    await counters.hit(per_organizer, str(organizer_id))
