"""An organizer creates, schedules and publishes an event in the console, in Chromium,
with axe-core checking each form."""

from __future__ import annotations

from tests.support.browser import log_in, screenshot
from tests.support.clock import days_from_today


async def test_an_organizer_creates_schedules_and_publishes_an_event(page, world, accessible):
    await log_in(page, "co@nscp.test")
    await page.get_by_role("link", name="New event").click()
    await page.get_by_role("heading", name="New event").wait_for()
    await accessible(page, "the new event form")

    await page.get_by_label("Title").fill("Smart Corridors Roundtable")
    await page.get_by_label("Kind").select_option("workshop")
    await page.get_by_label("Colorado Smart Cities Alliance").check()
    await page.get_by_label("Transportation").check()
    await page.get_by_label("Time zone").fill("America/Denver")
    await page.get_by_label("Venue (optional)", exact=True).fill("Denver City Hall")
    await page.get_by_role("button", name="Create draft").click()

    await page.get_by_role("heading", name="Sessions: Smart Corridors Roundtable").wait_for()
    day = days_from_today(21).date().isoformat()
    await page.get_by_label("Title").fill("Morning roundtable")
    await page.get_by_label("Starts").fill(f"{day}T09:00")
    await page.get_by_label("Ends").fill(f"{day}T11:30")
    await page.get_by_role("button", name="Add session").click()
    await page.get_by_role("cell", name="Morning roundtable").first.wait_for()
    await accessible(page, "the sessions page")
    await screenshot(page, "23-console-event-sessions")

    await page.get_by_role("button", name="Publish the event").click()
    await page.get_by_role("heading", name="Registrations by status").wait_for()  # the dashboard
    assert await page.get_by_text("published", exact=True).is_visible()

    await page.goto("/events/smart-corridors-roundtable")
    await page.get_by_role("heading", name="Smart Corridors Roundtable").wait_for()
    assert "9:00 AM" in await page.content()
