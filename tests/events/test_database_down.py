"""Issue 14, fault 7: a database outage answers 503 ``database_unavailable`` with
Retry-After (HTML pages say "back in a moment"), readiness reports the database, Slack
still gets its quick answer and the member is told to try again; once PostgreSQL is back,
the same server answers again without a restart (its pool reconnects).

The server runs against a PostgreSQL of this module's own, stopped and started again."""

from __future__ import annotations

import os
import subprocess

import httpx
import pytest

from bot.blocks import REGISTER_MODAL
from tests.conftest import BIN, ROOT
from tests.support.instances import OwnPostgres
from tests.support.polling import eventually
from tests.support.servers import app_server
from tests.support.slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack, SlackDriver


@pytest.fixture(scope="module")
def own_postgres():
    with OwnPostgres() as server:
        yield server


@pytest.fixture(scope="module")
def own_slack():
    fake = FakeSlack()
    try:
        yield fake
    finally:
        fake.close()


@pytest.fixture(scope="module")
def on_own_postgres(own_postgres, own_slack):
    url = own_postgres.create_database("convene_down")
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([str(BIN / "convene"), "migrate"], cwd=ROOT, env=env, check=True)
    settings = {
        "DATABASE_URL": url,
        "REDIS_URL": None,  # only the database fails here
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": own_slack.api_url,
    }
    with app_server(**settings) as base:
        yield base


@pytest.fixture
def database_down(own_postgres):
    with own_postgres.down():  # an immediate stop: every pooled connection drops
        yield


async def test_the_api_answers_503_and_recovers_without_a_restart(
    own_postgres, on_own_postgres, database_down
):
    async with httpx.AsyncClient(base_url=on_own_postgres, timeout=30) as http:
        down = await http.get("/api/events")
        assert down.status_code == 503, down.text
        assert down.headers["content-type"].startswith("application/problem+json")
        assert down.json()["code"] == "database_unavailable"
        assert 1 <= int(down.headers["retry-after"]) <= 30

        page = await http.get("/events", headers={"Accept": "text/html"})
        assert page.status_code == 503 and "retry-after" in page.headers
        assert "Back in a moment" in page.text

        ready = await http.get("/health/ready")
        assert ready.status_code == 503 and ready.json()["database"] is False
        assert (await http.get("/health/live")).status_code == 200

        own_postgres.start()

        async def answers() -> bool:
            return (await http.get("/api/events")).status_code == 200

        assert await eventually(answers, timeout=30, interval=0.5)
        assert (await http.get("/health/ready")).status_code == 200


async def test_slack_gets_its_answer_and_the_member_is_told_to_retry(
    own_postgres, own_slack, on_own_postgres, database_down
):
    own_slack.reset()
    own_slack.add_user("U0DOWN", email="down@denvergov.test", real_name="Dee Down")
    async with SlackDriver(on_own_postgres, own_slack) as driver:
        command = await driver.command("list", user_id="U0DOWN")
        assert command.status_code == 200
        reply = await own_slack.wait_for("response_url", timeout=15)
        # The registration modal's Submit reads the event before it answers Slack.
        submitted = await driver.view_submission(
            REGISTER_MODAL, {}, user_id="U0DOWN", private_metadata="some-event"
        )
        assert submitted.status_code == 200, submitted.text
        told = await own_slack.wait_for("chat.postMessage", timeout=15)
    for text in (reply.params["text"], told.params["text"]):
        assert "database is unavailable" in text and "try again" in text
