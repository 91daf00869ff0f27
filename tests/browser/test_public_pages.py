"""The public pages in a real browser: they render, pass axe-core, and are photographed."""

from __future__ import annotations

import pytest

from tests.support.browser import assert_accessible, screenshot
from tests.support.certificates import attended_certificate


async def test_the_public_pages_are_accessible(page, client, world, accessible):
    event = await world.create_event(
        client,
        title="Smart Streetlights Workshop",
        summary="Sensors, dimming schedules and procurement, with the people who did it.",
        description="Bring your questions about **pilots** and procurement.",
        capacity=40,
        credit_hours=3,
    )
    await world.create_event(client, title="Connective Broadband Forum", regions=["the-connective"])

    await page.goto("/events")
    await page.get_by_role("heading", name="Events", level=1).wait_for()
    assert await page.get_by_role("link", name="Smart Streetlights Workshop").count() == 1
    await screenshot(page, "01-events-list")
    await accessible(page, "the events list")

    # The search box filters through htmx; the page stays usable and accessible.
    await page.get_by_label("Search").fill("Broadband")
    await page.get_by_role("button", name="Apply filters").click()
    await page.wait_for_url("**/events?*q=Broadband*")
    await page.get_by_role("link", name="Connective Broadband Forum").wait_for()
    assert await page.get_by_role("link", name="Smart Streetlights Workshop").count() == 0
    await accessible(page, "the filtered events list")

    await page.goto(f"/events/{event['slug']}")
    await page.get_by_role("heading", name="Smart Streetlights Workshop", level=1).wait_for()
    await screenshot(page, "02-event-page")
    await accessible(page, "an event page")

    await page.get_by_role("link", name="Colorado Smart Cities Alliance").first.click()
    await page.wait_for_url("**/regions/colorado")
    await page.get_by_role("link", name="Smart Streetlights Workshop").wait_for()
    await screenshot(page, "03-region-page")
    await accessible(page, "a region page")

    await page.goto("/regions")
    await accessible(page, "the regions list")


async def test_the_verification_page_is_accessible(page, client, world, accessible):
    _, _, _, certificate = await attended_certificate(client, world, name="Vera Verified")

    # The footer's form, as a person would use it.
    await page.goto("/events")
    await page.get_by_role("textbox", name="Verify a certificate").fill(certificate["code"])
    await page.get_by_role("button", name="Verify", exact=True).click()
    await page.wait_for_url("**/verify/*")
    await page.get_by_text("Vera Verified").first.wait_for()
    await screenshot(page, "04-verification-page")
    await accessible(page, "the certificate verification page")


async def test_the_audit_reports_what_axe_finds(page, axe_script):
    """The checker itself: a page with an unlabelled field and an empty button fails it."""
    await page.set_content(
        '<!doctype html><html lang="en"><head><title>Bad</title></head>'
        '<body><main><h1>Bad</h1><input type="text"><button type="button"></button>'
        "</main></body></html>"
    )
    with pytest.raises(AssertionError) as failed:
        await assert_accessible(page, "a bad page", axe_script)
    assert "label (critical)" in str(failed.value)
    assert "button-name (critical)" in str(failed.value)
