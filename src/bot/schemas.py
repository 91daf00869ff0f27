"""msgspec Structs of the FAQ and questions API (organizers curate what the bot answers)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import Meta, Struct

from bot.enums import FaqScope, QuestionStatus
from events.schemas import Slug

# Blank or whitespace-only text is refused by the service (422, reason empty_question or
# empty_answer), so that "" and "  " get the same answer; the lengths are checked here.
FaqQuestion = Annotated[str, Meta(max_length=500, description="1 to 500 characters")]
FaqAnswer = Annotated[str, Meta(max_length=4000, description="1 to 4000 characters")]


class FaqEntry(Struct):
    id: int
    scope: FaqScope
    event: str | None  # the event's slug, for event entries
    region: str | None  # the region's slug, for region entries
    question: str
    answer: str
    created_at: datetime
    created_by: str  # the organizer's Slack user id, or "organizer:<id>" from this API


class FaqEntryCreate(Struct, forbid_unknown_fields=True):
    scope: FaqScope
    question: FaqQuestion
    answer: FaqAnswer
    event: Slug | None = None  # required for (and only for) scope "event"
    region: Slug | None = None  # required for (and only for) scope "region"


class FaqEntryUpdate(Struct, forbid_unknown_fields=True, omit_defaults=True):
    question: FaqQuestion | msgspec.UnsetType = msgspec.UNSET
    answer: FaqAnswer | msgspec.UnsetType = msgspec.UNSET


class PendingQuestion(Struct):
    """A member's question as organizers triage it: who asked is their Slack user only."""

    id: int
    event: str | None  # the event's slug, when the question is about one
    text: str
    status: QuestionStatus
    asked_at: datetime
    channel_id: str
    user_id: str
