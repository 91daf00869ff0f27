"""Piccolo Admin in a real browser: an admin opens it from the console and edits an event
with its own form, which sends the whole row back (dates without their sub-seconds)."""

from __future__ import annotations

from events.db import fetch_one
from tests.support.browser import log_in, screenshot
from tests.support.polling import eventually


async def test_an_admin_edits_an_event_in_piccolo_admin(page, client, world, accessible):
    event = await world.create_event(client, title="Curb Data Workshop")
    row = await fetch_one("SELECT id FROM event WHERE slug = {}", event["slug"])
    assert row is not None
    await log_in(page, "admin@nscp.test")
    await page.get_by_role("link", name="Records").click()
    await page.wait_for_url("**/admin/**")
    await page.get_by_text("Event Session").first.wait_for()
    await screenshot(page, "20-admin-home")
    await accessible(page, "Piccolo Admin's home")
    assert await page.locator("[role=main]").count() == 1  # a main landmark, exactly one

    await page.goto(f"/admin/#/event/{row['id']}/")
    title = page.locator("input[name=title]")
    await title.wait_for()
    await accessible(page, "Piccolo Admin's event form")
    assert await page.locator("[role=main]").count() == 1
    await title.fill("Curb Data Workshop (moved online)")
    await page.locator("[data-uitest=save_button]").click()

    async def renamed():
        found = await fetch_one("SELECT title FROM event WHERE id = {}", row["id"])
        return found and found["title"] == "Curb Data Workshop (moved online)"

    assert await eventually(renamed)
    await screenshot(page, "21-admin-event-saved")

    # The form was not reloaded after the save: saving again sends its old updated_at
    # back, and a slug change is refused with the reason next to the form.
    await page.locator("input[name=slug]").fill("another-slug")
    await page.locator("[data-uitest=save_button]").click()
    await page.get_by_text("Links and calendar feeds use the slug").first.wait_for()
    await screenshot(page, "22-admin-event-refused")
    assert await fetch_one("SELECT id FROM event WHERE slug = {}", event["slug"])
