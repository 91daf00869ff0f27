"""The bot's HTTP face, handed to bolt: POST /slack/events (commands, interactivity, Events
API deliveries) and, when installs go through OAuth, GET /slack/install and
/slack/oauth_redirect.

Bolt has no Litestar adapter; this is the few lines its Starlette one does. The signature
is checked by bolt against the raw body as received, never a re-serialised one.
"""

from __future__ import annotations

import re

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.status_codes import (
    HTTP_401_UNAUTHORIZED,
    HTTP_404_NOT_FOUND,
    HTTP_503_SERVICE_UNAVAILABLE,
)
from slack_bolt import BoltResponse
from slack_bolt.async_app import AsyncApp, AsyncBoltRequest

from events.config import get_settings
from events.errors import PROBLEM_JSON, MalformedBody

PATH = "/slack/events"  # manifest.yml points commands, interactivity and events here
INSTALL_PATH, REDIRECT_PATH = "/slack/install", "/slack/oauth_redirect"


def _problem(status: int, code: str, detail: str) -> Response:
    body = {"type": "about:blank", "status": status, "code": code, "detail": detail}
    return Response(body, status_code=status, media_type=PROBLEM_JSON)


NOT_CONFIGURED = (
    "The Slack bot is not configured here: set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN "
    "(or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET) (see the README)."
)


# What Slack sends; anything else cannot be a valid signature. Bolt would parse the
# timestamp with int() (a ValueError on "abc" or 5,000 digits) and compare the signature
# with hmac.compare_digest (a TypeError on non-ASCII text): 500s instead of 401s.
TIMESTAMP = re.compile(r"[0-9]{1,12}")
SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


def _signature_headers_malformed(request: Request) -> bool:
    timestamp = request.headers.getall("x-slack-request-timestamp", [])
    signature = request.headers.getall("x-slack-signature", [])
    return not (
        len(timestamp) == 1
        and len(signature) == 1
        and TIMESTAMP.fullmatch(timestamp[0])
        and SIGNATURE.fullmatch(signature[0])
    )


async def _bolt_request(request: Request) -> AsyncBoltRequest:
    body = await request.body()
    return AsyncBoltRequest(
        body=body.decode("utf-8"),  # Slack always sends UTF-8 (else a ValueError: a 400)
        query=dict(request.query_params),
        headers=dict(request.headers.items()),
    )


def _response(answer: BoltResponse) -> Response:
    cookies = [
        Cookie(
            key=name,
            value=morsel.value,
            max_age=int(morsel["max-age"]) if morsel["max-age"] else None,
            path=morsel["path"] or "/",
            secure=get_settings().base_url.startswith("https://"),  # plain http in tests only
            httponly=True,
        )
        for cookie in answer.cookies()
        for name, morsel in cookie.items()
    ]
    return Response(
        content=answer.body,
        status_code=answer.status,
        headers=answer.first_headers_without_set_cookie(),
        cookies=cookies,
    )


def slack_routes(bolt: AsyncApp | None) -> list:
    @post(PATH, status_code=200, include_in_schema=False, request_max_body_size=1 << 20)
    async def slack_events(request: Request) -> Response:
        if bolt is None:
            return _problem(HTTP_503_SERVICE_UNAVAILABLE, "slack_not_configured", NOT_CONFIGURED)
        if _signature_headers_malformed(request):
            return _problem(
                HTTP_401_UNAUTHORIZED,
                "invalid_signature",
                "X-Slack-Request-Timestamp and X-Slack-Signature are missing or malformed.",
            )
        try:
            # Bolt parses the body as it builds the request, before checking the signature.
            bolt_request = await _bolt_request(request)
        except (ValueError, RecursionError):  # not JSON, or nested past json.loads' limit
            raise MalformedBody("Slack sends JSON or a form with a JSON payload.") from None
        return _response(await bolt.async_dispatch(bolt_request))

    @get([INSTALL_PATH, REDIRECT_PATH], include_in_schema=False)
    async def slack_oauth(request: Request) -> Response:
        """The "Add to Slack" page, and Slack's redirect back with the installation."""
        flow = bolt.oauth_flow if bolt is not None else None
        if flow is None:
            return _problem(
                HTTP_404_NOT_FOUND,
                "slack_oauth_off",
                "This Convene installs into one workspace with a bot token; there is no OAuth "
                "install flow (set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for one).",
            )
        bolt_request = await _bolt_request(request)
        if request.url.path == INSTALL_PATH:
            return _response(await flow.handle_installation(bolt_request))
        return _response(await flow.handle_callback(bolt_request))

    return [slack_events, slack_oauth]
