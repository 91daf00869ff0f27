"""The console's session cookie, its CSRF check, and who is logged in.

The session is Litestar's client-side cookie backend: AES-GCM encrypted and authenticated
with a key derived from SECRET_KEY, so every process that shares SECRET_KEY reads it (no
session store), scoped to /console, HttpOnly, SameSite=Lax, Secure when BASE_URL is https.
It holds the organizer's id, a fingerprint of their password hash (a new password ends older
sessions), a CSRF token and a random session id: logging out puts the id on a list of ended
sessions until the cookie would have expired anyway (the ``console_sessions`` store, in Redis
when there is one), so a copy of the cookie stops working too.

CSRF: a per-session (synchronizer) token, checked by a guard on every unsafe request to the
console router, read from the ``csrf`` form field or htmx's ``X-CSRF-Token`` header. Not
Litestar's CSRFConfig: it is app-wide, so the bearer-token API, Slack's signed POSTs and
the public forms would all need excluding (a route added later would be protected or broken
by accident), and a token bound to the session proves more than a double-submit cookie.
SameSite=Lax already keeps the cookie off cross-site POSTs; the token covers older browsers
and same-site subdomains.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler
from litestar.middleware.session.base import SessionMiddleware
from litestar.middleware.session.client_side import (
    ClientSideSessionBackend,
    CookieBackendConfig,
)
from litestar.types import ASGIApp, Message

from events.auth import OrganizerPrincipal, organizer_for_session
from events.config import Settings, derived_key
from events.errors import Forbidden, NotAuthenticated

COOKIE = "convene_console"
SESSION_AGE = 12 * 3600  # a working day; log in again after that
ENDED_STORE = "console_sessions"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def session_config(settings: Settings) -> CookieBackendConfig:
    secret = derived_key(settings.secret_key, "convene console session")
    return CookieBackendConfig(
        secret=secret,  # 32 bytes: AES-256-GCM
        key=COOKIE,
        path="/console",
        max_age=SESSION_AGE,
        httponly=True,
        samesite="lax",
        secure=settings.base_url.startswith("https://"),
    )


class RefusalKeepsSession(SessionMiddleware):
    """Writes the session cookie only on answers below 400.

    A refused request must not touch the browser's session: a cross-site form POST arrives
    without the SameSite=Lax cookie, so its session is empty, and whatever the refusal page
    wrote (a fresh CSRF token) would replace the organizer's cookie and log them out. Any
    change a handler makes before it refuses is dropped with it."""

    def create_send_wrapper(
        self, connection: ASGIConnection
    ) -> Callable[[Message], Awaitable[None]]:
        store = super().create_send_wrapper(connection)

        async def send(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] >= 400:
                await connection.send(message)
            else:
                await store(message)

        return send


def session_middleware(settings: Settings) -> Callable[[ASGIApp], ASGIApp]:
    return cookie_session_middleware(session_config(settings))


def cookie_session_middleware(config: CookieBackendConfig) -> Callable[[ASGIApp], ASGIApp]:
    """A middleware factory rather than ``config.middleware``: routers are deep-copied when
    registered, and the cookie backend's AES-GCM key object cannot be copied. (The member
    page's session is made the same way, with its own config.)"""
    backend = ClientSideSessionBackend(config=config)

    def wrap(app: ASGIApp) -> ASGIApp:
        return RefusalKeepsSession(app, backend=backend)

    return wrap


def csrf_token(request: Request) -> str:
    """The session's token, made on first use (the login page makes it for anonymous users)."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.set_session({**request.session, "csrf": token})
    return token


def start_session(request: Request, organizer: OrganizerPrincipal, fingerprint: str) -> None:
    fresh_session(request, organizer=organizer.id, pw=fingerprint)


def fresh_session(request: Request, **identity: object) -> None:
    # A fresh dict and a new CSRF token: nothing from before the login survives it.
    request.set_session(
        {**identity, "csrf": secrets.token_urlsafe(32), "sid": secrets.token_urlsafe(16)}
    )


async def end_session(
    request: Request, store: str = ENDED_STORE, lifetime: int = SESSION_AGE
) -> None:
    """``store``: where ended session ids are kept, until the cookie would have expired."""
    session_id = request.session.get("sid")
    if isinstance(session_id, str):
        await request.app.stores.get(store).set(session_id, b"1", expires_in=lifetime)
    request.clear_session()


async def csrf_guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    if connection.scope["method"] in SAFE_METHODS:
        return
    expected = connection.session.get("csrf") if connection.session else None
    sent = connection.headers.get("x-csrf-token")
    if not sent:
        # Parsed once: Litestar keeps the form in the connection's state for the handler.
        # The app's request class: it turns an unreadable form into a 400, not a 500.
        request_class = connection.route_handler.resolve_request_class()  # type: ignore[attr-defined]
        form = await request_class(connection.scope, connection.receive).form()
        sent = form.get("csrf")
    if not (expected and isinstance(sent, str) and hmac.compare_digest(expected, sent)):
        raise Forbidden("This form has expired. Reload the page and try again.")


async def provide_console_organizer(request: Request) -> OrganizerPrincipal:
    session = request.session
    organizer_id, fingerprint = session.get("organizer"), session.get("pw")
    session_id = session.get("sid")
    if (
        isinstance(organizer_id, int)
        and isinstance(fingerprint, str)
        and isinstance(session_id, str)
        and not await request.app.stores.get(ENDED_STORE).exists(session_id)
    ):
        organizer = await organizer_for_session(organizer_id, fingerprint)
        if organizer is not None:
            return organizer
    raise NotAuthenticated("Log in to the console.")
