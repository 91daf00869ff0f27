"""What the security headers and the console's session do in a real browser (issue 11,
items 17 and 21): another site can neither frame the console nor log an organizer out,
and an inline script on a Convene page is refused (and reported, which fails the other
browser tests). These tests watch violations themselves, so they use their own contexts."""

from __future__ import annotations

import pytest

from tests.support.browser import log_in, watch_csp
from tests.support.polling import eventually

ATTACKER = "http://attacker.test"  # served by Playwright's router, never on the network


@pytest.fixture
async def context(browser, server: str):
    opened = await browser.new_context(base_url=server, locale="en-US")
    opened.set_default_timeout(10_000)
    try:
        yield opened
    finally:
        await opened.close()


async def _attacker_page(context, html: str):
    async def fulfill(route) -> None:
        await route.fulfill(status=200, content_type="text/html", body=html)

    await context.route(f"{ATTACKER}/**", fulfill)
    page = await context.new_page()
    return page


async def test_another_site_cannot_frame_the_console(context, server, world):
    page = await _attacker_page(
        context, f'<iframe id="f" src="{server}/console/login" title="x"></iframe>'
    )
    await page.goto(f"{ATTACKER}/frame")
    await page.wait_for_load_state("load")
    framed = [frame for frame in page.frames if frame is not page.main_frame]
    assert framed, "the iframe was not created"
    # Chromium replaces a refused frame with its error page: no console in it.
    assert not framed[0].url.startswith(server)
    assert await framed[0].locator("#email").count() == 0


async def test_a_cross_site_form_post_does_not_log_the_organizer_out(context, server, world):
    page = await context.new_page()
    await log_in(page, "co@nscp.test")
    attacker = await _attacker_page(
        context,
        f'<form method="post" action="{server}/console/logout">'
        '<input name="x" value="1"><button id="go">Win a prize</button></form>',
    )
    await attacker.goto(f"{ATTACKER}/prize")
    async with attacker.expect_navigation():
        await attacker.locator("#go").click()
    assert attacker.url == f"{server}/console/logout"
    assert "expired" in await attacker.content()  # refused: no token, no cookie
    await page.goto("/console")
    assert page.url.endswith("/console"), page.url  # still logged in
    await page.get_by_role("button", name="Log out").wait_for()


async def test_an_inline_script_on_a_page_is_refused_and_reported(context, world):
    violations = await watch_csp(context)
    page = await context.new_page()
    await page.goto("/events")
    ran = await page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.injected = true";
            document.body.append(script);
            return window.injected === true;
        }"""
    )
    assert ran is False

    async def reported() -> bool:
        return any("script-src" in text for text in violations)

    assert await eventually(reported), violations
