"""After a refused submit the focus starts at the error summary, not at the top of the page
(issue 11, item 20): the public registration form and the console's forms."""

from __future__ import annotations

from playwright.async_api import expect

from tests.support.browser import log_in


async def test_a_refused_registration_focuses_the_error_summary(page, client, world, accessible):
    event = await world.create_event(client, title="Focus Workshop", capacity=5)
    await page.goto(f"/events/{event['slug']}/register")
    await page.get_by_label("Your name").fill("   ")  # passes "required", not the server
    await page.get_by_label("Email address").fill("dana@denvergov.test")
    await page.get_by_role("button", name="Register").click()
    summary = page.locator("#form-errors")
    await expect(summary).to_be_focused()
    await expect(summary).to_contain_text("Please correct")
    await accessible(page, "the registration form with errors")


async def test_a_refused_console_form_focuses_the_error_summary(page, world):
    await log_in(page, "co@nscp.test")
    await page.goto("/console/new-event")
    await page.get_by_label("Title").fill("Focus Roundtable")
    await page.get_by_label("Kind").select_option("workshop")
    await page.get_by_label("Colorado Smart Cities Alliance").check()
    await page.get_by_label("Time zone").fill("Mars/Olympus_Mons")
    await page.get_by_role("button", name="Create draft").click()
    await expect(page.locator("#form-errors")).to_be_focused()
