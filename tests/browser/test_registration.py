"""Registering by email, end to end in a real browser: the event page, the form, the email
received by the SMTP server on loopback, the confirm link and its button."""

from __future__ import annotations

import re
import time

from events.db import fetch
from tests.support.browser import screenshot

CONFIRM_LINK = re.compile(r"https?://[^\s\"<>]+/registrations/confirm/[A-Za-z0-9_-]{43}")


async def test_registering_by_email_in_the_browser(page, client, world, smtp_server, accessible):
    event = await world.create_event(
        client,
        title="Curb Management Workshop",
        capacity=30,
        questions=[{"key": "diet", "label": "Dietary needs", "kind": "text"}],
    )
    slug = event["slug"]
    email = f"dana.{time.time_ns() % 10**9}@denvergov.test"

    await page.goto(f"/events/{slug}")
    await page.get_by_role("link", name="Register with your email address").click()
    await page.wait_for_url(f"**/events/{slug}/register")
    await page.get_by_role("heading", name="Register for Curb Management Workshop").wait_for()
    await screenshot(page, "05-registration-form")
    await accessible(page, "the registration form")

    await page.get_by_label("Your name").fill("Dana Browser")
    await page.get_by_label("Email address").fill(email)
    await page.get_by_label("Dietary needs").fill("Vegetarian")
    await page.get_by_role("button", name="Register").click()
    await page.get_by_role("heading", name="Check your email").wait_for()
    assert email in await page.locator("main").inner_text()
    await accessible(page, "the check-your-email page")
    rows = await fetch(
        "SELECT r.id FROM registration r JOIN member m ON m.id = r.member WHERE m.email = {}",
        email,
    )
    assert rows == []  # nothing counts before the emailed link is followed

    received = await smtp_server.wait_for(email, subject="Confirm your registration")
    assert received, f"no confirmation email reached {email}"
    link = CONFIRM_LINK.search(received[-1].text)
    assert link, received[-1].text
    await page.goto(link.group(0))
    await page.get_by_role("heading", name="Confirm your registration").wait_for()
    assert "Dana Browser" in await page.locator("main").inner_text()
    await screenshot(page, "06-confirm-page")
    await accessible(page, "the confirmation page")

    await page.get_by_role("button", name="Confirm my registration").click()
    await page.get_by_role("heading", name="You're registered").wait_for()
    status = page.get_by_role("status")
    assert "Confirmed" in await status.inner_text()
    await screenshot(page, "07-registration-confirmed")
    await accessible(page, "the registration-confirmed page")

    rows = await fetch(
        "SELECT r.status, r.source, r.answers FROM registration r "
        "JOIN member m ON m.id = r.member JOIN event e ON e.id = r.event "
        "WHERE e.slug = {} AND m.email = {}",
        slug,
        email,
    )
    assert len(rows) == 1, rows
    assert (rows[0]["status"], rows[0]["source"]) == ("confirmed", "web")
    assert '"diet":"Vegetarian"' in str(rows[0]["answers"]).replace(" ", "")
