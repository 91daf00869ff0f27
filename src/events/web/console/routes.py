"""The console's router: its session cookie, CSRF guard and HTML errors apply to its pages
only, never to the API or the public pages.

Two layers: the session middleware and the HTML error pages cover all of /console; the
CSRF guard covers an inner router holding every page but the emailed password link's
(``password_pages``), whose POST comes from someone without a session and is proven by the
link's own HMAC token instead.
"""

from __future__ import annotations

from litestar import Router

from events.admin.console import AdminHandoffController
from events.config import Settings
from events.web.console.announcement_pages import AnnouncementPagesController
from events.web.console.event_pages import EventEditorController, SessionEditorController
from events.web.console.organizer_pages import OrganizerAdminController
from events.web.console.pages import CheckInController, ConsoleController, LoginController
from events.web.console.password_pages import PasswordLinkController
from events.web.console.question_pages import QuestionEditorController
from events.web.console.responses import EXCEPTION_HANDLERS
from events.web.console.session import csrf_guard, session_middleware


def console_router(settings: Settings, extra: list | None = None) -> Router:
    """``extra``: the console pages of certs and bot (the core does not import them)."""
    guarded = Router(
        path="/",
        route_handlers=[
            LoginController,
            ConsoleController,
            CheckInController,
            EventEditorController,
            SessionEditorController,
            QuestionEditorController,
            AnnouncementPagesController,
            OrganizerAdminController,
            AdminHandoffController,
            *(extra or []),
        ],
        guards=[csrf_guard],
        include_in_schema=False,
    )
    return Router(
        path="/console",
        route_handlers=[guarded, PasswordLinkController],
        middleware=[session_middleware(settings)],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        include_in_schema=False,
    )
