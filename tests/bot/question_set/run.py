"""One run of the set against a running server: build the world, prepare Slack, ask."""

from __future__ import annotations

from datetime import datetime

import httpx

from tests.bot.question_set.asking import Asked, ask_all, prepare
from tests.bot.question_set.model import Question
from tests.bot.question_set.questions import QUESTIONS
from tests.bot.question_set.world import build
from tests.support.slack import FakeSlack, SlackDriver


async def run_set(
    base_url: str,
    fake: FakeSlack,
    questions: list[Question] = QUESTIONS,
    *,
    now: datetime | None = None,
    concurrency: int = 4,
) -> list[Asked]:
    """``now`` places the world's dates; the server must be on the same clock (today it
    reads the wall clock, so ``now`` defaults to it)."""
    fake.reset()
    async with (
        httpx.AsyncClient(base_url=base_url, timeout=30) as client,
        SlackDriver(base_url, fake) as driver,
    ):
        world = await build(client, now)
        await prepare(fake, driver, world, questions)
        return await ask_all(client, fake, driver, world, questions, concurrency)
