"""The one workspace of a bot token (single-token mode): who the bot is there, learned from
``auth.test`` in the background, never while Slack waits for an acknowledgement.

Bolt's own single-workspace authorization calls ``auth.test`` on the first request of a
process, before the listener can ack: a slow Slack made that ack late (5 s when
``auth.test`` took 5 s), an unreachable one made every request a 500. Here authorizing
costs nothing: the request goes on with the bot token at once, and the first request only
starts the call. What needs the answer (is this request from our workspace?) waits for it
after the ack (``require_team``), and a failed call is simply made again next time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from slack_bolt.authorization import AuthorizeResult
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

logger = logging.getLogger("convene.bot")

OTHER_WORKSPACE = (
    "Sorry, this Convene bot works for members of its own Slack workspace only. "
    "Use the workspace where it is installed, or register on the web."
)


class OtherWorkspace(Exception):
    """A request from a workspace the bot token does not belong to (Slack Connect, a
    shared channel, a misrouted app)."""


class InstalledWorkspace:
    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self._answer: AsyncSlackResponse | None = None
        self._pending: asyncio.Task[AsyncSlackResponse] | None = None

    @property
    def known(self) -> AsyncSlackResponse | None:
        return self._answer

    def warm(self) -> None:
        """Start ``auth.test`` unless it is answered or under way; returns at once."""
        if self._answer is None and self._pending is None:
            self._pending = asyncio.ensure_future(self._fetch())
            self._pending.add_done_callback(_quietly)

    async def _fetch(self) -> AsyncSlackResponse:
        try:
            answer = await self.client.auth_test()
            self._answer = answer
            return answer
        finally:
            self._pending = None  # a failure is tried again by the next request

    async def team_id(self) -> str:
        if self._answer is None:
            self.warm()
            assert self._pending is not None
            await asyncio.shield(self._pending)  # a cancelled waiter leaves the call running
        assert self._answer is not None
        return self._answer["team_id"]

    async def require_team(self, team_id: str | None) -> None:
        """Raise OtherWorkspace unless ``team_id`` is the token's workspace."""
        if team_id != await self.team_id():
            raise OtherWorkspace(team_id)

    def authorizer(self) -> Callable[..., Awaitable[AuthorizeResult]]:
        """Bolt's ``authorize``: the bot token, and the bot's ids once known (bolt uses them
        to ignore the bot's own messages)."""

        async def authorize(
            enterprise_id: str | None, team_id: str | None, user_id: str | None
        ) -> AuthorizeResult:
            self.warm()
            known = self._answer
            return AuthorizeResult(
                enterprise_id=enterprise_id,
                team_id=team_id,
                bot_token=self.client.token,
                bot_user_id=known.get("user_id") if known else None,
                bot_id=known.get("bot_id") if known else None,
                user_id=user_id,
            )

        return authorize


def _quietly(task: asyncio.Task) -> None:
    """A failed background auth.test is logged, not left as an unretrieved exception."""
    if not task.cancelled() and task.exception() is not None:
        logger.warning(
            "Slack auth.test failed (tried again on the next request): %s", task.exception()
        )
