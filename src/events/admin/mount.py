"""/admin: Piccolo Admin behind a gate that admits coalition admins only.

The gate runs before Piccolo's own checks on every request: the session cookie must belong
to an organizer who is an active admin now (``accounts.admin_for_session``). Pages without
one send the browser to the console, which opens a session (``console.AdminHandoff``);
API calls get a 401. Piccolo's own login and password change are closed: there is no
admin password to type.
"""

from __future__ import annotations

from collections.abc import Sequence
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import msgspec
from litestar import asgi
from litestar.handlers import ASGIRouteHandler
from litestar.types import Receive, Scope, Send
from piccolo_admin.endpoints import TableConfig, create_admin

from events.admin import accounts
from events.admin.entry import with_clean_entry
from events.admin.hooks import ORGANIZER_SCOPE_KEY
from events.admin.records import core_tables
from events.admin.skin import with_overrides
from events.config import Settings

PREFIX = "/admin"
HANDOFF_PATH = "/console/admin"
SESSION_COOKIE = "id"  # Piccolo's session cookie, scoped to /admin
PUBLIC_PREFIXES = ("/assets/", "/public/meta/", "/public/translations/")
CLOSED_PREFIXES = ("/public/login/", "/api/change-password/", "/api/mfa-setup/")
PROBLEM_JSON = b"application/problem+json"


async def _respond(
    send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes
) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _redirect(send: Send, location: str) -> None:
    await _respond(send, 303, [(b"location", location.encode()), (b"content-length", b"0")], b"")


async def _problem(send: Send, status: int, code: str, detail: str) -> None:
    body = msgspec.json.encode({"status": status, "code": code, "detail": detail})
    headers = [(b"content-type", PROBLEM_JSON), (b"content-length", str(len(body)).encode())]
    await _respond(send, status, headers, body)


def _session_token(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"cookie":
            morsel = SimpleCookie(value.decode("latin-1")).get(SESSION_COOKIE)
            if morsel is not None:
                return morsel.value
    return None


class AdminGate:
    def __init__(self, admin: object) -> None:
        self.admin = admin

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("raw_path") == PREFIX.encode():  # "./assets" must resolve under /admin/
            await _redirect(send, PREFIX + "/")
            return
        path = scope["path"]
        if path.startswith(CLOSED_PREFIXES):
            await _problem(
                send, 403, "console_login", "Open the admin from the console; it has no login."
            )
            return
        if not path.startswith(PUBLIC_PREFIXES):
            token = _session_token(scope)
            organizer = await accounts.admin_for_session(token) if token else None
            if organizer is None:
                if path == "/":
                    await _redirect(send, HANDOFF_PATH)
                else:
                    await _problem(
                        send, 401, "not_authenticated", "Open the admin from the console."
                    )
                return
            scope[ORGANIZER_SCOPE_KEY] = organizer  # type: ignore[literal-required]
        await self.admin(scope, receive, send)  # type: ignore[operator]


def admin_route(settings: Settings, extra_tables: Sequence[TableConfig] = ()) -> ASGIRouteHandler:
    """``extra_tables``: what bot and certs add (the core does not import them)."""
    admin = create_admin(
        tables=with_clean_entry([*core_tables(), *extra_tables]),
        site_name="Convene records",
        auto_include_related=False,
        production=settings.base_url.startswith("https://"),
        sidebar_links={"Console": "/console/"},
        allowed_hosts=[urlsplit(settings.base_url).hostname or "localhost"],
    )
    gate = AdminGate(with_overrides(admin))  # our stylesheet and landmarks (skin.py)

    @asgi(PREFIX, is_mount=True, copy_scope=True, include_in_schema=False)
    async def records(scope: Scope, receive: Receive, send: Send) -> None:
        await gate(scope, receive, send)

    return records
