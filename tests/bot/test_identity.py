"""Who may act through the bot: only people of the installed workspace (single-token mode),
as the member their profile email says, read again once the link is an hour old."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.identity import IDENTITY_TTL
from events.db import fetch, fetch_one
from tests.bot.test_commands import reply_to, text_of

pytestmark = pytest.mark.usefixtures("world")


async def test_a_request_from_another_workspace_is_refused(slack):
    slack.api.add_user("U0STRANGER", email="stranger@denvergov.test", real_name="S Tranger")
    reply = await reply_to(slack, "mine", user_id="U0STRANGER", team_id="T0ELSEWHERE")
    assert "its own Slack workspace" in text_of(reply)
    assert slack.api.calls("users.info") == []  # nobody was looked up...
    assert await fetch("SELECT id FROM slack_identity") == []  # ...or linked
    assert await fetch_one("SELECT id FROM member WHERE email = 'stranger@denvergov.test'") is None
    # The installed workspace's people are served as ever.
    reply = await reply_to(slack, "mine", user_id="U0STRANGER")
    assert "its own Slack workspace" not in text_of(reply)


async def test_a_changed_email_is_read_again_once_the_link_expires(slack, world):
    slack.api.add_user("U0MOVER", email="mover@denvergov.test", real_name="Mo Ver")
    await reply_to(slack, "mine", user_id="U0MOVER")
    denver = await fetch_one("SELECT id FROM member WHERE email = 'mover@denvergov.test'")
    linked = await fetch_one("SELECT member FROM slack_identity WHERE user_id = 'U0MOVER'")
    assert linked["member"] == denver["id"]

    # They moved to Phoenix; within the hour the link still holds.
    slack.api.add_user("U0MOVER", email="mover@phoenix.test", real_name="Mo Ver")
    await reply_to(slack, "mine", user_id="U0MOVER")
    assert len(slack.api.calls("users.info")) == 1

    # An hour later (as the clock would say), the email is read again.
    await fetch(
        "UPDATE slack_identity SET checked_at = {} WHERE user_id = 'U0MOVER'",
        datetime.now(UTC) - IDENTITY_TTL - timedelta(minutes=1),
    )
    await reply_to(slack, "mine", user_id="U0MOVER")
    assert len(slack.api.calls("users.info")) == 2
    phoenix = await fetch_one("SELECT id FROM member WHERE email = 'mover@phoenix.test'")
    relinked = await fetch_one("SELECT member FROM slack_identity WHERE user_id = 'U0MOVER'")
    assert phoenix is not None and relinked["member"] == phoenix["id"]


async def test_an_email_no_longer_at_a_member_organization_unlinks_the_account(slack, world):
    slack.api.add_user("U0LEAVER", email="leaver@denvergov.test", real_name="Lee Ver")
    await reply_to(slack, "mine", user_id="U0LEAVER")
    slack.api.add_user("U0LEAVER", email="leaver@unknown.test", real_name="Lee Ver")
    await fetch(
        "UPDATE slack_identity SET checked_at = {} WHERE user_id = 'U0LEAVER'",
        datetime.now(UTC) - IDENTITY_TTL - timedelta(minutes=1),
    )
    reply = await reply_to(slack, "mine", user_id="U0LEAVER")
    assert "isn't linked to a coalition member organization" in text_of(reply)
    assert await fetch("SELECT id FROM slack_identity WHERE user_id = 'U0LEAVER'") == []
