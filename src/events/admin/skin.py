"""Convene's fixes to Piccolo Admin's pages, without patching the package: its index page
gets one stylesheet and one script of ours (``/static/admin.css``, ``/static/admin.js``),
served as files so the admin's Content-Security-Policy needs no inline code.

- admin.css: the light theme's blue bar and buttons carry white text at 3.72:1; a darker
  blue passes WCAG AA (4.5:1).
- admin.js: the Vue app renders no landmarks; the script names its header, its table list
  (navigation) and its content (main) as Vue renders them.
"""

from __future__ import annotations

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from events.web.templating import asset_url


def _tags() -> bytes:
    return (
        f'<link rel="stylesheet" href="{asset_url("admin.css")}">'
        f'<script src="{asset_url("admin.js")}" defer></script></head>'
    ).encode()


def with_overrides(admin: ASGIApp) -> ASGIApp:
    """Adds our tags to the admin's HTML page (the only text/html it sends)."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        start: Message | None = None
        chunks: list[bytes] = []

        async def rewrite(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers", []))
                if headers.get(b"content-type", b"").startswith(b"text/html"):
                    start = message  # held until the whole page is here
                    return
            elif start is not None and message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if message.get("more_body"):
                    return
                body = b"".join(chunks).replace(b"</head>", _tags(), 1)
                headers = [
                    (name, value)
                    for name, value in start.get("headers", [])
                    if name.lower() != b"content-length"
                ]
                headers.append((b"content-length", str(len(body)).encode()))
                await send({**start, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
            await send(message)

        await admin(scope, receive, rewrite)

    return app
