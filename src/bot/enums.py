from enum import StrEnum


class FaqScope(StrEnum):
    event = "event"
    region = "region"
    coalition = "coalition"


class QuestionStatus(StrEnum):
    answered = "answered"  # by the bot, from the event's data or the FAQ
    escalated = "escalated"  # waiting for an organizer
    resolved = "resolved"  # an organizer answered
