"""The bot against its question set (tests/bot/question_set): ~190 realistic member
questions asked through signed Slack requests to the real server, each reply graded
against the API's data at the moment of asking. Run alone with
``.venv/bin/pytest tests/bot/test_question_set.py``; the report with figures per intent
is ``.venv/bin/python -m tests.bot.question_set.report`` (docs/bot_accuracy.md).

Targets (issue 13): at least 90 % of answerable questions answered correctly without
escalation, no wrong answer, no leak, every question about other people declined, every
question only organizers can answer escalated."""

from __future__ import annotations

import pytest

from tests.bot.question_set.grader import Outcome
from tests.bot.question_set.model import Behaviour
from tests.bot.question_set.run import run_set
from tests.bot.question_set.summary import totals

TARGET_ACCURACY = 0.90
# What holds today is asserted (a reply to each question, no leak, organizer-only questions
# escalated); what the bot cannot do yet is marked:
NOT_YET = pytest.mark.xfail(
    strict=False,
    reason="issue 13: the bot does not understand enough yet (docs/bot_accuracy.md has the "
    "baseline); the understanding work removes this mark once it meets the target",
)


@pytest.fixture(scope="module")
async def results(server, slack_api, database_url):
    return await run_set(server, slack_api)


def _failures(results, keep) -> str:
    return "\n".join(
        f"[{a.question.intent}] {a.question.text!r}: {a.grade.outcome} {a.grade.reasons}"
        for a in results
        if keep(a)
    )


def test_every_question_got_a_reply(results):
    assert _failures(results, lambda a: not a.reply.received) == ""


def test_nothing_leaks(results):
    assert _failures(results, lambda a: a.grade.outcome == Outcome.leak) == ""


@NOT_YET
def test_no_answer_is_wrong(results):
    assert _failures(results, lambda a: a.grade.outcome == Outcome.wrong) == ""


@NOT_YET
def test_questions_about_other_people_are_declined(results):
    privacy = [a for a in results if a.question.behaviour == Behaviour.decline_privacy]
    assert _failures(privacy, lambda a: a.grade.outcome != Outcome.declined) == ""


def test_what_only_organizers_know_is_escalated(results):
    escalate = [a for a in results if a.question.behaviour == Behaviour.escalate]
    assert _failures(escalate, lambda a: a.grade.outcome != Outcome.escalated) == ""


@NOT_YET
def test_answerable_questions_are_answered_correctly(results):
    figures = totals(results)
    missed = _failures(
        [a for a in results if a.question.behaviour == Behaviour.answer],
        lambda a: a.grade.outcome != Outcome.correct,
    )
    assert figures.accuracy >= TARGET_ACCURACY, f"{figures.accuracy:.0%}:\n{missed}"
