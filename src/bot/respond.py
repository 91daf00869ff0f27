"""``respond()`` through the ``response_url`` that retries like the Web API client does.

Bolt's own ``respond`` posts once: a 429 (Slack limits response_url posts too) or a dropped
connection lost the ephemeral reply without a trace. This one waits out ``Retry-After``
and tries again, and raises when the reply could not be posted, so the failure is logged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.webhook.async_client import AsyncWebhookClient, WebhookResponse

RETRIES = [
    AsyncConnectionErrorRetryHandler(max_retry_count=1),
    AsyncRateLimitErrorRetryHandler(max_retry_count=3),
    AsyncServerErrorRetryHandler(max_retry_count=1),
]


class ReplyNotPosted(Exception):
    """The response_url refused the reply even after the retries."""


class RetryingRespond(AsyncRespond):
    async def __call__(self, text: str | dict = "", **fields: Any) -> WebhookResponse:  # type: ignore[override]
        assert self.response_url is not None
        client = AsyncWebhookClient(url=self.response_url, retry_handlers=RETRIES)
        message = text if isinstance(text, dict) else {"text": text}
        message.update({key: value for key, value in fields.items() if value is not None})
        response = await client.send_dict(message)
        if response.status_code != 200:
            raise ReplyNotPosted(f"response_url answered {response.status_code}: {response.body}")
        return response


async def retrying_respond(context: AsyncBoltContext, next: Callable[[], Awaitable[Any]]) -> Any:  # noqa: A002
    """Bolt middleware: listeners get a RetryingRespond as their ``respond``."""
    if context.response_url:
        context["respond"] = RetryingRespond(response_url=context.response_url)
    return await next()
