"""Notifications by email: composed from the database as it is at sending time, built by
the pure builders in events.emails, and handed to the relay by events.mail."""

from __future__ import annotations

from events import emails, mail
from events.config import get_settings
from events.notifier import Message


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


async def compose(message: Message) -> emails.OutgoingEmail | None:
    """The email for one notification (placeholder: replaced by the full composer)."""
    text = f"Hello {message.member_name},\n\n{message.kind.value}: {message.event_title}\n"
    return emails.OutgoingEmail(
        email=emails.Email(subject=message.event_title, text=text, html=f"<p>{text}</p>")
    )
