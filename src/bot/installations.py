"""Several workspaces: Slack's OAuth install flow, with installations and OAuth states kept
through Piccolo (tables slack_installation, slack_oauth_state), and a Web API client per
workspace for what the bot sends on its own (DMs, escalations, answers)."""

from __future__ import annotations

import json
import logging
import secrets
from datetime import UTC, datetime, timedelta

from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient

from bot import sealed
from bot.workspace import InstalledWorkspace
from events.db import fetch, fetch_one, write_transaction

logger = logging.getLogger("convene.bot")

_WHERE_TEAM = "COALESCE(enterprise_id, '') = {} AND COALESCE(team_id, '') = {}"


def _keys(enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None):
    # An org-wide install answers for every workspace of the org.
    return (enterprise_id or "", "" if is_enterprise_install else (team_id or ""))


class PiccoloInstallationStore(AsyncInstallationStore):
    """The latest installation per workspace (bot scope; the app asks for no user scopes)."""

    @property
    def logger(self) -> logging.Logger:
        return logger

    async def async_save(self, installation: Installation) -> None:
        enterprise, team = _keys(
            installation.enterprise_id, installation.team_id, installation.is_enterprise_install
        )
        data = json.dumps(installation.to_dict_for_copying(), default=str)
        async with write_transaction():
            await fetch(f"DELETE FROM slack_installation WHERE {_WHERE_TEAM}", enterprise, team)
            await fetch(
                "INSERT INTO slack_installation (team_id, enterprise_id, bot_token, data, "
                "installed_at) VALUES ({}, {}, {}, {}, {})",
                team or None,
                enterprise or None,
                sealed.seal(installation.bot_token or ""),
                sealed.seal(data),
                datetime.now(UTC),
            )

    async def async_save_bot(self, bot: Bot) -> None:  # bots are saved with installations
        return None

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        row = await fetch_one(
            f"SELECT data FROM slack_installation WHERE {_WHERE_TEAM}",
            *_keys(enterprise_id, team_id, is_enterprise_install),
        )
        data = sealed.unseal(row["data"]) if row else None
        if row and data is None:
            logger.error("the installation of %s was sealed under another SECRET_KEY", team_id)
        return Installation(**json.loads(data)) if data else None

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        installation = await self.async_find_installation(
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        )
        return installation.to_bot() if installation and installation.bot_token else None

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        await fetch(
            f"DELETE FROM slack_installation WHERE {_WHERE_TEAM}",
            *_keys(enterprise_id, team_id, False),
        )

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self.async_delete_installation(enterprise_id=enterprise_id, team_id=team_id)


class PiccoloOAuthStateStore(AsyncOAuthStateStore):
    """OAuth `state`: 256 random bits, good for 10 minutes and for one callback."""

    def __init__(self, expiration: timedelta = timedelta(minutes=10)) -> None:
        self.expiration = expiration

    @property
    def logger(self) -> logging.Logger:
        return logger

    async def async_issue(self, *args, **kwargs) -> str:
        state = secrets.token_urlsafe(32)
        await fetch(
            "INSERT INTO slack_oauth_state (state, expires_at) VALUES ({}, {})",
            state,
            datetime.now(UTC) + self.expiration,
        )
        return state

    async def async_consume(self, state: str) -> bool:
        row = await fetch_one(
            "DELETE FROM slack_oauth_state WHERE state = {} RETURNING expires_at", state
        )
        return row is not None and row["expires_at"] > datetime.now(UTC)


class Workspaces:
    """A Web API client for a workspace: the configured bot token, or the token its OAuth
    installation left. With one bot token, ``installed`` is its workspace."""

    def __init__(self, default: AsyncWebClient, store: PiccoloInstallationStore | None) -> None:
        self.default = default
        self.store = store
        self.installed = InstalledWorkspace(default) if store is None else None
        self._clients: dict[str, AsyncWebClient] = {}

    async def client_for(self, team_id: str | None) -> AsyncWebClient | None:
        if self.store is None:
            return self.default
        bot = await self.store.async_find_bot(enterprise_id=None, team_id=team_id)
        if bot is None:
            logger.warning("no Slack installation for team %s", team_id)
            return None
        client = self._clients.get(bot.bot_token)
        if client is None:
            client = AsyncWebClient(
                token=bot.bot_token,
                base_url=self.default.base_url,
                retry_handlers=self.default.retry_handlers,
            )
            self._clients[bot.bot_token] = client
        return client


_workspaces: Workspaces | None = None


def configure_workspaces(default: AsyncWebClient, oauth: bool) -> Workspaces:
    """The one Workspaces of this process (the app and the notifier share it)."""
    global _workspaces
    if _workspaces is None:
        _workspaces = Workspaces(default, PiccoloInstallationStore() if oauth else None)
    return _workspaces


def default_client() -> AsyncWebClient:
    """The configured bot token's client (set up by the app and by the worker)."""
    assert _workspaces is not None, "Slack is not configured in this process"
    return _workspaces.default


def warm_installed_workspace() -> None:
    """Start learning the one bot token's workspace in the background (see bot.workspace)."""
    if _workspaces is not None and _workspaces.installed is not None:
        _workspaces.installed.warm()


async def require_installed_team(team_id: str | None) -> None:
    """With one bot token: raise bot.workspace.OtherWorkspace for any other workspace.
    (OAuth installs need nothing here: bolt finds no installation for a stranger.)"""
    if _workspaces is not None and _workspaces.installed is not None:
        await _workspaces.installed.require_team(team_id)


async def client_for(team_id: str | None, fallback: AsyncWebClient) -> AsyncWebClient:
    """The client to post into ``team_id`` with; ``fallback`` when only one workspace."""
    if _workspaces is None or _workspaces.store is None:
        return fallback
    return await _workspaces.client_for(team_id) or fallback
