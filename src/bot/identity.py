"""Who a Slack user is in Convene: a member found by their profile email, and an organizer
when an organizer has that email.

The organization is recognised by the email's domain, as for every member; a domain no
organization claims is refused with a message that says what to do.

A linked Slack account (``slack_identity``) is trusted for ``IDENTITY_TTL``, then its
profile email is read again: someone whose email changed (who moved to another
organization, or left) acts as the member of the new address, or not at all.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.installations import require_installed_team
from bot.workspace import OTHER_WORKSPACE, OtherWorkspace
from events.auth import MemberPrincipal, OrganizerPrincipal, member_by_id, organizer_for_email
from events.db import fetch, fetch_one
from events.errors import Conflict
from events.schemas import MemberCreate
from events.services.members import create_member, email_domain, organization_for_email

logger = logging.getLogger("convene.bot")

IDENTITY_TTL = timedelta(hours=1)  # then users.info is asked again (one call per user)
# users.info answers that mean the account is gone: its link to a member goes too.
GONE = frozenset({"user_not_found", "account_inactive", "user_disabled"})


class NotRecognised(Exception):
    """This Slack user cannot act as a member yet; the message tells them why and what to do."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True, slots=True)
class SlackPerson:
    team_id: str
    user_id: str
    member: MemberPrincipal
    organizer: OrganizerPrincipal | None


async def person_for(client: AsyncWebClient, team_id: str, user_id: str) -> SlackPerson:
    try:
        await require_installed_team(team_id)
    except OtherWorkspace:
        raise NotRecognised("other_workspace", OTHER_WORKSPACE) from None
    member = await _known_member(client, team_id, user_id) or await _recognise(
        client, team_id, user_id
    )
    return SlackPerson(team_id, user_id, member, await organizer_for_email(member.email))


async def _known_member(
    client: AsyncWebClient, team_id: str, user_id: str
) -> MemberPrincipal | None:
    row = await fetch_one(
        "SELECT id, member, checked_at FROM slack_identity WHERE team_id = {} AND user_id = {}",
        team_id,
        user_id,
    )
    if row is None:
        return None
    now = datetime.now(UTC)
    if row["checked_at"] is None:  # linked before links expired: its clock starts now
        await fetch("UPDATE slack_identity SET checked_at = {} WHERE id = {}", now, row["id"])
    elif row["checked_at"] < now - IDENTITY_TTL:
        try:
            return await _recognise(client, team_id, user_id, relink=row["id"])
        except SlackApiError as error:
            if (error.response or {}).get("error") in GONE:
                await fetch("DELETE FROM slack_identity WHERE id = {}", row["id"])
                raise
            logger.warning("users.info failed, trusting the link of %s: %s", user_id, error)
        except NotRecognised:
            await fetch("DELETE FROM slack_identity WHERE id = {}", row["id"])
            raise
        except OSError as error:  # Slack unreachable: the link stays, checked next time
            logger.warning("users.info failed, trusting the link of %s: %s", user_id, error)
    return await member_by_id(row["member"])


async def _recognise(
    client: AsyncWebClient, team_id: str, user_id: str, *, relink: int | None = None
) -> MemberPrincipal:
    """First contact (or a link to check again, ``relink``): users.info gives the email
    (scope users:read.email)."""
    user = (await client.users_info(user=user_id))["user"]
    profile = user.get("profile") or {}
    email = (profile.get("email") or "").strip().lower()
    if not email:
        raise NotRecognised(
            "no_email",
            "I can't see an email address on your Slack profile, so I can't tell which "
            "member organization you belong to. Ask your workspace admin to show emails to "
            "apps, or register on the web instead.",
        )
    member_id = await _member_id_for_email(email)
    if member_id is None:
        # Organizers' own addresses may be the coalition's, not a member organization's.
        known = await organization_for_email(email) or await organizer_for_email(email)
        if known is None:
            raise NotRecognised(
                "unknown_domain",
                f"Your email domain *{email_domain(email)}* isn't linked to a coalition "
                "member organization yet. Ask your organization's coordinator to add the "
                "domain (or your region's organizers to add your organization), then try again.",
            )
        name = profile.get("real_name") or user.get("real_name") or user.get("name") or email
        member_id = await _create_member(name, email)
    now = datetime.now(UTC)
    if relink is not None:
        await fetch(
            "UPDATE slack_identity SET member = {}, checked_at = {} WHERE id = {}",
            member_id,
            now,
            relink,
        )
    else:
        await fetch(
            "INSERT INTO slack_identity (member, team_id, user_id, checked_at) "
            "VALUES ({}, {}, {}, {}) ON CONFLICT DO NOTHING",
            member_id,
            team_id,
            user_id,
            now,
        )
    member = await member_by_id(member_id)
    assert member is not None
    return member


async def _member_id_for_email(email: str) -> int | None:
    row = await fetch_one("SELECT id FROM member WHERE email = {}", email)
    return row["id"] if row else None


async def _create_member(name: str, email: str) -> int:
    try:
        return (await create_member(MemberCreate(name=name.strip()[:200], email=email))).id
    except Conflict:  # two first requests at once: the other one created it
        existing = await _member_id_for_email(email)
        assert existing is not None
        return existing


async def slack_users_of(member_id: int) -> list[tuple[str, str]]:
    """(team_id, user_id) of every Slack account linked to a member."""
    rows = await fetch(
        "SELECT team_id, user_id FROM slack_identity WHERE member = {} ORDER BY id DESC",
        member_id,
    )
    return [(row["team_id"], row["user_id"]) for row in rows]
