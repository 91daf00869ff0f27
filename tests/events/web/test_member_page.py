"""The member page's content and actions, signed in: registrations with waitlist positions
and answers, cancelling (the seat goes to the waitlist), the calendar link and its
rotation, message preferences, the data export."""

from __future__ import annotations

import json
import re

import httpx

from events.db import fetch, fetch_one
from tests.support.member_page import csrf_of, post_form, sign_in
from tests.support.world import auth

QUESTIONS = [
    {"key": "diet", "label": "Dietary needs", "kind": "text"},
    {"key": "photo_ok", "label": "Photos OK?", "kind": "boolean"},
]
CALENDAR_URL = re.compile(r'id="calendar-url" type="text" readonly value="([^"]+)"')


async def register(client, event: dict, person, **answers) -> dict:
    response = await client.post(
        f"/api/events/{event['slug']}/registration", json={"answers": answers},
        headers=person.headers,
    )  # fmt: skip
    assert response.status_code == 201, response.text
    return response.json()


async def test_the_page_shows_waitlist_position_answers_and_cancel_frees_the_seat(
    client, world, server
):
    event = await world.create_event(
        client, title="Smart Water Summit", capacity=1, questions=QUESTIONS
    )
    seated, waiting = await world.member(name="Sam Seated"), await world.member(name="Wes Wait")
    await register(client, event, seated, diet="None")
    assert (await register(client, event, waiting, diet="Vegan", photo_ok=False))[
        "status"
    ] == "waitlisted"

    async with httpx.AsyncClient(base_url=server) as wes:
        page = await sign_in(wes, waiting.id)
    assert "Smart Water Summit" in page and "Waitlist: number 1" in page
    assert "<dt>Dietary needs</dt><dd>Vegan</dd>" in page
    assert "<dt>Photos OK?</dt><dd>No</dd>" in page
    assert " MDT" in page or " MST" in page  # in the event's zone (Denver)

    page = await sign_in(client, seated.id)
    registration_id = (
        await fetch_one(
            "SELECT id FROM registration WHERE member = {} AND status = 'confirmed'", seated.id
        )
    )["id"]
    cancelled = await post_form(client, f"/me/registrations/{registration_id}/cancel", page)

    assert cancelled.status_code == 200, cancelled.text
    assert "Your registration for Smart Water Summit is cancelled." in cancelled.text
    assert "Earlier and cancelled" in cancelled.text
    statuses = {
        row["member"]: row["status"]
        for row in await fetch("SELECT member, status FROM registration")
    }
    assert statuses == {seated.id: "cancelled", waiting.id: "confirmed"}
    seats = await fetch_one(
        "SELECT seats_taken, waitlisted FROM event WHERE slug = {}", event["slug"]
    )
    assert (seats["seats_taken"], seats["waitlisted"]) == (1, 0)


async def test_cancelling_someone_elses_registration_is_not_found(client, world):
    event = await world.create_event(client)
    owner, other = await world.member(), await world.member()
    registration = await register(client, event, owner)
    page = await sign_in(client, other.id)
    refused = await post_form(client, f"/me/registrations/{registration['id']}/cancel", page)
    assert refused.status_code == 404
    row = await fetch_one("SELECT status FROM registration WHERE id = {}", registration["id"])
    assert row["status"] == "confirmed"


async def test_actions_need_the_sessions_csrf_token_and_a_session(client, world, server):
    event = await world.create_event(client)
    person = await world.member()
    registration = await register(client, event, person)
    await sign_in(client, person.id)
    forged = await client.post(
        f"/me/registrations/{registration['id']}/cancel", data={"csrf": "guess"}
    )
    assert forged.status_code == 403
    async with httpx.AsyncClient(base_url=server) as anonymous:
        form = await anonymous.get("/me")
        assert 'action="/me/sign-in"' in form.text
        answer = await anonymous.post(
            f"/me/registrations/{registration['id']}/cancel", data={"csrf": csrf_of(form.text)}
        )
        assert answer.status_code == 303 and answer.headers["location"] == "/me"
    row = await fetch_one("SELECT status FROM registration WHERE id = {}", registration["id"])
    assert row["status"] == "confirmed"


async def test_rotating_the_calendar_link_retires_the_old_feed(client, world):
    person = await world.member()
    page = await sign_in(client, person.id)
    old = CALENDAR_URL.search(page).group(1)
    assert 'data-copy="calendar-url"' in page and "/static/copy.js" in page
    old_path = httpx.URL(old).path
    assert (await client.get(old_path)).status_code == 200

    rotated = await post_form(client, "/me/calendar/rotate", page)

    assert rotated.status_code == 200 and "the old one no longer works" in rotated.text
    new = CALENDAR_URL.search(rotated.text).group(1)
    assert new != old
    assert (await client.get(old_path)).status_code == 404
    assert (await client.get(httpx.URL(new).path)).status_code == 200


async def test_preferences_are_saved_from_the_page(client, world):
    person = await world.member()
    page = await sign_in(client, person.id)
    assert "Your Slack account is not linked" in page
    assert 'value="auto" checked' in page

    saved = await post_form(
        client, "/me/preferences", page, channels="both", announcement_emails="on"
    )

    assert saved.status_code == 200 and "preferences are saved" in saved.text
    row = await fetch_one(
        "SELECT notify_channels, reminder_emails, announcement_emails FROM member WHERE id = {}",
        person.id,
    )
    assert (row["notify_channels"], bool(row["reminder_emails"])) == ("both", False)
    assert bool(row["announcement_emails"]) is True
    assert 'value="both" checked' in saved.text
    bad = await post_form(client, "/me/preferences", saved.text, channels="pigeon")
    assert bad.status_code == 422


async def test_the_export_holds_everything_about_the_member(client, world):
    event = await world.create_event(client, title="Data Days", questions=QUESTIONS)
    person = await world.member(name="Exa Port")
    await register(client, event, person, diet="Halal", photo_ok=True)
    await fetch(
        "INSERT INTO slack_identity (member, team_id, user_id) VALUES ({}, {}, {})",
        person.id,
        "T0EXPORT",
        "U0EXPORT",
    )
    page = await sign_in(client, person.id)  # makes the calendar feed too

    response = await client.get("/me/export.json")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["content-disposition"] == (
        'attachment; filename="convene-my-data.json"'
    )
    assert response.headers["cache-control"] == "no-store"
    data = json.loads(response.content)
    assert data["profile"]["name"] == "Exa Port" and data["profile"]["email"] == person.email
    assert data["profile"]["organization"]  # by the email's domain
    assert data["slack_identities"] == [{"team_id": "T0EXPORT", "user_id": "U0EXPORT"}]
    assert data["preferences"] == {
        "channels": "auto", "reminder_emails": True, "announcement_emails": True,
    }  # fmt: skip
    [registration] = data["registrations"]
    assert registration["event"] == event["slug"] and registration["status"] == "confirmed"
    assert registration["answers"] == {"diet": "Halal", "photo_ok": True}
    assert {"question": "Dietary needs", "answer": "Halal"} in registration["answers_labelled"]
    assert registration["attendance"] == []
    assert {(n["kind"], n["channel"]) for n in data["notifications"]} >= {("registered", "email")}
    assert data["api_tokens"][0]["label"] == "test" and "token_hash" not in data["api_tokens"][0]
    assert person.token not in response.text
    assert data["calendar_feed"] == {"exists": True}
    assert data["sign_in_links"][0]["via"] == "slack"
    assert data["certs"] == {"certificates": []}
    assert "Download all your data" in page


async def test_the_page_needs_no_api_token_and_shows_nothing_to_strangers(client, world):
    person = await world.member()
    await sign_in(client, person.id)
    other = await client.get("/api/me", headers=auth("cvm_not-a-token"))
    assert other.status_code == 401  # the session is the page's, not the API's
