"""The member page's session cookie: the console's design (web/console/session.py), with
its own key and cookie.

Litestar's client-side cookie, AES-GCM under ``derived_key(SECRET_KEY, "convene member
session")``, scoped to /me, HttpOnly, SameSite=Lax, Secure when BASE_URL is https. It holds
the member's id, a CSRF token (the console's synchronizer token and guard) and a random
session id: signing out lists the id in the ``member_sessions`` store until the cookie
would have expired anyway, so a copy of the cookie stops working too. Erasing the member
ends every session at once (``member_page.signed_in`` checks ``erased_at``).
"""

from __future__ import annotations

from collections.abc import Callable

from litestar import Request
from litestar.middleware.session.client_side import CookieBackendConfig
from litestar.types import ASGIApp

from events.auth import MemberPrincipal
from events.config import Settings, derived_key
from events.errors import NotAuthenticated
from events.services import member_page
from events.web.console.session import cookie_session_middleware, fresh_session
from events.web.console.session import end_session as end_console_style_session

COOKIE = "convene_member"
SESSION_AGE = 12 * 3600
ENDED_STORE = "member_sessions"


def session_config(settings: Settings) -> CookieBackendConfig:
    return CookieBackendConfig(
        secret=derived_key(settings.secret_key, "convene member session"),
        key=COOKIE,
        path="/me",
        max_age=SESSION_AGE,
        httponly=True,
        samesite="lax",
        secure=settings.base_url.startswith("https://"),
    )


def session_middleware(settings: Settings) -> Callable[[ASGIApp], ASGIApp]:
    return cookie_session_middleware(session_config(settings))


def start_session(request: Request, member_id: int) -> None:
    fresh_session(request, member=member_id)


async def end_session(request: Request) -> None:
    await end_console_style_session(request, ENDED_STORE, SESSION_AGE)


async def member_of_session(request: Request) -> MemberPrincipal | None:
    member_id, session_id = request.session.get("member"), request.session.get("sid")
    if not (isinstance(member_id, int) and isinstance(session_id, str)):
        return None
    if await request.app.stores.get(ENDED_STORE).exists(session_id):
        return None
    try:
        return await member_page.signed_in(member_id)
    except NotAuthenticated:
        return None


async def provide_session_member(request: Request) -> MemberPrincipal:
    member = await member_of_session(request)
    if member is None:
        raise NotAuthenticated("Sign in to see your page.")
    return member
