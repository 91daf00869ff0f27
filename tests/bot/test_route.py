"""POST /slack/events itself: signatures, Slack's retries, events, and the bot switched off."""

from __future__ import annotations

import asyncio
import os
import time

import httpx
import pytest

from events.db import fetch
from tests.support.servers import app_server
from tests.support.slack import TEAM_ID

pytestmark = pytest.mark.usefixtures("world")


async def test_a_bad_signature_is_refused(slack):
    response = await slack.driver.command("list", user_id="U1", signature="v0=" + "0" * 64)
    assert response.status_code == 401
    assert slack.api.calls("response_url") == []


async def test_a_stale_signature_is_refused(slack):
    """Correctly signed, but six minutes old: a replay."""
    response = await slack.driver.command("list", user_id="U1", timestamp=int(time.time()) - 360)
    assert response.status_code == 401


async def test_an_unsigned_request_is_refused(server):
    async with httpx.AsyncClient(base_url=server) as http:
        response = await http.post("/slack/events", data={"command": "/events", "text": "list"})
    assert response.status_code == 401


async def test_url_verification_echoes_the_challenge(slack):
    response = await slack.driver.url_verification("challenge-123")
    assert response.status_code == 200
    assert response.json() == {"challenge": "challenge-123"}


async def test_the_home_tab_shows_the_members_sessions_and_region(slack, world, client):
    slack.api.add_user("U0HOME", email="home@denvergov.test", real_name="Hana Home")
    event = await world.create_event(client, title="Home Tab Workshop")
    other = await world.create_event(client, title="Regional Meetup")
    response = await slack.driver.command(f"register {event['slug']}", user_id="U0HOME")
    assert response.status_code == 200
    await slack.api.wait_for("response_url")
    response = await slack.driver.event(
        {"type": "app_home_opened", "user": "U0HOME", "tab": "home"}
    )
    assert response.status_code == 200
    published = await slack.api.wait_for("views.publish")
    assert published.params["user_id"] == "U0HOME"
    text = str(published.params["view"])
    assert "Hi Hana Home" in text
    assert "Your next sessions" in text and "Home Tab Workshop" in text
    assert "Coming up in your region" in text and other["title"] in text


async def test_a_retried_event_is_handled_once(slack, world, client):
    """Slack re-sends an event it thinks we missed, same event_id, X-Slack-Retry-Num set."""
    slack.api.add_user("U0ASK", email="asker@denvergov.test", real_name="Asker")
    event = {
        "type": "app_mention",
        "user": "U0ASK",
        "text": "<@U0BOT> hello there",
        "channel": "C0GENERAL",
        "ts": "1700000000.000100",
        "team": TEAM_ID,
    }
    first = await slack.driver.event(event, event_id="Ev0RETRY")
    assert first.status_code == 200
    await slack.api.wait_for("chat.postMessage")
    for attempt in (1, 2, 3):
        retry = await slack.driver.event(event, event_id="Ev0RETRY", retry_num=attempt)
        assert retry.status_code == 200
    await asyncio.sleep(1.0)  # time for a duplicate to show up, were there one
    replies = [c for c in slack.api.calls("chat.postMessage") if c.params.get("thread_ts")]
    assert len(replies) == 1
    assert len(await fetch("SELECT id FROM question")) == 1


async def test_without_slack_configuration_the_bot_routes_answer_503(database_url):
    """Its own server, started without SLACK_*: the app runs, the bot says it is off."""
    off = {key: None for key in os.environ if key.startswith("SLACK_")} | {"REDIS_URL": None}
    with app_server(**off) as base:
        async with httpx.AsyncClient(base_url=base) as http:
            response = await http.post("/slack/events", data={"text": "list"})
            install = await http.get("/slack/install")
            health = await http.get("/health")
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "slack_not_configured"
    assert "SLACK_BOT_TOKEN" in response.json()["detail"]
    assert install.status_code == 404 and install.json()["code"] == "slack_oauth_off"
    assert health.status_code == 200


@pytest.mark.parametrize(
    "body, content_type",
    [
        (b'{"type": "event_callback", "x": "\xff\xfe"}', "application/json"),
        (b"[" * 1000 + b"]" * 1000, "application/json"),
        (
            b'{"type": "event_callback", "event": ' + b"[" * 1000 + b"]" * 1000 + b"}",
            "application/json",
        ),
        (b"payload=" + b"%5B" * 1000 + b"%5D" * 1000, "application/x-www-form-urlencoded"),
        (b"payload=%FF%FE", "application/x-www-form-urlencoded"),
        (b"\xff\xfe", "application/x-www-form-urlencoded"),
    ],
    ids=["json-utf8", "deep-json", "deep-event", "deep-payload", "bad-payload", "raw-utf8"],
)
async def test_bodies_bolt_cannot_read_are_4xx_signed_or_not(slack, server, body, content_type):
    """Bolt decodes the body after the signature check; neither side may answer 500.
    (Bodies that are not UTF-8 cannot be signed as Slack signs: they go unsigned only.)"""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        signed = await slack.driver.send(text, content_type)
        assert 200 <= signed.status_code < 500, signed.text
    async with httpx.AsyncClient(base_url=server) as http:
        unsigned = await http.post(
            "/slack/events", content=body, headers={"Content-Type": content_type}
        )
    assert unsigned.status_code in (400, 401), unsigned.text


@pytest.mark.parametrize(
    ("timestamp", "signature"),
    [
        ("abc", None),  # not a number: bolt's int() raised, a 500
        ("9" * 5000, None),  # past int()'s digit limit
        ("1.5e9", None),
        ("", None),
        (None, ("v0=" + "é" * 64).encode("latin-1")),  # hmac.compare_digest: TypeError
        (None, "sha256=abc"),
        (None, ""),
    ],
)
async def test_malformed_signature_headers_are_refused_not_errors(slack, timestamp, signature):
    body = "command=%2Fevents&text=list&user_id=U1&team_id=T0NSCP"
    headers: dict[str, str | bytes] = {**slack.driver.signer.headers(body)}
    if timestamp is not None:
        headers["X-Slack-Request-Timestamp"] = timestamp
    if signature is not None:
        headers["X-Slack-Signature"] = signature
    response = await slack.driver.http.post(
        "/slack/events",
        content=body.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", **headers},
    )
    assert response.status_code == 401, response.text
    assert response.json()["code"] == "invalid_signature"
