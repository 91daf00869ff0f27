"""Issuing certificates from the console in a real browser and watching the <progress>
bar (htmx polls the job every second) reach its end."""

from __future__ import annotations

from playwright.async_api import expect

from events.db import fetch
from tests.support.browser import log_in, screenshot
from tests.support.certificates import check_in, held_event, register

DONE = """() => {
    const job = document.querySelector(".job");
    const bar = job && job.querySelector("progress");
    return Boolean(job && bar && job.dataset.status === "done"
        && bar.max > 0 && bar.value === bar.max);
}"""

# Every state the polled job shows, as [status, value, max], until the test reads them.
WATCH = """() => {
    const record = () => {
        const job = document.querySelector(".job");
        const bar = job && job.querySelector("progress");
        if (job && bar) window.jobStates.push([job.dataset.status, bar.value, bar.max]);
    };
    window.jobStates = [];
    record();
    new MutationObserver(record).observe(document.body, {childList: true, subtree: true});
}"""


async def test_issuing_certificates_and_watching_the_progress(page, client, world, accessible):
    event = await held_event(client, world, title="Resilience Training Day")
    slug = event["slug"]
    names = [f"Attendee {n}" for n in ("One", "Two", "Three")]
    people = [await world.member(name=name) for name in names]
    ids = [await register(client, event, person) for person in people]
    await check_in(client, world, event["sessions"][0]["id"], *ids)

    await log_in(page, "co@nscp.test")
    await page.goto(f"/console/events/{slug}")
    await page.get_by_role("link", name="Certificates").click()
    await page.wait_for_url(f"**/console/events/{slug}/certificates")
    await page.get_by_text("No certificates have been issued in bulk yet.").wait_for()
    await accessible(page, "the certificates page")

    await page.get_by_role("button", name="Issue certificates").click()
    await page.wait_for_url(f"**/console/events/{slug}/certificates")
    bar = page.locator(".job progress")
    await bar.wait_for()
    await accessible(page, "the certificates page with a job")
    await page.evaluate(WATCH)
    await page.wait_for_function(DONE, timeout=60_000)
    seen = await page.evaluate("window.jobStates")
    done = [value for status, value, _ in seen if status != "queued"]
    assert done == sorted(done), f"the progress went backwards: {seen}"
    await expect(page.locator(".job label")).to_contain_text("Done: 3 of 3 certificates ready")
    assert await bar.get_attribute("max") == "3" and await bar.get_attribute("value") == "3"
    await expect(page.locator(".job")).not_to_have_attribute("hx-trigger", "every 1s")
    await screenshot(page, "12-certificates-progress")
    await accessible(page, "the certificates page when done")
    # The polling swaps the job only: the button disabled while the job ran is enabled again
    # once the page is loaded anew (running it again issues only what is missing).
    await page.reload()
    await expect(page.get_by_role("button", name="Issue certificates")).to_be_enabled()
    await expect(page.locator(".job label")).to_contain_text("Done: 3 of 3 certificates ready")

    certificates = await fetch(
        "SELECT c.registration, c.holder_name, c.job, j.status FROM certificate c "
        "JOIN certificate_job j ON j.id = c.job JOIN event e ON e.id = c.event "
        "WHERE e.slug = {} ORDER BY c.registration",
        slug,
    )
    assert [row["registration"] for row in certificates] == sorted(ids)
    assert {row["holder_name"] for row in certificates} == set(names)
    assert {row["status"] for row in certificates} == {"done"}
