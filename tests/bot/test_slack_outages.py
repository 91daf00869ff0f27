"""A slow, rate-limited or unreachable Slack: the bot acks first, always, and what it has to
say (answers, escalations, DMs, ephemeral replies) arrives once Slack is back.

Retries are due after a backoff (5 s ... 60 s, events.services.outbox) and the periodic
sweep (every 30 s) sends them; instead of waiting out the backoff, the tests make the retry
due at once in the database, as the clock would after a minute.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from events.db import fetch, fetch_one
from events.services.outbox import LONGEST_WAIT
from tests.bot.test_qa import ORGANIZERS, mention, setup  # noqa: F401 - the fixture
from tests.conftest import _free_port
from tests.support.polling import eventually
from tests.support.servers import app_server
from tests.support.slack import BOT_TOKEN, SIGNING_SECRET, TEAM_ID, FakeSlack, SlackDriver

pytestmark = pytest.mark.usefixtures("world")

SWEPT = 45  # seconds: a due retry is sent by the next sweep (every 30 s)


@pytest.fixture
def own_slack():
    """A fake Slack of this test's own, for a server of its own (a fresh process)."""
    fake = FakeSlack()
    try:
        yield fake
    finally:
        fake.reset()  # releases anything held
        fake.close()


def _slack_settings(api_url: str) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": api_url,
        "REDIS_URL": None,  # the server delivers by itself
    }


async def test_the_first_ack_after_a_start_does_not_wait_for_auth_test(own_slack):
    """auth.test hangs: the command is acknowledged anyway, and answered once it returns."""
    own_slack.add_user("U0FIRST", email="first@denvergov.test", real_name="Fay First")
    own_slack.hold("auth.test")
    with app_server(**_slack_settings(own_slack.api_url)) as base:
        async with SlackDriver(base, own_slack) as driver:
            response = await driver.command("help", user_id="U0FIRST")
            assert response.status_code == 200  # while auth.test is still unanswered
            assert own_slack.calls("response_url") == []
            own_slack.release("auth.test")
            reply = await own_slack.wait_for("response_url")
    assert "/events list" in reply.params["text"]
    assert len(own_slack.calls("auth.test")) == 1


async def test_slack_unreachable_at_start_up_still_acks_every_request():
    """Nothing listens at SLACK_API_URL: commands, events and clicks are acked (200), not
    500s; there is no one to answer them until Slack is reachable."""
    nowhere = f"http://127.0.0.1:{_free_port()}/api/"
    fake = FakeSlack()  # only to make response_urls for the driver; never reached
    try:
        with app_server(**_slack_settings(nowhere)) as base:
            async with SlackDriver(base, fake) as driver:
                for _ in range(2):
                    response = await driver.command("list", user_id="U0NOWHERE")
                    assert response.status_code == 200, response.text
                event = {"type": "app_mention", "user": "U0NOWHERE", "text": "<@U0BOT> hi"}
                response = await driver.event({**event, "channel": "C1", "ts": "1.000001"})
                assert response.status_code == 200, response.text
                response = await driver.block_action("details", "x", user_id="U0NOWHERE")
                assert response.status_code == 200, response.text
    finally:
        fake.close()


async def _make_due(table: str, where: str, *args: object) -> None:
    """The backoff has passed (as the clock would say after it)."""
    await fetch(
        f"UPDATE {table} SET next_attempt_at = {{}} WHERE sent_at IS NULL AND {where}",
        datetime.now(UTC),
        *args,
    )


async def _failed_once(table: str, where: str, *args: object) -> list[dict]:
    async def check():
        rows = await fetch(
            f"SELECT * FROM {table} WHERE {where} AND attempts >= 1 AND last_error IS NOT NULL",
            *args,
        )
        return rows or None

    rows = await eventually(check, timeout=15)
    assert rows, f"no failed attempt in {table}"
    return rows


@pytest.mark.usefixtures("setup")
async def test_a_question_asked_while_slack_is_down_is_answered_when_it_is_back(slack):
    slack.api.outage("chat.postMessage")
    ts = await mention(slack, "Is there a Swedish interpreter for the keynote?")

    # The answer ("I've asked the organizers") and the escalation both failed, and wait.
    rows = await _failed_once("slack_post", "question IS NOT NULL")
    assert {row["purpose"] for row in rows} == {"reply", "escalation"}
    for row in rows:
        assert row["claimed_at"] is None and row["sent_at"] is None  # released, not held
        assert row["next_attempt_at"] <= datetime.now(UTC) + LONGEST_WAIT
    question = await fetch_one("SELECT status, escalation_ts FROM question")
    assert question["status"] == "escalated" and question["escalation_ts"] is None

    slack.api.recover()
    await _make_due("slack_post", "question IS NOT NULL")
    reply = await slack.api.wait_for(
        "chat.postMessage",
        lambda c: not c.limited and c.params.get("thread_ts") == ts,
        timeout=SWEPT,
    )
    assert "organizers" in reply.params["text"]
    escalation = await slack.api.wait_for(
        "chat.postMessage",
        lambda c: not c.limited and c.params.get("channel") == ORGANIZERS,
        timeout=SWEPT,
    )
    assert "Swedish interpreter" in escalation.params["text"]

    async def escalation_kept():
        row = await fetch_one("SELECT escalation_ts FROM question")
        return row["escalation_ts"]

    assert await eventually(escalation_kept)  # the Answer button's message, to update later
    sent = [c for c in slack.api.calls("chat.postMessage") if not c.limited]
    assert len(sent) == 2  # each once


async def test_a_dm_that_failed_during_an_outage_is_sent_once_slack_is_back(client, world, slack):
    event = await world.create_event(client, title="Outage Recovery Workshop")
    person = await world.member()
    await fetch(
        "INSERT INTO slack_identity (member, team_id, user_id) VALUES ({}, {}, {})",
        person.id,
        TEAM_ID,
        "U0OUTAGE",
    )
    slack.api.outage()
    response = await client.post(
        f"/api/events/{event['slug']}/registration", headers=person.headers
    )
    assert response.status_code == 201, response.text
    registration_id = response.json()["id"]

    [row] = await _failed_once(
        "notification", "registration = {} AND channel = 'slack'", registration_id
    )
    assert row["claimed_at"] is None  # the claim is released at once, not after 2 minutes
    assert row["next_attempt_at"] <= datetime.now(UTC) + LONGEST_WAIT

    slack.api.recover()
    await _make_due("notification", "registration = {}", registration_id)
    dm = await slack.api.wait_for(
        "chat.postMessage",
        lambda c: not c.limited and c.params.get("channel") == "U0OUTAGE",
        timeout=SWEPT,
    )
    assert "Outage Recovery Workshop" in dm.params["text"]


async def test_a_rate_limited_ephemeral_reply_is_retried(slack, world):
    slack.api.add_user("U0LIMITED", email="limited@denvergov.test", real_name="Lim Ited")
    slack.api.rate_limit("response_url", times=1, retry_after=1)
    response = await slack.driver.command("help", user_id="U0LIMITED")
    assert response.status_code == 200
    reply = await slack.api.wait_for("response_url", lambda c: not c.limited, timeout=15)
    assert "/events list" in reply.params["text"]
    assert [c.limited for c in slack.api.calls("response_url")] == [True, False]
