"""Several workspaces: installing through Slack's OAuth flow, installations kept in the
database, and each workspace's requests answered with its own bot token."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from bot import sealed
from events.db import fetch
from tests.support.servers import app_server
from tests.support.slack import SIGNING_SECRET, SlackDriver

pytestmark = pytest.mark.usefixtures("world")

WEST = "T0WEST"


@pytest.fixture
def oauth_server(slack):
    """A server that installs through OAuth: a client id and secret, no bot token."""
    with app_server(
        SLACK_BOT_TOKEN=None,
        SLACK_CLIENT_ID="1234.5678",
        SLACK_CLIENT_SECRET="client-secret",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack.api.api_url,
        REDIS_URL=None,
    ) as base:
        yield base


async def install(http: httpx.AsyncClient, team: str) -> httpx.Response:
    page = await http.get("/slack/install")
    assert page.status_code == 200
    link = unescape(re.search(r'href="(https://slack.com/oauth/v2/authorize[^"]+)"', page.text)[1])
    query = parse_qs(urlsplit(link).query)
    assert query["client_id"] == ["1234.5678"]
    assert "users:read.email" in query["scope"][0]
    return await http.get(
        "/slack/oauth_redirect", params={"code": f"code-{team}", "state": query["state"][0]}
    )


async def test_a_workspace_installs_and_its_requests_use_its_own_token(slack, oauth_server):
    async with httpx.AsyncClient(base_url=oauth_server) as http:
        done = await install(http, WEST)
    assert done.status_code == 200, done.text
    rows = await fetch("SELECT team_id, bot_token, data FROM slack_installation")
    assert [row["team_id"] for row in rows] == [WEST]
    # Sealed at rest: the database alone does not hold a usable token.
    assert f"xoxb-installed-{WEST}" not in rows[0]["bot_token"] + rows[0]["data"]
    assert sealed.unseal(rows[0]["bot_token"]) == f"xoxb-installed-{WEST}"
    slack.api.add_user("U0WEST", email="west@denvergov.test", real_name="Wes West")
    async with SlackDriver(oauth_server, slack.api, team_id=WEST) as driver:
        response = await driver.command("mine", user_id="U0WEST")
        assert response.status_code == 200
        lookup = await slack.api.wait_for("users.info")
        assert lookup.token == f"xoxb-installed-{WEST}"
        await slack.api.wait_for("response_url")


async def test_a_workspace_that_never_installed_is_not_served(slack, oauth_server):
    async with SlackDriver(oauth_server, slack.api, team_id="T0NEVER") as driver:
        response = await driver.command("list", user_id="U0STRANGER")
    assert response.status_code in (200, 401)
    assert slack.api.calls("users.info") == []


async def test_a_state_is_good_for_one_install(slack, oauth_server):
    async with httpx.AsyncClient(base_url=oauth_server) as http:
        page = await http.get("/slack/install")
        link = unescape(re.search(r'href="([^"]+oauth/v2/authorize[^"]+)"', page.text)[1])
        state = parse_qs(urlsplit(link).query)["state"][0]
        first = await http.get("/slack/oauth_redirect", params={"code": "code-T0A", "state": state})
        again = await http.get("/slack/oauth_redirect", params={"code": "code-T0B", "state": state})
        forged = await http.get("/slack/oauth_redirect", params={"code": "code-T0C", "state": "x"})
    assert first.status_code == 200
    assert again.status_code >= 400 and forged.status_code >= 400
    assert [r["team_id"] for r in await fetch("SELECT team_id FROM slack_installation")] == ["T0A"]
