"""What a member chooses about their messages: the channels (section 1 of issue 12:
``auto`` is Slack when linked, otherwise email) and whether reminder and announcement
emails come at all. Read and saved from the member page, or through the signed links
of ``preferences`` (no sign-in), including RFC 8058 one-click unsubscribe.

The choice is applied where messages are recorded (``notifications.wanted``), so a
change holds for every message recorded afterwards, and for those still waiting to be
delivered (``deliver`` asks again).
"""

from __future__ import annotations

from msgspec import Struct

from events.db import fetch, fetch_one
from events.enums import ChannelChoice
from events.errors import InvalidInput, NotFound
from events.services import preferences

LIST_LABELS = {"reminders": "reminder emails", "announcements": "announcement emails"}
LINK_NOT_VALID = (
    "This link is not valid: it may have been copied in part, or the account it was for "
    "no longer exists."
)


class Preferences(Struct):
    channels: ChannelChoice
    reminder_emails: bool
    announcement_emails: bool
    slack_linked: bool  # without a Slack identity, every message comes by email


class PreferencesUpdate(Struct):
    channels: ChannelChoice
    reminder_emails: bool
    announcement_emails: bool


async def current(member_id: int) -> Preferences:
    row = await fetch_one(
        "SELECT m.notify_channels, m.reminder_emails, m.announcement_emails, "
        "EXISTS (SELECT 1 FROM slack_identity s WHERE s.member = m.id) AS slack_linked "
        "FROM member m WHERE m.id = {} AND m.erased_at IS NULL",
        member_id,
    )
    if row is None:
        raise NotFound("No such member.")
    return Preferences(
        channels=ChannelChoice(row["notify_channels"]),
        reminder_emails=bool(row["reminder_emails"]),
        announcement_emails=bool(row["announcement_emails"]),
        slack_linked=bool(row["slack_linked"]),
    )


def parse_update(channels: str, reminder_emails: bool, announcement_emails: bool):
    """A form's values as an update (InvalidInput for an unknown channel choice)."""
    try:
        choice = ChannelChoice(channels)
    except ValueError:
        raise InvalidInput(
            "Choose how messages reach you: auto, slack, email or both.",
            reason="invalid_channel",
        ) from None
    return PreferencesUpdate(choice, reminder_emails, announcement_emails)


async def save(member_id: int, update: PreferencesUpdate) -> Preferences:
    await fetch(
        "UPDATE member SET notify_channels = {}, reminder_emails = {}, announcement_emails = {} "
        "WHERE id = {} AND erased_at IS NULL",
        update.channels.value,
        update.reminder_emails,
        update.announcement_emails,
        member_id,
    )
    return await current(member_id)


async def member_of_link(token: str) -> int:
    """The member a signed preferences link is for; NotFound when it is not valid (made
    up, altered, or its member erased: the signature covers the email)."""
    member_id = preferences.member_id_of(token)
    row = None
    if member_id is not None:
        row = await fetch_one(
            "SELECT email FROM member WHERE id = {} AND erased_at IS NULL", member_id
        )
    if member_id is None or row is None or not preferences.is_valid(token, member_id, row["email"]):
        raise NotFound(LINK_NOT_VALID)
    return member_id


def list_column(name: str) -> str:
    column = preferences.LIST_COLUMNS.get(name)
    if column is None:
        raise InvalidInput(
            "Unknown list: use list=reminders or list=announcements.", reason="unknown_list"
        )
    return column


async def unsubscribe(token: str, list_name: str) -> str:
    """Turn one kind of email off (one-click, RFC 8058); what was turned off, in words.
    Doing it twice is harmless."""
    column = list_column(list_name)
    member_id = await member_of_link(token)
    await fetch(f"UPDATE member SET {column} = {{}} WHERE id = {{}}", False, member_id)
    return LIST_LABELS[list_name]
