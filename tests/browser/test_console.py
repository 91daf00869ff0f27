"""The organizer console in a real browser: logging in with the keyboard alone, the
dashboard, and the check-in sheet (htmx search, tapping a name)."""

from __future__ import annotations

import re

from playwright.async_api import expect

from events.db import fetch
from events.services.organizers import set_password
from tests.support.browser import PASSWORD, screenshot
from tests.support.certificates import held_event, register

FOCUSED = """() => {
    const el = document.activeElement;
    return el ? (el.id || el.getAttribute("href") || el.tagName.toLowerCase()) : null;
}"""


async def tab_until(page, target: str, limit: int = 30) -> list[str]:
    """Press Tab until the element with id/href ``target`` has the focus; the focus path."""
    path = []
    for _ in range(limit):
        await page.keyboard.press("Tab")
        path.append(await page.evaluate(FOCUSED))
        if path[-1] == target:
            return path
    raise AssertionError(f"{target} was not reached with Tab; the focus went {path}")


async def test_logging_in_and_checking_people_in(page, client, world, accessible):
    event = await held_event(client, world, title="Traffic Signals Summit", capacity=20)
    slug = event["slug"]
    session_id = event["sessions"][0]["id"]
    ana = await world.member(name="Ana Arrival")
    bob = await world.member(name="Bob Later")
    ana_id = await register(client, event, ana)
    await register(client, event, bob)
    await set_password("co@nscp.test", PASSWORD)

    # The login page with the keyboard only: the skip link first, then the fields.
    await page.goto("/console/login")
    await page.get_by_role("heading", name="Organizer login").wait_for()
    await screenshot(page, "08-console-login")
    await accessible(page, "the console login")
    await page.keyboard.press("Tab")
    assert await page.evaluate(FOCUSED) == "#main", "the skip link is not the first Tab stop"
    assert await page.locator(".skip-link").is_visible()  # shown when it has the focus
    await page.keyboard.press("Enter")
    assert await page.evaluate(FOCUSED) == "main"  # the skip link moved the focus
    await page.keyboard.press("Tab")
    assert await page.evaluate(FOCUSED) == "email"
    await page.keyboard.type("co@nscp.test")
    await page.keyboard.press("Tab")
    assert await page.evaluate(FOCUSED) == "password"
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.textContent.trim()") == "Log in"
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/console")
    await page.get_by_text("Traffic Signals Summit").first.wait_for()

    # The event's dashboard.
    await page.goto(f"/console/events/{slug}")
    await page.get_by_role("heading", name="Traffic Signals Summit", level=1).wait_for()
    assert await page.locator("#count-confirmed").inner_text() == "2"
    await screenshot(page, "09-console-dashboard")
    await accessible(page, "the console dashboard")

    # The check-in sheet.
    await page.get_by_role("link", name="Check-in sheet").click()
    await page.wait_for_url(f"**/console/events/{slug}/checkin")
    count = page.locator(".sheet-count")
    assert await count.inner_text() == "0 of 2 checked in"
    await screenshot(page, "10-checkin-sheet")
    await accessible(page, "the check-in sheet")

    # With the keyboard: the skip link, then the session and the search box, in that order.
    await page.locator("body").focus()
    path = await tab_until(page, "q")
    assert path[0] == "#main", path
    assert "session" in path and path.index("session") < path.index("q"), path

    # Typing a name filters the rows (htmx swaps the sheet, the URL follows).
    await page.keyboard.type("ana")
    await page.get_by_text("matching “ana”").wait_for()
    await page.wait_for_url(re.compile(r"[?&]q=ana"))
    await expect(page.locator(".sheet-rows > li")).to_have_count(1)
    await expect(page.get_by_text("Bob Later")).to_have_count(0)

    # Tapping the name checks the person in: the row changes in place.
    await page.get_by_role("button", name=re.compile("Ana Arrival")).click()
    row = page.locator(f"#reg-{ana_id}")
    await expect(row.locator(".sheet-state")).to_contain_text("Checked in")
    await expect(row).to_have_class(re.compile(r"\bis-in\b"))  # once htmx has settled
    assert await page.get_by_role("button", name="Undo check-in of Ana Arrival").is_visible()
    await screenshot(page, "11-checkin-sheet-checked-in")
    await accessible(page, "the check-in sheet after a check-in")

    attendance = await fetch(
        "SELECT a.registration, o.email FROM attendance a "
        "JOIN organizer o ON o.id = a.checked_in_by WHERE a.session = {}",
        session_id,
    )
    assert [(row["registration"], row["email"]) for row in attendance] == [(ana_id, "co@nscp.test")]

    # A reload shows the same: 1 of 2.
    await page.goto(f"/console/events/{slug}/checkin")
    assert await page.locator(".sheet-count").inner_text() == "1 of 2 checked in"
