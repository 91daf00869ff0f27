"""The fake Slack and the signer on their own: the bot's tests are only as good as these."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from tests.support.slack import (
    BOT_TOKEN,
    SIGNING_SECRET,
    FakeSlack,
    SlackDriver,
    SlackSigner,
    state_values,
)


@pytest.fixture
def fake():
    fake = FakeSlack()
    yield fake
    fake.close()


def web_client(fake: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(base_url=fake.api_url, token=BOT_TOKEN)


async def test_auth_test_and_users_info_over_http(fake: FakeSlack):
    fake.add_user("U1", email="ada@example.org", real_name="Ada Lovelace", tz="America/Chicago")
    client = web_client(fake)

    auth = await client.auth_test()
    user = await client.users_info(user="U1")

    assert auth["user_id"] == "U0BOT" and auth["team_id"] == "T0NSCP"
    assert user["user"]["profile"]["email"] == "ada@example.org"
    assert user["user"]["tz"] == "America/Chicago"
    assert [call.method for call in fake.calls()] == ["auth.test", "users.info"]
    assert all(call.token == BOT_TOKEN for call in fake.calls())


async def test_unknown_user_is_an_error(fake: FakeSlack):
    fake.users["U2"] = {"email": None, "real_name": "No Mail"}
    client = web_client(fake)

    no_mail = await client.users_info(user="U2")
    with pytest.raises(Exception, match="user_not_found"):
        await client.users_info(user="U404")

    assert "email" not in no_mail["user"]["profile"]


async def test_form_json_and_query_params_are_decoded(fake: FakeSlack):
    client = web_client(fake)
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]
    form_args = {"channel": "C1", "text": "[draft] hi", "blocks": json.dumps(blocks)}

    first = await client.api_call("chat.postMessage", data=form_args)  # form-encoded
    second = await client.chat_postMessage(channel="C1", text="again", blocks=blocks)  # JSON
    opened = await client.conversations_open(users="U1")  # query string on a POST
    view = await client.views_open(trigger_id="t1", view={"type": "modal", "callback_id": "c"})

    form, as_json = fake.calls("chat.postMessage")
    assert form.headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert as_json.headers["content-type"].startswith("application/json")
    assert form.params["blocks"] == as_json.params["blocks"] == blocks
    assert form.params["text"] == "[draft] hi"
    assert float(first["ts"]) < float(second["ts"])
    assert opened["channel"]["id"] == "DU1"
    assert view["view"]["callback_id"] == "c" and view["view"]["id"].startswith("V")
    assert fake.calls("views.open")[0].params["view"]["type"] == "modal"


async def test_response_url_posts_are_recorded(fake: FakeSlack):
    async with httpx.AsyncClient() as http:
        answer = await http.post(fake.response_url("cmd-1"), json={"text": "done"})

    call = await fake.wait_for("response_url", lambda call: call.params["text"] == "done")
    assert answer.json() == {"ok": True}
    assert call.path == "/response/cmd-1"


async def test_rate_limited_call_succeeds_after_a_retry(fake: FakeSlack):
    fake.rate_limit("chat.postMessage", times=1, retry_after=0)
    client = web_client(fake)
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=1))

    answer = await client.chat_postMessage(channel="C1", text="hello")

    assert answer["ok"]
    assert [call.limited for call in fake.calls("chat.postMessage")] == [True, False]


async def test_wait_for_names_the_calls_it_saw(fake: FakeSlack):
    await web_client(fake).auth_test()

    with pytest.raises(AssertionError, match="auth.test"):
        await fake.wait_for("chat.postMessage", timeout=0.1)


def test_signature_verifies_and_tampering_does_not():
    verifier = SignatureVerifier(SIGNING_SECRET)
    body = "token=x&text=hello"

    headers = SlackSigner(SIGNING_SECRET).headers(body)
    stale = SlackSigner(SIGNING_SECRET).headers(body, timestamp=int(time.time()) - 600)

    assert verifier.is_valid_request(body, headers)
    assert verifier.is_valid(
        body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    )
    assert not verifier.is_valid_request(body + "!", headers)
    assert not verifier.is_valid_request(body, stale)


async def test_driver_sends_signed_slack_shapes(fake: FakeSlack):
    """The driver aimed at the fake itself: what arrives is what the app would get."""
    verifier = SignatureVerifier(SIGNING_SECRET)
    async with SlackDriver(fake.url, fake, path="/response/driver") as driver:
        await driver.command("list", user_id="U1")
        await driver.block_action("register", "42", user_id="U1")
        values = state_values(
            {"title": ("title_input", "Summit"), "kind": ("k", "a", "static_select")}
        )
        await driver.view_submission("create_event", values, user_id="U1")
        await driver.event({"type": "app_mention", "text": "hi"}, event_id="Ev1", retry_num=1)

    command, action, submission, event = fake.calls("response_url")
    assert command.params["command"] == "/events" and command.params["trigger_id"] == "trig-1"
    assert command.params["response_url"].startswith(f"{fake.url}/response/")
    assert action.params["payload"]["actions"][0]["value"] == "42"
    assert action.params["payload"]["channel"]["id"] == "C0GENERAL"
    state = submission.params["payload"]["view"]["state"]["values"]
    assert state["kind"]["k"]["selected_option"]["value"] == "a"
    assert event.params["event_id"] == "Ev1" and event.headers["x-slack-retry-num"] == "1"
    for call in (command, action, submission, event):
        assert verifier.is_valid_request(call.body, call.headers)
