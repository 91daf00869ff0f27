"""Deleting a member's account on their request (POST /me/delete): their registrations are
cancelled and their personal data erased. README, "Your data", says the same to members.

In three steps, each safe to run again:

1. ``erased_at`` is set (one conditional UPDATE): from then on the member signs in
   nowhere, their sessions end, and no message is recorded or delivered to them
   (``notifications.wanted``).
2. Their active registrations are cancelled through ``seats.release``, the path every
   cancellation takes: a freed seat goes to the waitlist's head, who is told. The
   organization is still on the member row here, so its seat count is given back too.
3. One transaction erases the personal data:
   - the member row stays (certificates and registrations point at it) as
     "Erased member" with the address ``erased-<id>@invalid`` (unique, and no one's);
     the organization is cleared (with the attendance history it could point at a
     person); the calendar feed's salt and hash are cleared (the feed is gone);
   - Slack identities, API tokens, sign-in links and the web registration requests
     (email_confirmation: they hold the name and address) are deleted;
   - the registrations keep their event, status and dates, without the answers;
   - notifications keep kind, channel and delivery state, without the last error (a
     relay's error may quote the address);
   - each extension erases its own (``ConvenePlugin.erase_member``): the Slack bot its
     questions; certs keeps each certificate's printed snapshot (holder name and
     organization as printed, event title and kind, place, dates, credit hours, code,
     region, issue and revocation dates and reason category), so issued certificates
     still verify, and clears the organizers' private revocation note.

Should the process stop between the steps, ``finish_erasures`` (a periodic sweep) runs
steps 2 and 3 again for any member marked erased whose data is still there.
"""

from __future__ import annotations

from datetime import UTC, datetime

from events.db import fetch, fetch_one, write_transaction
from events.enums import RegistrationStatus
from events.errors import InvalidInput, NotFound
from events.extensions import installed
from events.services.seats import ACTIVE, release

ERASED_NAME = "Erased member"


def erased_email(member_id: int) -> str:
    """Unique (the column is) and nobody's: .invalid is reserved (RFC 2606)."""
    return f"erased-{member_id}@invalid"


async def delete_account(member_id: int, typed_email: str) -> None:
    """The member's own request; ``typed_email`` confirms it (their address, typed)."""
    row = await fetch_one("SELECT email FROM member WHERE id = {} AND erased_at IS NULL", member_id)
    if row is None:
        raise NotFound("No such member.")
    if typed_email.strip().lower() != row["email"].lower():
        raise InvalidInput(
            "Type your email address exactly as shown to confirm.",
            reason="confirmation_mismatch",
        )
    await fetch(
        "UPDATE member SET erased_at = {} WHERE id = {} AND erased_at IS NULL",
        datetime.now(UTC),
        member_id,
    )
    await erase(member_id)


async def erase(member_id: int) -> None:
    """Steps 2 and 3 for a member already marked erased."""
    active = await fetch(
        "SELECT id FROM registration WHERE member = {} AND status IN ("
        + ", ".join("{}" for _ in ACTIVE)
        + ")",
        member_id,
        *ACTIVE,
    )
    for registration in active:
        await release(registration["id"], RegistrationStatus.cancelled)
    async with write_transaction():
        member = await fetch_one(
            "SELECT email FROM member WHERE id = {} AND erased_at IS NOT NULL", member_id
        )
        if member is None:
            return
        for plugin in installed():
            await plugin.erase_member(member_id)
        await fetch(
            "DELETE FROM email_confirmation WHERE member = {} OR email = {}",
            member_id,
            member["email"],
        )
        for table in ("slack_identity", "api_token", "member_login"):
            await fetch(f"DELETE FROM {table} WHERE member = {{}}", member_id)
        await fetch("UPDATE registration SET answers = {} WHERE member = {}", "{}", member_id)
        await fetch(
            "UPDATE notification SET last_error = NULL WHERE registration IN "
            "(SELECT id FROM registration WHERE member = {})",
            member_id,
        )
        await fetch(
            "UPDATE member SET name = {}, email = {}, organization = NULL, "
            "calendar_salt = NULL, calendar_token_hash = NULL WHERE id = {}",
            ERASED_NAME,
            erased_email(member_id),
            member_id,
        )


async def finish_erasures() -> int:
    """Members marked erased whose data is still there (a stop between the steps)."""
    rows = await fetch(
        "SELECT id FROM member WHERE erased_at IS NOT NULL AND email NOT LIKE {}",
        "erased-%@invalid",
    )
    for row in rows:
        await erase(row["id"])
    return len(rows)
