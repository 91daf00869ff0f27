"""A region's mailbox (Reply-To and calendar ORGANIZER of its emails) is edited in Piccolo
Admin and must be an email address: anything else is a 422 invalid_value."""

from __future__ import annotations

from events.db import fetch_one
from tests.events.admin.test_admin import admin_browser, create, patch, reason_of


async def _mailbox(region_id: int) -> str | None:
    row = await fetch_one("SELECT mailbox FROM region WHERE id = {}", region_id)
    return row["mailbox"]


async def test_a_region_mailbox_is_an_email_address(client, world):
    colorado = world.region_ids["colorado"]
    async with admin_browser(client) as browser:
        form = (await browser.get(f"/admin/api/tables/region/{colorado}/")).json()
        assert "mailbox" in form  # shown in the admin's form

        for wrong in ["colorado", "events at colorado.example", "a@b", "x@y.example\nBcc: z@w"]:
            refused = await patch(browser, "region", colorado, mailbox=wrong)
            assert refused.status_code == 422, (wrong, refused.text)
            assert reason_of(refused) == "invalid_value"
        created = await create(
            browser, "region", slug="kc", name="KC", timezone="America/Chicago", mailbox="kc"
        )
        assert created.status_code == 422 and reason_of(created) == "invalid_value"
        assert await _mailbox(colorado) is None

        saved = await patch(browser, "region", colorado, mailbox=" colorado@events.nscp.test ")
        assert saved.status_code == 200, saved.text
        assert await _mailbox(colorado) == "colorado@events.nscp.test"

        cleared = await patch(browser, "region", colorado, mailbox="")
        assert cleared.status_code == 200, cleared.text
        assert await _mailbox(colorado) is None
