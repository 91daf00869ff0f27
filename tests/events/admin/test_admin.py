"""Piccolo Admin at /admin, through the real server: only coalition admins get in, and only
from the console; edits of events and sessions go through Convene's services."""

from __future__ import annotations

import json
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx

from bot import faq
from events.db import fetch, fetch_one
from events.enums import OrganizerRole
from events.services.organizers import ensure_organizer
from tests.events.web.test_console import console
from tests.support.clock import days_from_today
from tests.support.world import auth

CORE_TABLES = {
    "region",
    "region_alias",
    "organization",
    "organization_domain",
    "topic",
    "event",
    "event_session",
}


@asynccontextmanager
async def admin_browser(client: httpx.AsyncClient, email: str = "admin@nscp.test"):
    """Logged in to the console, then into the admin the way a browser gets there."""
    async with console(client, email) as browser:
        opened = await browser.get("/console/admin")
        assert opened.status_code == 303 and opened.headers["location"] == "/admin/", opened.text
        csrf = (await browser.get("/admin/")).cookies.get("csrftoken") or browser.cookies.get(
            "csrftoken"
        )
        assert csrf
        browser.headers["X-CSRFToken"] = csrf
        yield browser


async def patch(browser: httpx.AsyncClient, table: str, row_id: int, **values) -> httpx.Response:
    return await browser.patch(f"/admin/api/tables/{table}/{row_id}/", json=values)


async def create(browser: httpx.AsyncClient, table: str, **values) -> httpx.Response:
    """As the admin's form does: start from the table's defaults."""
    defaults = (await browser.get(f"/admin/api/tables/{table}/new/")).json()
    return await browser.post(f"/admin/api/tables/{table}/", json={**defaults, **values})


def reason_of(response: httpx.Response) -> str:
    return response.json()["detail"][0]["type"]


async def event_row(slug: str) -> dict:
    row = await fetch_one("SELECT * FROM event WHERE slug = {}", slug)
    assert row is not None
    return row


async def test_the_admin_is_reached_through_the_console_only(client, world):
    to_root = await client.get("/admin", follow_redirects=False)
    assert to_root.status_code == 303 and to_root.headers["location"] == "/admin/"
    page = await client.get("/admin/", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/console/admin"
    handoff = await client.get("/console/admin", follow_redirects=False)
    assert handoff.headers["location"] == "/console/login"

    api = await client.get("/admin/api/tables/")
    assert api.status_code == 401 and api.json()["code"] == "not_authenticated"
    assert api.headers["content-type"] == "application/problem+json"
    # Piccolo's own login is closed: no admin password exists to guess.
    login = await client.post(
        "/admin/public/login/", json={"username": "admin@nscp.test", "password": "x"}
    )
    assert login.status_code == 403 and login.json()["code"] == "console_login"
    assert (await client.get("/admin/public/meta/")).status_code == 200  # the login page's


async def test_an_admin_opens_it_from_the_console(client, world):
    async with console(client, "admin@nscp.test") as browser:
        opened = await browser.get("/console/admin")
        assert opened.status_code == 303 and opened.headers["location"] == "/admin/"
        cookie = next(c for c in opened.headers.get_list("set-cookie") if c.startswith("id="))
        flags = {part.strip().lower() for part in cookie.split(";")}
        assert {"path=/admin", "httponly", "samesite=strict"} <= flags
        page = await browser.get("/admin/")
        assert page.status_code == 200 and "<html" in page.text
        tables = (await browser.get("/admin/api/tables/")).json()
        assert CORE_TABLES | {"faq_entry"} == set(tables)  # no accounts, no sessions
        me = (await browser.get("/admin/api/user/")).json()
        assert me["username"] == "admin@nscp.test"
        # Opening it again reuses the session.
        again = await browser.get("/console/admin")
        assert again.cookies.get("id") == opened.cookies.get("id")


async def test_organizers_and_staff_are_kept_out(client, world):
    for email in ("co@nscp.test", "door@nscp.test"):
        async with console(client, email) as browser:
            refused = await browser.get("/console/admin")
            assert refused.status_code == 403
            assert "Only coalition admins can edit records." in refused.text
            assert "id" not in refused.cookies
            assert (await browser.get("/admin/api/tables/")).status_code == 401


async def test_losing_the_admin_role_ends_admin_sessions_at_once(client, world):
    async with admin_browser(client) as browser:
        assert (await browser.get("/admin/api/tables/")).status_code == 200
        await ensure_organizer(
            "admin@nscp.test", "Admin", OrganizerRole.region_organizer, ["colorado"]
        )
        assert (await browser.get("/admin/api/tables/")).status_code == 401
        assert await fetch("SELECT id FROM sessions") == []
        account = await fetch_one("SELECT active, admin FROM piccolo_user")
        assert account is not None and not account["active"] and not account["admin"]


async def test_console_logout_ends_the_admin_session(client, world):
    async with admin_browser(client) as browser:
        page = await browser.get("/console")
        csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        await browser.post("/console/logout", data={"csrf": csrf})
        assert (await browser.get("/admin/api/tables/")).status_code == 401


async def test_plain_records_are_edited_directly(client, world):
    async with admin_browser(client) as browser:
        created = await create(
            browser, "region", slug="kc", name="KC Digital Drive", timezone="America/Chicago"
        )
        assert created.status_code == 201, created.text
        kc = await fetch_one("SELECT name FROM region WHERE slug = 'kc'")
        assert kc is not None and kc["name"] == "KC Digital Drive"
        # Restrict: a region with organizations stays.
        colorado = world.region_ids["colorado"]
        refused = await browser.delete(f"/admin/api/tables/region/{colorado}/")
        assert refused.status_code == 422


async def test_event_edits_go_through_the_service(client, world):
    event = await world.create_event(client, capacity=1)
    first, second = await world.members(2)
    for person in (first, second):
        response = await client.post(
            f"/api/events/{event['slug']}/registration", headers=person.headers
        )
        assert response.status_code == 201, response.text
    row = await event_row(event["slug"])
    async with admin_browser(client) as browser:
        # The admin's form sends the whole row back: only what changed counts.
        full = (await browser.get(f"/admin/api/tables/event/{row['id']}/")).json()
        saved = await browser.patch(
            f"/admin/api/tables/event/{row['id']}/",
            json={**full, "title": "Renamed in the admin", "capacity": 2},
        )
        assert saved.status_code == 200, saved.text
        assert saved.json()["title"] == "Renamed in the admin"

        public = (await client.get(f"/api/events/{event['slug']}")).json()
        assert public["title"] == "Renamed in the admin"
        statuses = await fetch(
            "SELECT status FROM registration WHERE event = {} ORDER BY id", row["id"]
        )
        assert [s["status"] for s in statuses] == ["confirmed", "confirmed"]  # promoted
        assert (await event_row(event["slug"]))["seats_taken"] == 2

        for field, value in (("slug", "other"), ("kind", "conference")):
            refused = await patch(browser, "event", row["id"], **{field: value})
            assert refused.status_code == 422 and reason_of(refused) == "fixed_column"
        # Counters and dates Convene keeps are shown, and what is typed there is ignored.
        kept = await patch(browser, "event", row["id"], seats_taken=0, starts_at=None)
        assert kept.status_code == 200, kept.text
        assert kept.json()["seats_taken"] == 2 and kept.json()["starts_at"]

        not_json = await patch(browser, "event", row["id"], questions="not json")
        assert not_json.status_code == 422  # Piccolo's own model refuses it
        bad_key = await patch(
            browser, "event", row["id"], questions='[{"key": "A B", "label": "x"}]'
        )
        assert bad_key.status_code == 422 and reason_of(bad_key) == "invalid_field", bad_key.text
        bad_zone = await patch(browser, "event", row["id"], timezone="Mars/Olympus")
        assert bad_zone.status_code == 422, bad_zone.text
        assert (await event_row(event["slug"]))["timezone"] == "America/Denver"

        back = await patch(browser, "event", row["id"], status="draft")
        assert back.status_code == 422 and reason_of(back) == "invalid_transition"

        cancelled = await patch(browser, "event", row["id"], status="cancelled")
        assert cancelled.status_code == 200, cancelled.text
        assert (await event_row(event["slug"]))["cancelled_at"] is not None
        told = await fetch(
            "SELECT n.id FROM notification n JOIN registration r ON r.id = n.registration "
            "WHERE r.event = {} AND n.kind = 'event_cancelled'",
            row["id"],
        )
        assert len(told) == 2


async def test_session_edits_bump_the_revision_and_the_event_dates(client, world):
    event = await world.create_event(client)
    row = await event_row(event["slug"])
    session = await fetch_one("SELECT * FROM event_session WHERE event = {}", row["id"])
    assert session is not None
    later = days_from_today(20)
    async with admin_browser(client) as browser:
        moved = await patch(
            browser,
            "event_session",
            session["id"],
            starts_at=later.isoformat(),
            ends_at=(later + timedelta(hours=2)).isoformat(),
        )
        assert moved.status_code == 200, moved.text
        after = await fetch_one("SELECT revision FROM event_session WHERE id = {}", session["id"])
        assert after is not None and after["revision"] == session["revision"] + 1
        assert (await event_row(event["slug"]))["starts_at"] == later

        backwards = await patch(
            browser,
            "event_session",
            session["id"],
            ends_at=(later - timedelta(hours=1)).isoformat(),
        )
        assert backwards.status_code == 422, backwards.text
        other = await event_row((await world.create_event(client))["slug"])
        elsewhere = await patch(
            browser, "event_session", session["id"], event=other["id"], revision=99
        )
        assert elsewhere.status_code == 422 and reason_of(elsewhere) == "fixed_column"


async def test_events_and_sessions_are_created_in_the_console_not_the_admin(client, world):
    event = await world.create_event(client)
    row = await event_row(event["slug"])
    async with admin_browser(client) as browser:
        created = await create(
            browser, "event", slug="made-here", title="Made here", timezone="America/Denver"
        )
        assert created.status_code == 422 and reason_of(created) == "create_in_console"
        deleted = await browser.delete(f"/admin/api/tables/event/{row['id']}/")
        assert deleted.status_code == 422 and reason_of(deleted) == "event_not_draft"
    assert await fetch("SELECT id FROM event WHERE slug = 'made-here'") == []
    assert await fetch_one("SELECT id FROM event WHERE id = {}", row["id"]) is not None


async def test_faq_entries_keep_an_owner_matching_their_scope(client, world):
    async with admin_browser(client) as browser:
        orphan = await create(
            browser, "faq_entry", scope="event", question="Parking?", answer="Garage B."
        )
        assert orphan.status_code == 422 and reason_of(orphan) == "owner_mismatch"
        blank = await create(browser, "faq_entry", scope="coalition", question=" ", answer="Yes.")
        assert blank.status_code == 422 and reason_of(blank) == "empty_question"
        made = await create(
            browser, "faq_entry", scope="coalition", question="Is parking free?", answer="Garage B."
        )
        assert made.status_code == 201, made.text
        entry_id = made.json()[0]["id"]
        moved = await patch(
            browser, "faq_entry", entry_id, scope="region", region=world.region_ids["colorado"]
        )
        assert moved.status_code == 200, moved.text
        unowned = await patch(browser, "faq_entry", entry_id, region=None)
        assert unowned.status_code == 422 and reason_of(unowned) == "owner_mismatch"

    hits = await faq.search(
        "is parking free", event_id=None, region_ids=[world.region_ids["colorado"]]
    )
    assert hits and hits[0].entry_id == entry_id


async def test_the_api_token_does_not_open_the_admin(client, world):
    response = await client.get("/admin/api/tables/", headers=auth(world.admin))
    assert response.status_code == 401


async def test_renaming_a_topic_refreshes_the_cached_feeds(client, world):
    event = await world.create_event(client)
    path = f"/calendar/events/{event['slug']}.ics"
    assert "Cybersecurity" in (await client.get(path)).text  # rendered and cached
    topic = await fetch_one("SELECT id FROM topic WHERE slug = 'cybersecurity'")
    assert topic is not None
    async with admin_browser(client) as browser:
        renamed = await patch(browser, "topic", topic["id"], name="Cyber Resilience")
        assert renamed.status_code == 200, renamed.text
    feed = (await client.get(path)).text
    assert "Cyber Resilience" in feed and "Cybersecurity" not in feed


async def test_admin_edits_follow_the_text_policy_and_known_time_zones(client, world):
    """The same entry policy as the API and the forms (events.text, events.zones)."""
    event = await world.create_event(client)
    row = await event_row(event["slug"])
    colorado = world.region_ids["colorado"]
    async with admin_browser(client) as browser:
        # (The admin's own model refuses names longer than the column first.)
        for name, reason in [("America", "invalid_timezone"), ("US", "invalid_timezone")] + [
            ("x" * 256, "string_too_long")
        ]:
            refused = await patch(browser, "region", colorado, timezone=name)
            assert refused.status_code == 422, refused.text
            assert reason_of(refused) == reason
            created = await create(browser, "region", slug="kc", name="KC", timezone=name)
            assert created.status_code == 422 and reason_of(created) == reason
        nul = await patch(browser, "organization", world.organization_ids["denver"], name="D\x00")
        assert nul.status_code == 422 and reason_of(nul) == "invalid_value"
        renamed = await patch(browser, "topic", 1, name="Cyber\x0bsecurity\x07")
        assert renamed.status_code == 200, renamed.text
        full = (await browser.get(f"/admin/api/tables/event/{row['id']}/")).json()
        label = [{"key": "diet", "label": "Diet\x00", "kind": "text"}]
        questions = await browser.patch(
            f"/admin/api/tables/event/{row['id']}/", json={**full, "questions": json.dumps(label)}
        )
        assert questions.status_code == 422 and reason_of(questions) == "invalid_value"
        pasted = await browser.patch(
            f"/admin/api/tables/event/{row['id']}/",
            json={**full, "title": "Pasted\x0bTitle", "description": "One\nTwo\x0c"},
        )
        assert pasted.status_code == 200, pasted.text
    after = await event_row(event["slug"])
    assert (after["title"], after["description"]) == ("Pasted Title", "One\nTwo ")
    assert "\x00" not in str(after["questions"]) and "\\u0000" not in str(after["questions"])
    topic = await fetch_one("SELECT name FROM topic WHERE id = 1")
    assert topic["name"] == "Cyber security "
    region = await fetch_one("SELECT timezone FROM region WHERE id = {}", colorado)
    assert region["timezone"] == "America/Denver"
    organization = await fetch_one(
        "SELECT name FROM organization WHERE id = {}", world.organization_ids["denver"]
    )
    assert "\x00" not in organization["name"]
