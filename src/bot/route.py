"""POST /slack/events: commands, interactivity and Events API deliveries, handed to bolt.

Bolt has no Litestar adapter; this is the few lines its Starlette one does. The signature
is checked by bolt against the raw body as received, never a re-serialised one.
"""

from __future__ import annotations

from litestar import Request, Response, post
from litestar.status_codes import HTTP_503_SERVICE_UNAVAILABLE
from slack_bolt.async_app import AsyncApp, AsyncBoltRequest

from events.errors import PROBLEM_JSON

NOT_CONFIGURED = {
    "type": "about:blank",
    "title": "Service unavailable",
    "status": 503,
    "code": "slack_not_configured",
    "detail": "The Slack bot is not configured here: set SLACK_BOT_TOKEN and "
    "SLACK_SIGNING_SECRET (see the README).",
}


PATH = "/slack/events"  # manifest.yml points commands, interactivity and events here


def slack_routes(bolt: AsyncApp | None) -> list:
    @post(PATH, status_code=200, include_in_schema=False, request_max_body_size=1 << 20)
    async def slack_events(request: Request) -> Response:
        if bolt is None:
            return Response(
                NOT_CONFIGURED, status_code=HTTP_503_SERVICE_UNAVAILABLE, media_type=PROBLEM_JSON
            )
        body = await request.body()
        answer = await bolt.async_dispatch(
            AsyncBoltRequest(
                body=body.decode("utf-8"),
                query=dict(request.query_params),
                headers={key: value for key, value in request.headers.items()},
            )
        )
        return Response(
            content=answer.body,
            status_code=answer.status,
            headers=answer.first_headers_without_set_cookie(),
        )

    return [slack_events]
