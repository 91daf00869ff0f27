"""The member page in a real browser: asking for a sign-in link, the emailed link and its
button, the page (accessible, no CSP violation), the copy button, cancelling."""

from __future__ import annotations

from events.db import fetch_one
from tests.support.browser import screenshot
from tests.support.member_page import emailed_sign_in_link


async def test_signing_in_and_using_the_page(page, client, world, smtp_server, accessible):
    event = await world.create_event(
        client,
        title="Open Data Clinic",
        questions=[{"key": "diet", "label": "Dietary needs", "kind": "text"}],
    )
    person = await world.member(name="Bea Browser")
    response = await client.post(
        f"/api/events/{event['slug']}/registration", json={"answers": {"diet": "Vegetarian"}},
        headers=person.headers,
    )  # fmt: skip
    assert response.status_code == 201

    await page.goto("/me")
    await accessible(page, "the member sign-in form")
    await page.get_by_label("Email address").fill(person.email)
    await page.get_by_role("button", name="Email me a sign-in link").click()
    await page.get_by_role("heading", name="Check your email").wait_for()
    link = await emailed_sign_in_link(smtp_server, person.email)
    await page.goto(link.group(0))
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_role("heading", name="Your page").wait_for()
    main = await page.locator("main").inner_text()
    assert "Open Data Clinic" in main and "Vegetarian" in main and "Bea Browser" in main
    await screenshot(page, "30-member-page")
    await accessible(page, "the member page")

    await page.get_by_role("button", name="Copy").click()
    copied = page.locator('[data-copied-for="calendar-url"]')
    await copied.filter(has_text="C").wait_for()  # "Copied." or how to copy by hand

    await page.get_by_role("button", name="Cancel my registration for Open Data Clinic").click()
    await page.get_by_text("Your registration for Open Data Clinic is cancelled.").wait_for()
    row = await fetch_one("SELECT status FROM registration WHERE member = {}", person.id)
    assert row["status"] == "cancelled"
