"""Helpers for the member page's tests: signing in as a person would, forms' CSRF tokens."""

from __future__ import annotations

import re

import httpx

from events.enums import Channel
from events.services import member_logins
from tests.support.polling import eventually

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
SIGN_IN_LINK = re.compile(r"(https?://[^\s\"<>]+)/me/sign-in/([A-Za-z0-9_-]{43})")


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, html[:2000]
    return found.group(1)


async def follow_sign_in_link(client: httpx.AsyncClient, token: str) -> httpx.Response:
    """Open the link (a page with a button) and press the button."""
    page = await client.get(f"/me/sign-in/{token}")
    assert page.status_code == 200, page.text
    return await client.post(f"/me/sign-in/{token}", data={"csrf": csrf_of(page.text)})


async def sign_in(client: httpx.AsyncClient, member_id: int) -> str:
    """Sign ``client`` in as the member, through a link like the Slack bot's; the page."""
    url = await member_logins.issue_link(member_id, Channel.slack)
    response = await follow_sign_in_link(client, url.rsplit("/", 1)[1])
    assert response.status_code == 303, response.text
    page = await client.get("/me")
    assert page.status_code == 200 and "Sign out" in page.text, page.text
    return page.text


async def post_form(
    client: httpx.AsyncClient, path: str, page: str, **fields: str
) -> httpx.Response:
    """POST a form of the member page with the page's CSRF token."""
    return await client.post(path, data={"csrf": csrf_of(page), **fields})


async def emailed_sign_in_link(smtp_server, email: str, count: int = 1) -> re.Match:
    """The link of the ``count``-th sign-in email to ``email`` (other emails may reach the
    same address: registration messages), once it has arrived."""

    def links() -> list[re.Match]:
        found = (SIGN_IN_LINK.search(r.text) for r in smtp_server.received(email))
        return [match for match in found if match]

    async def arrived() -> bool:
        return len(links()) >= count

    assert await eventually(arrived), f"no sign-in email reached {email}"
    return links()[count - 1]
