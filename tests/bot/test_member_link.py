"""`/events me`: the bot hands a one-time sign-in link to the member page, in a reply only
the member sees; it signs in once, within 15 minutes, through the same path as emailed
links."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from events.db import fetch, fetch_one
from tests.bot.test_commands import ALICE, reply_to, text_of
from tests.support.member_page import follow_sign_in_link

pytestmark = pytest.mark.usefixtures("world")


def _link(reply: dict) -> str:
    [url] = [
        element["url"]
        for block in reply["blocks"]
        for element in block.get("elements", [])
        if element.get("action_id") == "open_member_page"
    ]
    return url


async def test_the_bot_gives_a_one_time_link_to_the_member_page(slack, server):
    slack.api.add_user(ALICE, email="alice@denvergov.test", real_name="Alice Adams")

    reply = await reply_to(slack, "me")

    assert reply["response_type"] == "ephemeral"
    assert "within 15 minutes" in text_of(reply)
    url = _link(reply)
    assert url.startswith(f"{server}/me/sign-in/")
    token = url.rsplit("/", 1)[1]
    row = await fetch_one(
        "SELECT l.via, l.sent_at, m.email FROM member_login l JOIN member m ON m.id = l.member"
    )
    assert (row["via"], row["email"]) == ("slack", "alice@denvergov.test")
    assert row["sent_at"] is not None  # never the outbox's to send

    async with httpx.AsyncClient(base_url=server) as browser:
        assert (await follow_sign_in_link(browser, token)).status_code == 303
        page = await browser.get("/me")
        assert "Alice Adams" in page.text and "Your Slack account is linked." in page.text
    async with httpx.AsyncClient(base_url=server) as someone_else:
        page = await someone_else.get(f"/me/sign-in/{token}")
        assert page.status_code == 410  # used


async def test_a_slack_link_expires_like_an_emailed_one(slack, server):
    slack.api.add_user(ALICE, email="alice@denvergov.test", real_name="Alice Adams")
    token = _link(await reply_to(slack, "me")).rsplit("/", 1)[1]
    await fetch("UPDATE member_login SET expires_at = {}", datetime.now(UTC) - timedelta(minutes=1))
    async with httpx.AsyncClient(base_url=server) as browser:
        assert (await browser.get(f"/me/sign-in/{token}")).status_code == 410


async def test_help_mentions_the_member_page(slack):
    slack.api.add_user(ALICE, email="alice@denvergov.test", real_name="Alice Adams")
    assert "/events me" in text_of(await reply_to(slack, "help"))
