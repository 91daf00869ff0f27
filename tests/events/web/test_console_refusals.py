"""A refused console request leaves the browser's session alone (issue 11, item 17).

A cross-site form POST arrives without the SameSite=Lax session cookie; the refusal must
not answer with a Set-Cookie that would replace the organizer's session."""

from __future__ import annotations

import httpx

from tests.events.web.test_console import HX, console, csrf_of, token_on


def _session_cookies(response: httpx.Response) -> list[str]:
    return [
        value
        for value in response.headers.get_list("set-cookie")
        if value.startswith("convene_console")
    ]


async def test_a_cross_site_post_is_refused_without_touching_the_session(client, world):
    event = await world.create_event(client)
    slug = event["slug"]
    targets = [
        "/console/logout",
        "/console/login",
        f"/console/events/{slug}/registrations/1/approve",
        f"/console/events/{slug}/checkin/1/1",
        "/console/organizers",
        "/console/password/forged-token",
    ]
    async with console(client, "co@nscp.test") as browser:
        # What the attacker's page sends: no cookie (SameSite=Lax), no token.
        async with httpx.AsyncClient(base_url=client.base_url, timeout=30) as cross_site:
            for target in targets:
                refused = await cross_site.post(target, data={"email": "co@nscp.test"})
                assert 400 <= refused.status_code < 500, (target, refused.status_code)
                assert _session_cookies(refused) == [], target
        # The same refusals with the organizer's cookie (a same-site page without the
        # token) do not rewrite or clear it either.
        for target in targets:
            refused = await browser.post(target, data={"csrf": "forged"}, headers=HX)
            assert 400 <= refused.status_code < 500, (target, refused.status_code)
            assert _session_cookies(refused) == [], target
        assert (await browser.get("/console")).status_code == 200  # still logged in
        assert await token_on(browser, "/console")


async def test_a_failed_login_does_not_replace_the_anonymous_session(client, world):
    page = await client.get("/console/login")
    token = csrf_of(page.text)
    failed = await client.post(
        "/console/login", data={"email": "co@nscp.test", "password": "wrong", "csrf": token}
    )
    assert failed.status_code == 401 and _session_cookies(failed) == []
    assert csrf_of(failed.text) == token  # the form still carries the session's token
