"""Security headers on every answer (issue 11, item 21): a strict Content-Security-Policy,
no framing, nosniff, a referrer policy (none at all on pages whose URL is a secret), and
HSTS when BASE_URL is https. Through the real server."""

from __future__ import annotations

import httpx

from events.web import security
from tests.events.web.test_console import console


def _directives(response: httpx.Response) -> dict[str, str]:
    policy = response.headers["content-security-policy"]
    return {
        name: value.strip()
        for name, _, value in (part.strip().partition(" ") for part in policy.split(";"))
    }


def _assert_protected(response: httpx.Response, referrer: str) -> None:
    headers = response.headers
    assert headers["x-frame-options"] == "DENY", response.url
    assert headers["x-content-type-options"] == "nosniff", response.url
    assert headers["referrer-policy"] == referrer, response.url
    assert "strict-transport-security" not in headers  # BASE_URL is http in the tests
    directives = _directives(response)
    assert directives["frame-ancestors"] == "'none'", response.url


async def test_pages_api_and_console_send_a_strict_policy(client, world):
    event = await world.create_event(client)
    paths = [
        "/events",
        f"/events/{event['slug']}",
        f"/events/{event['slug']}/register",
        "/regions",
        "/no-such-page",  # the 404 page, answered outside any route
        "/api/events",
        "/console/login",
        "/static/convene.css",
        "/verify/NOPE-NOPE",
    ]
    for path in paths:
        response = await client.get(path, headers={"Accept": "text/html"})
        _assert_protected(response, "strict-origin-when-cross-origin")
        directives = _directives(response)
        assert directives["script-src"] == "'self'", path  # no inline script, no eval
        assert directives["style-src"] == "'self'", path
        assert directives["form-action"] == "'self'" and directives["object-src"] == "'none'"
    async with console(client, "co@nscp.test") as browser:
        _assert_protected(await browser.get("/console"), "strict-origin-when-cross-origin")
        # A refusal carries the headers too.
        _assert_protected(await browser.post("/console/logout"), "strict-origin-when-cross-origin")


async def test_secret_links_send_no_referrer(client, world):
    person = await world.member()
    link = (await client.get("/api/me/calendar", headers=person.headers)).json()["url"]
    paths = [
        "/registrations/manage/" + "m" * 43,
        "/registrations/confirm/" + "c" * 43,
        "/console/password/not-a-real-token",
        link.split("://", 1)[1].partition("/")[2],
    ]
    for path in paths:
        response = await client.get("/" + path.lstrip("/"))
        _assert_protected(response, "no-referrer")


async def test_the_admin_and_the_api_docs_have_their_own_policies(client, world):
    admin = await client.get("/admin/assets/nothing.js")  # no session needed: no page
    _assert_protected(admin, "strict-origin-when-cross-origin")
    directives = _directives(admin)
    assert directives["script-src"] == "'self'"  # the admin runs no inline script or eval
    assert "'unsafe-inline'" in directives["style-src"]  # Vue sets style attributes
    docs = await client.get("/schema/swagger")
    assert docs.status_code == 200
    _assert_protected(docs, "strict-origin-when-cross-origin")


async def test_hsts_is_sent_when_base_url_is_https():
    for base_url, expected in (("https://events.nscp.example", True), ("http://x", False)):
        message = {"type": "http.response.start", "status": 200, "headers": []}
        scope = {"type": "http", "path": "/events", "raw_path": b"/events", "headers": []}
        await security.security_headers(base_url)(message, scope)  # type: ignore[arg-type]
        names = {name for name, _ in message["headers"]}
        assert (b"strict-transport-security" in names) is expected
