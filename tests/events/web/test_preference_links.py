"""The signed links of every email, without signing in: the preferences page, and RFC 8058
one-click unsubscribe (a POST with no cookie and no CSRF token). A choice made there is
honoured where messages are recorded."""

from __future__ import annotations

import httpx

from events.db import fetch, fetch_one
from events.enums import NotificationKind
from events.services import notifications, preferences
from tests.support.member_page import csrf_of

ONE_CLICK = {"content": b"List-Unsubscribe=One-Click",
             "headers": {"Content-Type": "application/x-www-form-urlencoded"}}  # fmt: skip


async def _flags(member_id: int) -> tuple[bool, bool, str]:
    row = await fetch_one(
        "SELECT reminder_emails, announcement_emails, notify_channels FROM member WHERE id = {}",
        member_id,
    )
    return bool(row["reminder_emails"]), bool(row["announcement_emails"]), row["notify_channels"]


def _path(url: str) -> str:
    parsed = httpx.URL(url)
    return parsed.raw_path.decode()


async def test_one_click_unsubscribe_works_without_cookies_or_tokens(server, world):
    person = await world.member()
    url = preferences.unsubscribe_url(person.id, person.email, NotificationKind.announcement)
    assert (
        preferences.list_headers(person.id, person.email, NotificationKind.reminder_1h)[
            "List-Unsubscribe-Post"
        ]
        == "List-Unsubscribe=One-Click"
    )

    async with httpx.AsyncClient(base_url=server) as mail_client:  # a fresh client: no cookie
        answer = await mail_client.post(_path(url), **ONE_CLICK)

    assert answer.status_code == 200, answer.text
    assert "no more announcement emails" in answer.text
    assert "set-cookie" not in answer.headers
    assert await _flags(person.id) == (True, False, "auto")
    async with httpx.AsyncClient(base_url=server) as again:  # twice is harmless
        assert (await again.post(_path(url), **ONE_CLICK)).status_code == 200


async def test_opening_the_unsubscribe_link_asks_first(client, world):
    person = await world.member()
    url = preferences.unsubscribe_url(person.id, person.email, NotificationKind.reminder_24h)

    page = await client.get(_path(url))

    assert page.status_code == 200 and "Stop reminder emails?" in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    assert await _flags(person.id) == (True, True, "auto")  # a GET changes nothing
    pressed = await client.post(_path(url), data={"List-Unsubscribe": "One-Click"})
    assert pressed.status_code == 200
    assert await _flags(person.id) == (False, True, "auto")


async def test_bad_links_are_404_pages_and_unknown_lists_422(client, world):
    person = await world.member()
    token = preferences.token(person.id, person.email)
    other = await world.member()
    forged = f"{other.id}.{token.split('.', 1)[1]}"  # someone else's id, this signature
    for path in (
        f"/me/unsubscribe/{forged}?list=reminders",
        f"/me/unsubscribe/{token[:-2]}?list=reminders",
        "/me/unsubscribe/nonsense?list=reminders",
        f"/me/preferences/{forged}",
        "/me/preferences/99999999999999999999.abc",
    ):
        page = await client.get(path, headers={"Accept": "text/html"})
        assert page.status_code == 404, (path, page.text)
        assert "not valid" in page.text
        assert (await client.post(path, **ONE_CLICK)).status_code in (403, 404)
    assert (
        await client.post(f"/me/unsubscribe/{forged}?list=reminders", **ONE_CLICK)
    ).status_code == 404
    unknown = await client.post(f"/me/unsubscribe/{token}?list=everything", **ONE_CLICK)
    assert unknown.status_code == 422
    assert await _flags(other.id) == (True, True, "auto")


async def test_the_preferences_link_shows_and_saves_the_form(client, world):
    person = await world.member()
    path = _path(preferences.preferences_url(person.id, person.email))

    page = await client.get(path)

    assert page.status_code == 200 and "How messages reach you" in page.text
    assert 'value="auto" checked' in page.text
    saved = await client.post(
        path, data={"csrf": csrf_of(page.text), "channels": "email", "reminder_emails": "on"}
    )
    assert saved.status_code == 200 and "preferences are saved" in saved.text
    assert await _flags(person.id) == (True, False, "email")
    assert (await client.post(path, data={"channels": "both"})).status_code == 403


async def test_an_opt_out_is_honoured_when_a_reminder_is_recorded(client, world):
    event = await world.create_event(client)
    person = await world.member()  # no Slack identity: every message comes by email
    response = await client.post(
        f"/api/events/{event['slug']}/registration", headers=person.headers
    )
    registration_id = response.json()["id"]
    session_id = event["sessions"][0]["id"]

    await notifications.record(
        NotificationKind.reminder_24h, [registration_id], subject=session_id, once=True
    )
    url = preferences.unsubscribe_url(person.id, person.email, NotificationKind.reminder_24h)
    async with httpx.AsyncClient(base_url=str(client.base_url)) as mail_client:
        assert (await mail_client.post(_path(url), **ONE_CLICK)).status_code == 200
    await notifications.record(
        NotificationKind.reminder_1h, [registration_id], subject=session_id, once=True
    )
    await notifications.record(NotificationKind.event_changed, [registration_id])

    rows = await fetch(
        "SELECT kind, channel FROM notification WHERE registration = {} ORDER BY id",
        registration_id,
    )
    kinds = [(row["kind"], row["channel"]) for row in rows]
    assert ("reminder_24h", "email") in kinds  # before the opt-out
    assert ("reminder_1h", "email") not in kinds  # after it: no email row at all
    assert ("event_changed", "email") in kinds  # transactional email still comes
