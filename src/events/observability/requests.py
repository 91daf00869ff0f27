"""Request ids and the access log: one line per request, in the logs' structured form.

Every request gets an id: the caller's ``X-Request-ID`` when it is sane (a proxy's or a
load balancer's, so that their logs and Convene's join up), otherwise a new one. It is
answered in ``X-Request-ID``, bound to every log line written while the request runs
(structlog's context variables, inherited by the tasks it starts), and shown in 500
answers (events.errors), so that a user's report leads to the lines of their request.

The access line names the route's template (``/api/events/{slug:str}/registration``),
never the path, the query, headers or the body: paths and queries carry capability tokens
(calendar feeds, confirmation and sign-in links) and bodies carry email addresses.

This wraps the whole app (``RequestLog(app.asgi_handler)``, see ``instrument``), not one
route: Litestar's middleware runs only once a route matched, and a 404 or 405 is a request
too.
"""

from __future__ import annotations

import logging
import random
import re
import time

import structlog
from litestar.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "X-Request-ID"
_INCOMING = re.compile(rb"[A-Za-z0-9._:/+=-]{1,128}")  # what a sane proxy sends; no spaces
_HEADER_KEY = HEADER.lower().encode()
STATE_KEY = "request_id"

ACCESS_LOGGER = "convene.access"


def incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == _HEADER_KEY:
            return value.decode("ascii") if _INCOMING.fullmatch(value) else None
    return None


def new_request_id() -> str:
    """128 random bits as hex. An id, not a secret: no need for the (slower) system source;
    the random module reseeds in forked children."""
    return f"{random.getrandbits(128):032x}"


def request_id_of(scope: Scope) -> str | None:
    """The id of the request in hand (events.errors shows it in 500 answers)."""
    return scope.get("state", {}).get(STATE_KEY)


def _route_of(scope: Scope) -> str:
    """The matched route's template; all unmatched paths share one name."""
    return scope.get("path_template") or "<unmatched>"


class RequestLog:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # Built now, after create_app configured structlog: below INFO its ``info`` is a
        # no-op, and no line is even assembled.
        self.log = structlog.get_logger().bind(logger=ACCESS_LOGGER)
        self.logs_requests = self.log.is_enabled_for(logging.INFO)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = incoming_request_id(scope) or new_request_id()
        scope.setdefault("state", {})[STATE_KEY] = request_id
        encoded = request_id.encode()
        bound = structlog.contextvars.bind_contextvars(request_id=request_id)
        status = 500  # unless an answer starts: the server failed the request
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                # appended, not set: no scan of the headers (a handler never sets this one)
                message["headers"] = [*message.get("headers", ()), (_HEADER_KEY, encoded)]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if self.logs_requests:
                self.log.info(
                    "request",
                    method=scope["method"],
                    route=_route_of(scope),
                    status=status,
                    duration_ms=round((time.perf_counter() - started) * 1000, 2),
                )
            structlog.contextvars.reset_contextvars(**bound)
