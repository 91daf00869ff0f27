"""The whole set, in a fixed order."""

from __future__ import annotations

from tests.bot.question_set import questions_events, questions_people
from tests.bot.question_set.model import Question

QUESTIONS: list[Question] = [*questions_events.QUESTIONS, *questions_people.QUESTIONS]
