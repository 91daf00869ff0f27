"""Where messages go: one sender per channel (events.enums.Channel).

The core sends email itself (events.services.email_channel); the Slack bot registers the
Slack sender when it starts. A channel with no sender logs what it would have sent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from events.enums import Channel, NotificationKind

logger = logging.getLogger("convene.notify")


@dataclass(frozen=True, slots=True)
class Message:
    notification_id: int
    kind: NotificationKind
    registration_id: int
    subject: int | None  # the session of a reminder, the certificate, the announcement
    member_id: int
    member_name: str
    member_email: str
    event_slug: str
    event_title: str
    channel: Channel = Channel.slack


class PermanentDeliveryError(Exception):
    """Sending can never succeed (an unknown Slack user, an address the relay rejects):
    the outbox gives the message up and shows the error to the organizers. Any other
    exception is transient, and the message is tried again after a backoff."""


class Notifier(Protocol):
    async def send(self, message: Message) -> bool:
        """Deliver one message; False when there was nothing worth saying any more."""
        ...


class LogNotifier:
    async def send(self, message: Message) -> bool:
        logger.info(  # ids, not the member's name or address: logs keep no personal data
            "notify %s by %s: member %s for %s (registration %s)",
            message.kind.value,
            message.channel.value,
            message.member_id,
            message.event_slug,
            message.registration_id,
        )
        return True


_senders: dict[Channel, Notifier] = {}
_fallback = LogNotifier()


def set_sender(channel: Channel, notifier: Notifier) -> None:
    _senders[channel] = notifier


def sender_for(channel: Channel) -> Notifier:
    return _senders.get(channel, _fallback)


def set_notifier(notifier: Notifier) -> None:
    """The Slack sender (the bot's name for it)."""
    set_sender(Channel.slack, notifier)


def get_notifier() -> Notifier:
    return sender_for(Channel.slack)
