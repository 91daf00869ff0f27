"""The console's router: its session cookie, CSRF guard and HTML errors apply to its pages
only, never to the API or the public pages."""

from __future__ import annotations

from litestar import Router

from events.config import Settings
from events.web.console.event_pages import EventEditorController, SessionEditorController
from events.web.console.pages import CheckInController, ConsoleController, LoginController
from events.web.console.question_pages import QuestionEditorController
from events.web.console.responses import EXCEPTION_HANDLERS
from events.web.console.session import csrf_guard, session_middleware


def console_router(settings: Settings, extra: list | None = None) -> Router:
    """``extra``: the console pages of certs and bot (the core does not import them)."""
    return Router(
        path="/console",
        route_handlers=[
            LoginController,
            ConsoleController,
            CheckInController,
            EventEditorController,
            SessionEditorController,
            QuestionEditorController,
            *(extra or []),
        ],
        middleware=[session_middleware(settings)],
        guards=[csrf_guard],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        include_in_schema=False,
    )
