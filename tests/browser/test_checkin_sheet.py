"""The check-in sheet with the keyboard and on a phone, and long words on every page at a
phone's width (issue 11, item 16)."""

from __future__ import annotations

from playwright.async_api import expect

from tests.support.browser import log_in
from tests.support.certificates import held_event, register

PHONE = {"width": 390, "height": 844}
LONG_WORD = "Verkehrsinfrastrukturfinanzierungsgesellschaftsberatungsleistungen" * 2
PAGE_WIDTH = "() => document.documentElement.scrollWidth"


async def test_keyboard_check_in_keeps_the_focus_and_the_tally_follows(page, client, world):
    event = await held_event(client, world, title="Door Test", capacity=10)
    slug = event["slug"]
    ana, bob, cy = [
        await world.member(name=name) for name in ("Ana Arrival", "Bob Later", "Cy Last")
    ]
    ids = [await register(client, event, person) for person in (ana, bob, cy)]
    await log_in(page, "co@nscp.test")
    await page.goto(f"/console/events/{slug}/checkin")
    count = page.locator(".sheet-count")
    await expect(count).to_have_text("0 of 3 checked in")

    # Enter on Ana's "Tap to check in": she is in, the focus moves on to Bob, the tally follows.
    await page.locator(f"#reg-{ids[0]} .sheet-button").focus()
    await page.keyboard.press("Enter")
    await expect(page.locator(f"#reg-{ids[0]} .sheet-state")).to_contain_text("Checked in")
    await expect(count).to_have_text("1 of 3 checked in")
    await expect(page.locator(f"#reg-{ids[1]} .sheet-button")).to_be_focused()

    # Enter again checks Bob in and goes on to Cy.
    await page.keyboard.press("Enter")
    await expect(page.locator(f"#reg-{ids[1]} .sheet-state")).to_contain_text("Checked in")
    await expect(count).to_have_text("2 of 3 checked in")
    await expect(page.locator(f"#reg-{ids[2]} .sheet-button")).to_be_focused()

    # Undo Bob with the keyboard: the focus stays on his row, on its check-in button.
    await page.locator(f"#reg-{ids[1]} .sheet-undo").focus()
    await page.keyboard.press("Enter")
    await expect(page.locator(f"#reg-{ids[1]} .sheet-state")).to_have_text("Tap to check in")
    await expect(count).to_have_text("1 of 3 checked in")
    await expect(page.locator(f"#reg-{ids[1]} .sheet-button")).to_be_focused()

    # The last person: nobody after them, so the focus stays on their Undo.
    await page.locator(f"#reg-{ids[2]} .sheet-button").focus()
    await page.keyboard.press("Enter")
    await expect(count).to_have_text("2 of 3 checked in")
    await expect(page.locator(f"#reg-{ids[2]} .sheet-undo")).to_be_focused()

    # A reload agrees with what the tally said.
    await page.reload()
    await expect(count).to_have_text("2 of 3 checked in")


async def test_a_long_name_keeps_the_sheet_and_undo_on_a_phone(page, client, world):
    event = await held_event(client, world, title=f"Door {LONG_WORD[:150]}", capacity=10)
    slug = event["slug"]
    person = await world.member(name=LONG_WORD[:190])
    registration = await register(client, event, person)
    await page.set_viewport_size(PHONE)
    await log_in(page, "co@nscp.test")
    await page.goto(f"/console/events/{slug}/checkin")
    await page.locator(f"#reg-{registration} .sheet-button").click()
    undo = page.locator(f"#reg-{registration} .sheet-undo")
    await expect(undo).to_be_visible()
    box = await undo.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    assert await page.evaluate(PAGE_WIDTH) <= PHONE["width"]


async def test_no_page_grows_wider_than_a_phone_with_long_words(page, client, world):
    slug = "a" * 60 + "-" + "b" * 59
    event = await world.create_event(
        client,
        slug=slug,
        title=LONG_WORD[:200],
        summary=LONG_WORD[:200],
        description=f"See https://example.org/{LONG_WORD} and {LONG_WORD}",
        venue={"name": LONG_WORD[:200], "address": LONG_WORD[:200]},
        sessions=[
            {
                "title": LONG_WORD[:200],
                "starts_at": "2031-05-06T15:00:00+00:00",
                "ends_at": "2031-05-06T18:00:00+00:00",
            }
        ],
    )
    await register(client, event, await world.member(name=LONG_WORD[:190]))
    await page.set_viewport_size(PHONE)
    public = ["/events", f"/events/{slug}", f"/events/{slug}/register", "/regions/colorado"]
    console = [
        "/console",
        f"/console/events/{slug}",
        f"/console/events/{slug}/checkin",
        f"/console/events/{slug}/edit",
        f"/console/events/{slug}/sessions",
        f"/console/events/{slug}/certificates",
    ]
    await log_in(page, "admin@nscp.test")
    for path in public + console:
        response = await page.goto(path)
        assert response is not None and response.status == 200, path
        assert await page.evaluate(PAGE_WIDTH) <= PHONE["width"], path
