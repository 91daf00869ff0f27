"""Notifications by email: composed from the database as it is at sending time
(email_messages), built by the pure builders in events.emails and
events.calendar.invitations, and handed to the relay by events.mail."""

from __future__ import annotations

from events import emails, mail
from events.config import get_settings
from events.notifier import Message
from events.services.email_messages import compose


class EmailChannel:
    async def send(self, message: Message) -> bool:
        outgoing = await compose(message)
        if outgoing is None:
            return False  # nothing worth saying any more
        settings = get_settings()
        await mail.deliver(
            emails.build_email(
                outgoing,
                sender=settings.mail_from,
                to=mail.address(message.member_name, message.member_email),
            )
        )
        return True
