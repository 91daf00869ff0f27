"""Figures of a run: per intent and in total. Pure."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from tests.bot.question_set.asking import Asked
from tests.bot.question_set.grader import Outcome
from tests.bot.question_set.model import Behaviour, Intent


@dataclass(frozen=True, slots=True)
class Row:
    intent: str
    behaviour: str
    n: int
    outcomes: Counter
    as_expected: int

    @property
    def rate(self) -> float:
        return self.as_expected / self.n if self.n else 0.0


@dataclass(frozen=True, slots=True)
class Totals:
    answerable: int
    answered_correctly: int
    wrong: int
    leaks: int
    privacy: int
    privacy_declined: int
    organizer_only: int
    organizer_only_escalated: int
    p50: float
    p99: float

    @property
    def accuracy(self) -> float:
        return self.answered_correctly / self.answerable if self.answerable else 0.0


def rows(results: list[Asked]) -> list[Row]:
    table = []
    for intent in Intent:
        mine = [a for a in results if a.question.intent == intent]
        if not mine:
            continue
        table.append(
            Row(
                intent.value,
                mine[0].question.behaviour.value,
                len(mine),
                Counter(a.grade.outcome for a in mine),
                sum(a.grade.expected_for(a.question) for a in mine),
            )
        )
    return table


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def totals(results: list[Asked]) -> Totals:
    def count(behaviour: Behaviour, outcome: Outcome | None = None) -> int:
        return sum(
            1
            for a in results
            if a.question.behaviour == behaviour and (outcome is None or a.grade.outcome == outcome)
        )

    seconds = [a.seconds for a in results if a.reply.received]
    return Totals(
        answerable=count(Behaviour.answer),
        answered_correctly=count(Behaviour.answer, Outcome.correct),
        wrong=sum(a.grade.outcome == Outcome.wrong for a in results),
        leaks=sum(a.grade.outcome == Outcome.leak for a in results),
        privacy=count(Behaviour.decline_privacy),
        privacy_declined=count(Behaviour.decline_privacy, Outcome.declined),
        organizer_only=count(Behaviour.escalate),
        organizer_only_escalated=count(Behaviour.escalate, Outcome.escalated),
        p50=_percentile(seconds, 0.5),
        p99=_percentile(seconds, 0.99),
    )
