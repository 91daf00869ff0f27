"""The shipped Slack app manifest matches what the app serves."""

from __future__ import annotations

import yaml

from bot.route import PATH, REDIRECT_PATH
from bot.slack_app import BOT_SCOPES, COMMAND, SUBSCRIBED_EVENTS
from tests.conftest import ROOT


def manifest() -> dict:
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


def test_every_url_is_the_bots_route():
    data = manifest()
    urls = [
        *(command["url"] for command in data["features"]["slash_commands"]),
        data["settings"]["event_subscriptions"]["request_url"],
        data["settings"]["interactivity"]["request_url"],
    ]
    assert all(url.startswith("https://") and url.endswith(PATH) for url in urls)
    assert [url.split("/", 3)[3] for url in data["oauth_config"]["redirect_urls"]] == [
        REDIRECT_PATH.lstrip("/")
    ]


def test_the_command_events_and_scopes_match_the_app():
    data = manifest()
    assert [c["command"] for c in data["features"]["slash_commands"]] == [COMMAND]
    assert set(data["settings"]["event_subscriptions"]["bot_events"]) == set(SUBSCRIBED_EVENTS)
    scopes = set(data["oauth_config"]["scopes"]["bot"])
    needed = {"commands", "chat:write", "im:write", "users:read.email", "app_mentions:read"}
    assert needed <= scopes
    assert scopes == set(BOT_SCOPES)  # what the OAuth install asks for
    assert data["features"]["app_home"]["home_tab_enabled"] is True
    assert data["settings"]["interactivity"]["is_enabled"] is True
