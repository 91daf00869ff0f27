"""The real app plus one route that fails: how a 500 looks in the answer and the logs.

Run by uvicorn (``app_server(factory="tests.support.failing_app:create_app")``)."""

from __future__ import annotations

from litestar import get
from litestar.params import FromPath

from events.config import get_settings
from events.extensions import ConvenePlugin, discover

FAILURE_PATH = "/test/failure/{secret:str}"


@get(FAILURE_PATH, include_in_schema=False)
async def failure(secret: FromPath[str]) -> None:
    raise RuntimeError("a bug in a handler")


class FailingRoute(ConvenePlugin):
    name = "failing-route"

    def route_handlers(self) -> list:
        return [failure]


def create_app():
    from events import app  # in the server only: the suite's process never imports it

    settings = get_settings()
    return app.create_app(settings, [*discover(settings), FailingRoute(settings)])
