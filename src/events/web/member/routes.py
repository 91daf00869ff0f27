"""The member page's router: its session cookie and HTML error pages apply to /me only.

Two layers, as in the console: the session middleware and the error pages cover all of
/me; the CSRF guard covers every page but one-click unsubscribe, whose POST comes from
mail clients without a cookie and is proven by the link's signature instead.
"""

from __future__ import annotations

from litestar import Request, Response, Router
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Redirect

from events.config import Settings
from events.errors import DomainError, NotAuthenticated
from events.web.console.session import csrf_guard
from events.web.member.links import PreferenceLinkController, UnsubscribeController
from events.web.member.pages import MemberPageController, SignInController
from events.web.member.session import session_middleware
from events.web.registration import problem_page


def sign_in_first(request: Request, _: NotAuthenticated) -> Response:
    return Redirect("/me", status_code=303)  # type: ignore[return-value]


EXCEPTION_HANDLERS = {
    NotAuthenticated: sign_in_first,
    DomainError: problem_page,
    ValidationException: problem_page,
    HTTPException: problem_page,
    Exception: problem_page,
}


def member_router(settings: Settings) -> Router:
    guarded = Router(
        path="/",
        route_handlers=[SignInController, MemberPageController, PreferenceLinkController],
        guards=[csrf_guard],
        include_in_schema=False,
    )
    return Router(
        path="/me",
        route_handlers=[guarded, UnsubscribeController],
        middleware=[session_middleware(settings)],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        include_in_schema=False,
    )
