"""Signing in to the member page (/me) with a one-time link: no password.

Two ways to get a link, one way to use it:

- ``request_link``: the sign-in form asks for one by email. The answer is the same
  whether or not the address belongs to a member (nobody learns who is registered);
  only a member's address gets a row, and its email goes out through the outbox after
  the commit (tasks.send_member_login). As with confirmation emails, the token is made
  when the email is sent (``send``), so neither the database nor the queue holds one.
- ``issue_link``: the Slack bot hands the member a link at once (``via`` slack); the
  token goes straight into the ephemeral reply.
- ``check`` (the GET page with a "Sign in" button: changes nothing, since mail scanners
  open links) and ``consume`` (the button's POST): one conditional UPDATE spends the link,
  so it signs in once, however many requests race for it.

A link works for ``LINK_LIFETIME`` (15 minutes): long enough to switch to the mail app,
short enough that one left in an inbox is dead. Only its SHA-256 is stored. Links of an
erased member stop working (``erased_at``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from events import emails, mail, tasks
from events.auth import hash_token
from events.config import get_settings
from events.db import fetch_one
from events.enums import Channel
from events.errors import Gone, InvalidInput, NotFound
from events.ratelimit import Limit, RateLimited, limiter
from events.services.confirmation_emails import new_link_token
from events.services.email_registrations import EMAIL, TOKEN_LENGTH
from events.services.outbox import Outbox

LINK_LIFETIME = timedelta(minutes=15)
SIGN_IN_PATH = "/me/sign-in/"
PAGE_PATH = "/me"
# Unused, unexpired emailed links only: the bot's links are never sent by the outbox.
OUTBOX = Outbox(
    "member_login", still_wanted="via = 'email' AND used_at IS NULL AND expires_at > {}"
)
NOT_VALID = "This sign-in link is not valid. Check that the whole link was copied."
USED = "This sign-in link has been used already. Ask for a new one on your page."
EXPIRED = "This sign-in link has expired (links work for 15 minutes). Ask for a new one."


def _now() -> datetime:
    return datetime.now(UTC)


def sign_in_url(token: str) -> str:
    return f"{get_settings().base_url}{SIGN_IN_PATH}{token}"


def checked_address(email: str) -> str:
    address = email.strip().lower()
    if len(address) > 320 or not EMAIL.match(address):
        raise InvalidInput("Enter an email address like name@example.org.", reason="invalid_email")
    return address


async def request_link(email: str, client: str) -> None:
    """Email a sign-in link if the address is a member's; the same answer either way.
    Raises InvalidInput for a malformed address and RateLimited (429) when the client,
    or this address, asked too often; both are counted for unknown addresses too, so the
    limits say nothing about who is a member."""
    address = checked_address(email)
    limits = get_settings().rate_limits
    per_client = Limit("member-link:client", limits.member_links_per_client, 3600)
    if not await limiter().take(per_client, client):
        raise RateLimited(
            "Too many sign-in links asked from your connection. Try again in an hour.",
            reason="too_many_links_client",
        )
    per_address = Limit("member-link:address", limits.member_links_per_address, 3600)
    if not await limiter().take(per_address, address):
        raise RateLimited(
            "Several sign-in links went to this address in the last hour. Use the latest "
            "one, or try again in an hour.",
            reason="too_many_links_address",
        )
    member = await fetch_one(
        "SELECT id FROM member WHERE email = {} AND erased_at IS NULL", address
    )
    if member is None:
        return  # the same answer: nobody learns whether the address is a member's
    now = _now()
    row = await fetch_one(
        "INSERT INTO member_login (member, via, created_at, expires_at, attempts) "
        "VALUES ({}, 'email', {}, {}, 0) RETURNING id",
        member["id"],
        now,
        now + LINK_LIFETIME,
    )
    assert row is not None
    await tasks.enqueue_member_login(row["id"])


async def due_for_sending(older_than: timedelta, limit: int = 500) -> list[int]:
    return await OUTBOX.due(older_than, limit)


async def send(login_id: int) -> bool:
    """Email one sign-in link at most once; False when it was sent, claimed elsewhere,
    used or expired, or failed and waits for a retry (with a fresh token)."""
    token = new_link_token()
    claimed = await OUTBOX.claim(login_id, "id, member", token_hash=hash_token(token))
    if claimed is None:
        return False
    member = await fetch_one(
        "SELECT name, email FROM member WHERE id = {} AND erased_at IS NULL", claimed["member"]
    )
    if member is None:  # erased since: nothing to send
        await OUTBOX.sent(login_id)
        return False
    message = emails.member_sign_in_email(
        emails.MemberSignInEmail(
            name=member["name"],
            sign_in_url=sign_in_url(token),
            minutes=int(LINK_LIFETIME.total_seconds() // 60),
            page_url=f"{get_settings().base_url}{PAGE_PATH}",
        )
    )
    return await OUTBOX.attempt(
        login_id,
        "member sign-in link by email",
        lambda: mail.send_mail(
            mail.address(member["name"], member["email"]),
            message.subject,
            message.text,
            message.html,
        ),
    )


async def issue_link(member_id: int, via: Channel) -> str:
    """A sign-in link handed out directly (the Slack bot): its URL, made once, never
    stored; the row counts as sent, so the outbox leaves it alone."""
    token = new_link_token()
    now = _now()
    await fetch_one(
        "INSERT INTO member_login (member, via, token_hash, created_at, expires_at, sent_at, "
        "attempts) VALUES ({}, {}, {}, {}, {}, {}, 0) RETURNING id",
        member_id,
        via.value,
        hash_token(token),
        now,
        now + LINK_LIFETIME,
        now,
    )
    return sign_in_url(token)


async def check(token: str) -> None:
    """Whether the link would sign in now (the page with the button); raises NotFound
    or Gone with the reason otherwise. Changes nothing."""
    row = await _row(token)
    _refuse_if_spent(row)


async def consume(token: str) -> int:
    """Spend the link and return its member's id: one conditional UPDATE, so two
    concurrent presses of the button sign in once."""
    now = _now()
    spent = None
    if len(token) == TOKEN_LENGTH:
        spent = await fetch_one(
            "UPDATE member_login SET used_at = {} WHERE token_hash = {} AND used_at IS NULL "
            "AND expires_at > {} AND member IN (SELECT id FROM member WHERE erased_at IS NULL) "
            "RETURNING member",
            now,
            hash_token(token),
            now,
        )
    if spent is not None:
        return spent["member"]
    _refuse_if_spent(await _row(token))
    raise NotFound(NOT_VALID)  # raced with an erasure: the member is gone


async def _row(token: str) -> dict:
    row = None
    if len(token) == TOKEN_LENGTH:
        row = await fetch_one(
            "SELECT l.used_at, l.expires_at, m.erased_at FROM member_login l "
            "JOIN member m ON m.id = l.member WHERE l.token_hash = {}",
            hash_token(token),
        )
    if row is None or row["erased_at"] is not None:
        raise NotFound(NOT_VALID)
    return row


def _refuse_if_spent(row: dict) -> None:
    if row["used_at"] is not None:
        raise Gone(USED, reason="link_used")
    if row["expires_at"] <= _now():
        raise Gone(EXPIRED, reason="link_expired")
