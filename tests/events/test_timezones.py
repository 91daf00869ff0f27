"""Time zones: only IANA zones the system knows, everywhere one is accepted (events.zones).
tzdata's folders ("America") and absurd names used to escape ZoneInfo() as 500s."""

from __future__ import annotations

import pytest

from tests.events.web.test_console import console, csrf_of
from tests.events.web.test_console_events import DENVER_NEW_EVENT, NEW
from tests.support.world import auth

NOT_ZONES = ["America", "Europe", "US", "x" * 256, "America/" + "y" * 300, "../etc/passwd", ""]


@pytest.mark.parametrize(
    "name", NOT_ZONES, ids=["America", "Europe", "US", "256", "long", "path", "empty"]
)
async def test_the_api_refuses_what_is_not_a_zone(client, world, name):
    body = {
        "slug": "tz-test",
        "title": "Zones",
        "kind": "workshop",
        "timezone": name,
        "regions": ["colorado"],
    }
    created = await client.post("/api/manage/events", json=body, headers=auth(world.admin))
    assert created.status_code == 422, created.text
    assert (created.json()["code"], created.json()["reason"]) == (
        "invalid_input",
        "invalid_timezone",
    )
    event = await world.create_event(client)
    changed = await client.patch(
        f"/api/manage/events/{event['slug']}", json={"timezone": name}, headers=auth(world.admin)
    )
    assert changed.status_code == 422, changed.text
    assert changed.json()["reason"] == "invalid_timezone"


async def test_the_console_shows_the_error_by_the_field(client, world):
    async with console(client, "co@nscp.test") as browser:
        for name in ("America", "US", "x" * 256):
            page = await browser.get(NEW)
            data = {**DENVER_NEW_EVENT, "timezone": name, "csrf": csrf_of(page.text)}
            refused = await browser.post(NEW, data=data)
            assert refused.status_code == 422, refused.text
            assert 'id="f-timezone-error"' in refused.text
