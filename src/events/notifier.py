"""Where notifications go. The default logs them; the Slack bot installs its own later."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from events.enums import NotificationKind

logger = logging.getLogger("convene.notify")


@dataclass(frozen=True, slots=True)
class Message:
    notification_id: int
    kind: NotificationKind
    registration_id: int
    subject: int | None  # the session of a reminder, the certificate of certificate_issued
    member_id: int
    member_name: str
    member_email: str
    event_slug: str
    event_title: str


class Notifier(Protocol):
    async def send(self, message: Message) -> None: ...


class LogNotifier:
    async def send(self, message: Message) -> None:
        logger.info(
            "notify %s: %s <%s> for %s (registration %s)",
            message.kind.value,
            message.member_name,
            message.member_email,
            message.event_slug,
            message.registration_id,
        )


_notifier: Notifier = LogNotifier()


def set_notifier(notifier: Notifier) -> None:
    global _notifier
    _notifier = notifier


def get_notifier() -> Notifier:
    return _notifier
