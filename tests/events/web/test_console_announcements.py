"""Announcements and the Messages page in the organizer console, through the real server:
compose → preview (nothing written) → send, the log, one announcement's deliveries, every
message of an event by state; CSRF, confinement to the organizer's regions."""

from __future__ import annotations

from events.db import fetch, fetch_one
from tests.events.test_announcements import cast, outbox_empty
from tests.events.web.test_console import console, csrf_of, token_on
from tests.support.polling import eventually

MESSAGE = {
    "subject": "Parking changed",
    "body": "Use the east garage.\n\nThe west one is closed.",
    "statuses": ["confirmed", "waitlisted"],
    "session": "",
}


async def test_compose_preview_send_and_the_log(client, world, smtp_server):
    c = await cast(client, world)
    base = f"/console/events/{c.slug}"
    async with console(client, "co@nscp.test") as browser:
        dashboard = await browser.get(base)
        assert f'href="{base}/announcements"' in dashboard.text
        assert f'href="{base}/messages"' in dashboard.text
        compose = await browser.get(f"{base}/announcements/new")
        assert compose.status_code == 200
        assert 'name="statuses" type="checkbox" value="not_checked_in"' in compose.text
        assert f'<option value="{c.session_a}"' in compose.text
        csrf = csrf_of(compose.text)

        preview = await browser.post(
            f"{base}/announcements/preview", data={**MESSAGE, "csrf": csrf}
        )
        assert preview.status_code == 200, preview.text
        assert "4 recipients" in preview.text
        assert "<p>The west one is closed.</p>" in preview.text
        assert "Send to 4 people" in preview.text
        assert await fetch("SELECT id FROM announcement") == []  # a preview writes nothing

        back = await browser.post(f"{base}/announcements/new", data={**MESSAGE, "csrf": csrf})
        assert 'value="Parking changed"' in back.text  # the form again, as typed

        sent = await browser.post(f"{base}/announcements", data={**MESSAGE, "csrf": csrf})
        assert sent.status_code == 303, sent.text
        row = await fetch_one("SELECT id, recipients FROM announcement")
        assert row["recipients"] == 4
        assert sent.headers["location"] == f"{base}/announcements/{row['id']}"
        assert await eventually(outbox_empty)

        log = await browser.get(f"{base}/announcements")
        assert "Parking changed" in log.text and "4 sent" in log.text
        detail = await browser.get(f"{base}/announcements/{row['id']}")
        assert detail.status_code == 200
        assert detail.text.count('class="state-sent"') == 4
        assert '<dd id="count-sent">4</dd>' in detail.text
        failed = await browser.get(f"{base}/announcements/{row['id']}?state=failed")
        assert "No messages in this state." in failed.text


async def test_refusals_show_the_form_again(client, world):
    c = await cast(client, world)
    base = f"/console/events/{c.slug}"
    async with console(client, "co@nscp.test") as browser:
        csrf = await token_on(browser, f"{base}/announcements/new")
        cases = [
            ({**MESSAGE, "subject": ""}, 422, "The subject needs 1 to 200 characters."),
            ({**MESSAGE, "statuses": []}, 422, "Choose at least one group of registrants."),
            ({**MESSAGE, "statuses": ["pending"]}, 409, "Nobody is in this audience"),
        ]
        for data, status, text in cases:
            response = await browser.post(f"{base}/announcements", data={**data, "csrf": csrf})
            assert response.status_code == status, response.text
            assert text in response.text
            assert 'action="/console/events/' in response.text  # the compose form
        no_csrf = await browser.post(f"{base}/announcements", data=MESSAGE)
        assert no_csrf.status_code == 403
    assert await fetch("SELECT id FROM announcement") == []


async def test_the_messages_page_shows_every_outbox_row_by_state(client, world):
    c = await cast(client, world)
    first = c.registrations[c.confirmed[0].id]
    await fetch(
        "UPDATE notification SET sent_at = NULL, failed_at = created_at, "
        "last_error = 'SMTPRecipientsRefused: 550 no such user', outcome = 'failed' "
        "WHERE registration = {}",
        first,
    )
    base = f"/console/events/{c.slug}/messages"
    async with console(client, "co@nscp.test") as browser:
        page = await browser.get(base)
        assert page.status_code == 200
        total = await fetch_one("SELECT COUNT(*) AS n FROM notification")
        assert page.text.count('<tr id="delivery-') == total["n"]
        assert "registered" in page.text and "promoted" not in page.text
        failed = await browser.get(f"{base}?state=failed")
        assert failed.text.count('class="state-failed"') == 1
        assert "550 no such user" in failed.text
        assert '<dd id="count-failed">1</dd>' in failed.text


async def test_other_regions_and_check_in_staff_are_refused(client, world):
    c = await cast(client, world)
    base = f"/console/events/{c.slug}"
    for email in ("phx@nscp.test", "door@nscp.test"):
        async with console(client, email) as browser:
            for path in (f"{base}/announcements", f"{base}/announcements/new", f"{base}/messages"):
                response = await browser.get(path)
                assert response.status_code == 403, (email, path, response.status_code)
            csrf = csrf_of((await browser.get("/console")).text)
            sent = await browser.post(f"{base}/announcements", data={**MESSAGE, "csrf": csrf})
            assert sent.status_code == 403, (email, sent.text)
    assert await fetch("SELECT id FROM announcement") == []
