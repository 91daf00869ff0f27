"""Security headers on every answer: one ``before_send`` hook, wired in app.py.

- Content-Security-Policy: scripts and styles come only from Convene's own files (no
  inline script or style, no eval; htmx is told not to inject its indicator style), the
  page may not be framed (``frame-ancestors 'none'``, and X-Frame-Options for old
  browsers), forms post only to Convene.
- Piccolo Admin (/admin) is a compiled Vue app that sets style attributes and loads fonts
  as data URLs: it gets a looser policy (inline styles, data: fonts), still without inline
  script or eval. The OpenAPI pages (/schema) load Swagger UI from its CDN with an inline
  start-up script; they hold no secret and the console's cookie is not theirs, but they
  stay unframeable.
- Referrer-Policy: strict-origin-when-cross-origin, or no-referrer on pages whose URL is
  the secret (manage, confirmation, password and calendar links): their handlers say so
  with ``opt=SECRET_URL``, so a link followed from them (the map, the online session) does
  not carry the token away.
- X-Content-Type-Options: nosniff; Strict-Transport-Security when BASE_URL is https.

A header the handler set itself is left as it is.
"""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import BeforeMessageSendHookHandler, Message, Scope

SECRET_URL = {"secret_url": True}  # a handler's ``opt``: its URL carries a capability

_COMMON = "frame-ancestors 'none'; base-uri 'none'; object-src 'none'; form-action 'self'"
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    f"font-src 'self'; connect-src 'self'; {_COMMON}"
)
ADMIN_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    f"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; {_COMMON}"
)
SCHEMA_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https:; "
    f"font-src 'self' data: https://cdn.jsdelivr.net; connect-src 'self'; {_COMMON}"
)
_POLICIES = (("/admin", ADMIN_POLICY), ("/schema", SCHEMA_POLICY))
HSTS = "max-age=31536000"


def policy_for(path: str) -> str:
    for prefix, policy in _POLICIES:
        if path == prefix or path.startswith(prefix + "/"):
            return policy
    return PAGE_POLICY


def _referrer_policy(scope: Scope) -> str:
    handler = scope.get("route_handler")
    opt = getattr(handler, "opt", None) or {}
    return "no-referrer" if opt.get("secret_url") else "strict-origin-when-cross-origin"


def security_headers(base_url: str) -> BeforeMessageSendHookHandler:
    https = base_url.startswith("https://")

    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        # The mounted admin sees its path without the prefix; the raw path is the same
        # for every app, mounted or not.
        path = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
        wanted = {
            "content-security-policy": policy_for(path),
            "x-frame-options": "DENY",
            "x-content-type-options": "nosniff",
            "referrer-policy": _referrer_policy(scope),
        }
        if https:
            wanted["strict-transport-security"] = HSTS
        for name, value in wanted.items():
            if name not in headers:
                headers[name] = value

    return add_headers
