"""Notifications as Slack direct messages. The outbox (events.services.notifications) calls
``send`` once per notification, from the task queue, after the commit that caused it."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks import escape, status_line
from bot.identity import slack_users_of
from bot.installations import client_for
from certs.documents import pdf_url, verify_url
from events.db import fetch_one
from events.enums import NotificationKind
from events.formatting import session_when, starts_in
from events.notifier import Message, PermanentDeliveryError
from events.services import announcements, catalog
from events.services.registrations import load_registration

logger = logging.getLogger("convene.bot")


# Slack's answers that no retry will change: the user or the DM is gone for good.
PERMANENT_ERRORS = frozenset(
    {
        "user_not_found",
        "users_not_found",
        "channel_not_found",
        "account_inactive",
        "user_disabled",
        "cannot_dm_bot",
        "is_archived",
    }
)


class SlackNotifier:
    """Direct messages to the member's Slack account. A member whose account was unlinked
    since the message was recorded is skipped (nothing to send is not a failure)."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client  # the one workspace's; with OAuth installs, the fallback

    async def send(self, message: Message) -> bool:
        accounts = await slack_users_of(message.member_id)
        if not accounts:
            logger.info(
                "notify %s: member %s has no Slack account", message.kind, message.member_id
            )
            return False
        text = await compose(message)
        if text is None:
            return False
        team_id, user_id = accounts[0]
        client = await client_for(team_id, self.client)
        try:
            # chat.postMessage to a user id opens (or reuses) the app's DM with them.
            await client.chat_postMessage(channel=user_id, text=text, unfurl_links=False)
        except SlackApiError as exc:
            error = exc.response.get("error") if exc.response is not None else None
            if error in PERMANENT_ERRORS:
                raise PermanentDeliveryError(f"Slack: {error}") from exc
            raise
        return True


async def compose(message: Message) -> str | None:
    """The message for one notification, from the database as it is now."""
    title = f"*<{catalog.event_url(message.event_slug)}|{escape(message.event_title)}>*"
    kind = message.kind
    if kind in REGISTRATION_NEWS:
        record = await load_registration(message.registration_id)
        status = record.row["status"]
        if status == "declined" and kind is not NotificationKind.promoted:
            return f":no_entry: The organizers declined your registration for {title}."
        if kind is NotificationKind.declined or status not in REGISTRATION_NEWS[kind]:
            return None  # moved on meanwhile: nothing worth saying
        lead = LEADS.get(kind, "")
        return f"{lead}{status_line(status, record.waitlist_position)} for {title}."
    if kind is NotificationKind.registration_cancelled:
        record = await load_registration(message.registration_id)
        if record.row["status"] != "cancelled":
            return None  # registered again meanwhile
        return f":wastebasket: Your registration for {title} has been cancelled."
    if kind is NotificationKind.session_cancelled:
        return await _session_cancelled(message, title)
    if kind is NotificationKind.announcement:
        return await _announcement(message, title)
    if kind is NotificationKind.event_changed:
        return f":pencil2: {title} has changed (time or place). `/events show {message.event_slug}`"
    if kind is NotificationKind.event_cancelled:
        return f":no_entry: {title} has been cancelled. We're sorry for the trouble."
    if kind in (NotificationKind.reminder_24h, NotificationKind.reminder_1h):
        return await _reminder(message, title)
    if kind is NotificationKind.certificate_issued:
        return await _certificate(message, title)
    return None


# The statuses each kind of registration news may still announce when it is sent.
REGISTRATION_NEWS = {
    NotificationKind.registered: ("confirmed", "waitlisted", "pending"),
    NotificationKind.approved: ("confirmed", "waitlisted"),
    NotificationKind.promoted: ("confirmed",),
    NotificationKind.declined: ("declined",),
}
LEADS = {
    NotificationKind.promoted: ":tada: Good news: a seat opened up. ",
    NotificationKind.approved: ":white_check_mark: An organizer approved your registration. ",
}


async def _session_cancelled(message: Message, title: str) -> str | None:
    session = await fetch_one(
        "SELECT s.title, s.starts_at, s.ends_at, e.timezone, e.status AS event_status, "
        "r.status AS registration_status FROM event_session s JOIN event e ON e.id = s.event "
        "JOIN registration r ON r.id = {} WHERE s.id = {}",
        message.registration_id,
        message.subject,
    )
    if session is None or session["event_status"] != "published":
        return None  # a cancelled event says so itself
    if session["registration_status"] not in ("confirmed", "waitlisted", "pending"):
        return None
    when = session_when(session["starts_at"], session["ends_at"], session["timezone"])
    return (
        f":no_entry_sign: A session of {title} has been cancelled: "
        f"{escape(session['title'])} ({when}). `/events show {message.event_slug}`"
    )


async def _announcement(message: Message, title: str) -> str | None:
    if message.subject is None:
        return None
    said = await announcements.content(message.subject)
    if said is None:
        return None
    author = f" ({escape(said.sent_by)})" if said.sent_by else ""
    return (
        f":mega: *{escape(said.subject)}*\nFrom the organizers of {title}{author}:\n\n"
        f"{escape(said.body)}"
    )


async def _reminder(message: Message, title: str) -> str | None:
    session = await fetch_one(
        "SELECT s.title, s.starts_at, s.ends_at, s.status, s.location_name, e.timezone, "
        "e.venue_name, e.online_url, e.status AS event_status, r.status AS registration_status "
        "FROM event_session s JOIN event e ON e.id = s.event JOIN registration r ON r.id = {} "
        "WHERE s.id = {}",
        message.registration_id,
        message.subject,
    )
    # Recorded earlier, delivered now: the session, event or registration may be gone since.
    if session is None or (
        session["status"],
        session["event_status"],
        session["registration_status"],
    ) != ("scheduled", "published", "confirmed"):
        return None
    soon = starts_in(session["starts_at"], datetime.now(UTC), session["timezone"]).phrase
    where = session["location_name"] or session["venue_name"]
    lines = [
        f":alarm_clock: Reminder: {title} starts {soon}.",
        f"{escape(session['title'])}: "
        f"{session_when(session['starts_at'], session['ends_at'], session['timezone'])}",
    ]
    if where:
        lines.append(f":round_pushpin: {escape(where)}")
    if session["online_url"]:  # a DM to a confirmed attendee: the join link may go here
        lines.append(f":link: Join: {session['online_url']}")
    return "\n".join(lines)


async def _certificate(message: Message, title: str) -> str | None:
    certificate = await fetch_one(
        "SELECT code, status FROM certificate WHERE id = {}", message.subject
    )
    if certificate is None or certificate["status"] != "valid":
        return None
    code = certificate["code"]
    download = pdf_url(code)
    return (
        f":mortar_board: Your certificate for {title} is ready: <{download}|download the PDF> "
        f"· <{verify_url(code)}|verification page> (share it with your employer or board)."
    )
