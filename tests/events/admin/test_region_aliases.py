"""Region aliases are edited in Piccolo Admin: kept normalized, once per region, and
understood by the catalogue at once."""

from __future__ import annotations

from events.db import fetch
from tests.events.admin.test_admin import admin_browser, create, patch, reason_of


async def _aliases() -> list[tuple[int, str]]:
    rows = await fetch("SELECT region, alias FROM region_alias ORDER BY id")
    return [(row["region"], row["alias"]) for row in rows]


async def test_an_alias_is_kept_normalized_and_once(client, world):
    colorado = world.region_ids["colorado"]
    async with admin_browser(client) as browser:
        made = await create(browser, "region_alias", region=colorado, alias="  Mile-High City! ")
        assert made.status_code in (200, 201), made.text
        assert await _aliases() == [(colorado, "mile high city")]

        again = await create(browser, "region_alias", region=colorado, alias="MILE HIGH city")
        assert again.status_code == 422 and reason_of(again) == "alias_taken"
        empty = await create(browser, "region_alias", region=colorado, alias=" -- ")
        assert empty.status_code == 422 and reason_of(empty) == "invalid_alias"

        (row,) = await fetch("SELECT id FROM region_alias")
        renamed = await patch(browser, "region_alias", row["id"], alias="The Front Range")
        assert renamed.status_code == 200, renamed.text
        assert await _aliases() == [(colorado, "the front range")]

    await world.create_event(client, title="Signal Timing Clinic")
    found = (await client.get("/api/events", params={"q": "front range"})).json()
    assert [item["title"] for item in found["items"]] == ["Signal Timing Clinic"]
