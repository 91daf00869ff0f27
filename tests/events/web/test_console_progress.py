"""The certificate progress label never reads "Issuing: 0 of 0" (issue 11, item 20): a job
that is running but has not counted its work yet, and a finished job with nothing to do."""

from __future__ import annotations

from datetime import UTC, datetime

from events.db import fetch_one
from tests.events.web.test_console import HX, console

HEARTBEAT = datetime(2099, 1, 1, tzinfo=UTC)  # fresh for the sweep: nobody re-runs the job


async def _job(slug: str, status: str, total: int, done: int) -> int:
    row = await fetch_one(
        "INSERT INTO certificate_job (event, status, total, done, created_at, updated_at) "
        "SELECT id, {}, {}, {}, {}, {} FROM event WHERE slug = {} RETURNING id",
        status,
        total,
        done,
        HEARTBEAT,
        HEARTBEAT,
        slug,
    )
    assert row is not None
    return row["id"]


async def test_the_progress_label_says_what_is_happening(client, world):
    event = await world.create_event(client)
    slug = event["slug"]
    path = f"/console/events/{slug}/certificates"
    async with console(client, "co@nscp.test") as browser:
        starting = await _job(slug, "running", 0, 0)
        for answer in (
            await browser.get(path),
            await browser.get(f"{path}/jobs/{starting}", headers=HX),
        ):
            assert answer.status_code == 200
            assert "0 of 0" not in answer.text
            assert "Finding the eligible attendees" in answer.text
        running = await _job(slug, "running", 4, 1)
        assert "Issuing: 1 of 4" in (await browser.get(f"{path}/jobs/{running}", headers=HX)).text
        empty = await _job(slug, "done", 0, 0)
        finished = (await browser.get(f"{path}/jobs/{empty}", headers=HX)).text
        assert "0 of 0" not in finished and "no attendee is eligible" in finished
