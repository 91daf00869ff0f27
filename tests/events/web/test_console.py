"""The organizer console, through the real server: login, session cookie, CSRF, confinement
to an organizer's regions, approvals, the check-in sheet, CSV, certificates, FAQ, logout."""

from __future__ import annotations

import re
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx

from events.enums import OrganizerRole
from events.services.organizers import ensure_organizer, set_password
from tests.support.certificates import check_in, held_event, register
from tests.support.clock import days_from_today
from tests.support.polling import eventually
from tests.support.world import auth

PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
HX = {"HX-Request": "true"}


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, html
    return found.group(1)


async def login(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    page = await client.get("/console/login")
    assert page.status_code == 200, page.text
    return await client.post(
        "/console/login",
        data={"email": email, "password": password, "csrf": csrf_of(page.text)},
    )


@asynccontextmanager
async def console(client: httpx.AsyncClient, email: str):
    """A browser of its own (its own cookies), logged in as ``email``."""
    await set_password(email, PASSWORD)
    async with httpx.AsyncClient(base_url=client.base_url, timeout=30) as browser:
        response = await login(browser, email)
        assert response.status_code == 303, response.text
        yield browser


async def token_on(browser: httpx.AsyncClient, path: str) -> str:
    response = await browser.get(path)
    assert response.status_code == 200, response.text
    return csrf_of(response.text)


async def test_login_sets_a_session_cookie_scoped_to_the_console(client, world):
    event = await world.create_event(client)
    await set_password("co@nscp.test", PASSWORD)
    assert (await client.get("/console", follow_redirects=False)).headers["location"] == (
        "/console/login"
    )

    wrong = await login(client, "co@nscp.test", "not the password at all")
    unknown = await login(client, "nobody@nscp.test", PASSWORD)
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert "That email and password do not match an organizer account." in response.text
    assert (await client.get("/console")).status_code == 303  # still anonymous

    response = await login(client, "CO@nscp.test")
    assert response.status_code == 303 and response.headers["location"] == "/console"
    (cookie,) = [
        value
        for value in response.headers.get_list("set-cookie")
        if value.startswith("convene_console=")
    ]
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"path=/console", "httponly", "samesite=lax"} <= flags
    assert "secure" not in flags  # BASE_URL is http in the tests
    home = await client.get("/console")
    assert home.status_code == 200
    assert event["title"] in home.text and "Colorado" in home.text
    assert home.headers["cache-control"] == "no-store"
    # The API does not take the cookie: it is for the console only.
    assert (await client.get("/api/manage/events")).status_code == 401


async def test_an_organizer_without_a_password_cannot_log_in(client, world):
    response = await login(client, "phx@nscp.test", "")
    assert response.status_code == 401


async def test_failed_logins_are_throttled_per_address(client, world):
    await ensure_organizer("lock@nscp.test", "Lock", OrganizerRole.region_organizer, ["colorado"])
    await set_password("lock@nscp.test", PASSWORD)
    for _ in range(5):
        assert (await login(client, "lock@nscp.test", "wrong password!")).status_code == 401
    refused = await login(client, "lock@nscp.test")  # even the right password, for a while
    assert refused.status_code == 429 and "Too many failed attempts" in refused.text


async def test_posts_without_the_sessions_csrf_token_are_refused(client, world):
    event = await world.create_event(client, approval_required=True)
    person = await world.member()
    registration = await client.post(
        f"/api/events/{event['slug']}/registration", headers=person.headers
    )
    registration_id = registration.json()["id"]
    approve = f"/console/events/{event['slug']}/registrations/{registration_id}/approve"
    page = await client.get("/console/login")
    no_token = await client.post(
        "/console/login", data={"email": "co@nscp.test", "password": PASSWORD}
    )
    assert no_token.status_code == 403 and "expired" in no_token.text
    assert csrf_of(page.text)

    async with console(client, "co@nscp.test") as browser:
        for data, headers in (({}, {}), ({"csrf": "forged"}, {}), ({}, {"X-CSRF-Token": "x"})):
            response = await browser.post(approve, data=data, headers=headers)
            assert response.status_code == 403, response.text
        status = await client.get(
            f"/api/manage/events/{event['slug']}/registrations", headers=auth(world.admin)
        )
        assert status.json()["items"][0]["status"] == "pending"
        # Another browser's token (another session) does not work either.
        async with console(client, "admin@nscp.test") as other:
            foreign = await token_on(other, "/console")
        assert (await browser.post(approve, data={"csrf": foreign})).status_code == 403


async def test_organizers_are_confined_to_their_regions(client, world):
    colorado = await world.create_event(client, title="Denver Workshop")
    phoenix = await world.create_event(client, title="Phoenix Forum", regions=["the-connective"])
    async with console(client, "phx@nscp.test") as browser:
        home = (await browser.get("/console")).text
        assert "Phoenix Forum" in home and "Denver Workshop" not in home
        slug = colorado["slug"]
        for path in (
            f"/console/events/{slug}",
            f"/console/events/{slug}/checkin",
            f"/console/events/{slug}/registrations.csv",
            f"/console/events/{slug}/certificates",
        ):
            response = await browser.get(path)
            assert response.status_code == 403, path
            assert "text/html" in response.headers["content-type"]
            assert "region you do not organize" in response.text
        assert (await browser.get(f"/console/events/{phoenix['slug']}")).status_code == 200
        assert (await browser.get("/console/events/no-such-event")).status_code == 404
    async with console(client, "admin@nscp.test") as browser:
        home = (await browser.get("/console")).text
        assert "Phoenix Forum" in home and "Denver Workshop" in home


async def test_approving_and_declining_from_the_dashboard(client, world):
    event = await world.create_event(client, capacity=5, approval_required=True)
    ana, bob = await world.member(name="Ana Approved"), await world.member(name="Bob Declined")
    ids = {}
    for person in (ana, bob):
        response = await client.post(
            f"/api/events/{event['slug']}/registration", headers=person.headers
        )
        ids[person.id] = response.json()["id"]
    async with console(client, "co@nscp.test") as browser:
        dashboard = await browser.get(f"/console/events/{event['slug']}")
        assert dashboard.status_code == 200
        assert "Ana Approved" in dashboard.text and "Bob Declined" in dashboard.text
        assert 'id="count-pending">2<' in dashboard.text
        token = csrf_of(dashboard.text)
        base = f"/console/events/{event['slug']}/registrations"
        approved = await browser.post(f"{base}/{ids[ana.id]}/approve", data={"csrf": token})
        assert approved.status_code == 303
        assert approved.headers["location"] == f"/console/events/{event['slug']}#pending"
        declined = await browser.post(f"{base}/{ids[bob.id]}/decline", data={"csrf": token})
        assert declined.status_code == 303
        dashboard = (await browser.get(f"/console/events/{event['slug']}")).text
        assert 'id="count-confirmed">1<' in dashboard and 'id="count-declined">1<' in dashboard
        assert 'id="count-pending">0<' in dashboard
        # A decision twice is refused by the service, shown as a page.
        again = await browser.post(f"{base}/{ids[bob.id]}/approve", data={"csrf": token})
        assert again.status_code == 409 and "text/html" in again.headers["content-type"]
    mine = await client.get(f"/api/events/{event['slug']}/registration", headers=ana.headers)
    assert mine.json()["status"] == "confirmed"


async def test_the_waitlist_is_shown_in_order(client, world):
    event = await world.create_event(client, capacity=1)
    people = [await world.member(name=f"Person {n}") for n in ("One", "Two", "Three")]
    for person in people:
        await client.post(f"/api/events/{event['slug']}/registration", headers=person.headers)
    async with console(client, "admin@nscp.test") as browser:
        html = (await browser.get(f"/console/events/{event['slug']}")).text
    waitlist = html[html.index('id="waitlist"') :]
    assert waitlist.index("Person Two") < waitlist.index("Person Three")
    assert "Person One" not in waitlist


async def test_check_in_staff_use_the_sheet(client, world):
    event = await held_event(client, world)
    session_id = event["sessions"][0]["id"]
    ana = await world.member(name="Ana Arrival")
    bob = await world.member(name="Bob Later")
    ana_id, bob_id = await register(client, event, ana), await register(client, event, bob)
    async with console(client, "door@nscp.test") as browser:
        home = (await browser.get("/console")).text
        assert f"/console/events/{event['slug']}/checkin" in home
        assert f'href="/console/events/{event["slug"]}"' not in home
        assert 'href="/console/faq"' not in home
        for path in (f"/console/events/{event['slug']}", "/console/faq"):
            forbidden = await browser.get(path)
            assert forbidden.status_code == 403 and "Check-in staff" in forbidden.text

        sheet = await browser.get(f"/console/events/{event['slug']}/checkin")
        assert sheet.status_code == 200
        assert "Ana Arrival" in sheet.text and "Bob Later" in sheet.text
        assert "0 of 2 checked in" in sheet.text
        token = csrf_of(sheet.text)

        # Typing a name: htmx asks for the rows only.
        found = await browser.get(
            f"/console/events/{event['slug']}/checkin",
            params={"session": session_id, "q": "ana"},
            headers=HX,
        )
        assert found.status_code == 200 and "<html" not in found.text
        assert "Ana Arrival" in found.text and "Bob Later" not in found.text

        tap = f"/console/events/{event['slug']}/checkin/{session_id}/{ana_id}"
        row = await browser.post(tap, headers={**HX, "X-CSRF-Token": token})
        assert row.status_code == 200, row.text
        assert row.text.lstrip().startswith(f'<li id="reg-{ana_id}"')
        assert "Checked in" in row.text and "<html" not in row.text
        again = await browser.post(tap, headers={**HX, "X-CSRF-Token": token})
        assert again.status_code == 200 and "Checked in" in again.text  # harmless
        # Without JavaScript: a plain form post, back to the sheet.
        plain = await browser.post(
            f"/console/events/{event['slug']}/checkin/{session_id}/{bob_id}",
            data={"csrf": token},
        )
        assert plain.status_code == 303
        sheet = (await browser.get(plain.headers["location"])).text
        assert "2 of 2 checked in" in sheet

        undo = await browser.post(
            f"/console/events/{event['slug']}/checkin/{session_id}/{bob_id}/undo",
            data={"csrf": token},
            headers=HX,
        )
        assert "Tap to check in" in undo.text

    attendance = await client.get(
        f"/api/manage/sessions/{session_id}/attendance", headers=auth(world.admin)
    )
    assert [row["registration_id"] for row in attendance.json()] == [ana_id]


async def test_the_attendee_csv_downloads(client, world):
    event = await world.create_event(client)
    person = await world.member(name="Casey Csv")
    await register(client, event, person)
    async with console(client, "co@nscp.test") as browser:
        response = await browser.get(f"/console/events/{event['slug']}/registrations.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == (
        f'attachment; filename="{event["slug"]}-attendees.csv"'
    )
    assert "Casey Csv" in response.text and person.email in response.text


async def test_bulk_certificates_and_their_progress(client, world):
    event = await held_event(client, world)
    people = [await world.member() for _ in range(2)]
    ids = [await register(client, event, person) for person in people]
    await check_in(client, world, event["sessions"][0]["id"], *ids)
    async with console(client, "co@nscp.test") as browser:
        path = f"/console/events/{event['slug']}/certificates"
        page = await browser.get(path)
        assert page.status_code == 200 and "No certificates have been issued" in page.text
        started = await browser.post(path, data={"csrf": csrf_of(page.text)})
        assert started.status_code == 303 and started.headers["location"] == path
        page = (await browser.get(path)).text
        job_id = re.search(r'id="job-(\d+)"', page).group(1)
        assert "<progress" in page

        async def done() -> bool:
            partial = await browser.get(f"{path}/jobs/{job_id}", headers=HX)
            assert partial.status_code == 200 and "<html" not in partial.text
            if 'data-status="done"' not in partial.text:
                assert 'hx-trigger="every 1s"' in partial.text
                return False
            assert "hx-trigger" not in partial.text  # polling stops
            assert 'max="2" value="2"' in partial.text
            return True

        await eventually(done, timeout=60)
    async with console(client, "phx@nscp.test") as browser:
        assert (await browser.get(f"{path}/jobs/{job_id}")).status_code == 403


async def test_faq_entries_are_added_and_removed(client, world):
    event = await world.create_event(client)
    async with console(client, "co@nscp.test") as browser:
        page = await browser.get("/console/faq")
        assert page.status_code == 200 and "No questions are waiting" in page.text
        added = await browser.post(
            "/console/faq",
            data={
                "csrf": csrf_of(page.text),
                "scope": "event",
                "event": event["slug"],
                "question": "Is there parking?",
                "answer": "Yes, in the garage on 14th.",
            },
        )
        assert added.status_code == 303, added.text
        page = await browser.get("/console/faq")
        assert "Is there parking?" in page.text
        entry_id = re.search(r'id="entry-(\d+)"', page.text).group(1)
        refused = await browser.post(
            "/console/faq",
            data={"csrf": csrf_of(page.text), "scope": "coalition", "question": "Q", "answer": "A"},
        )
        assert refused.status_code == 403  # the coalition's entries are admins'
        deleted = await browser.post(
            f"/console/faq/{entry_id}/delete", data={"csrf": csrf_of(page.text)}
        )
        assert deleted.status_code == 303
        assert "Is there parking?" not in (await browser.get("/console/faq")).text


async def test_logout_and_a_new_password_end_the_session(client, world):
    async with (
        console(client, "co@nscp.test") as browser,
        httpx.AsyncClient(base_url=client.base_url, timeout=30) as phone,
    ):
        assert (await login(phone, "co@nscp.test")).status_code == 303
        token = await token_on(browser, "/console")
        copied = browser.cookies.get("convene_console")
        out = await browser.post("/console/logout", data={"csrf": token})
        assert out.status_code == 303 and out.headers["location"] == "/console/login"
        assert (await browser.get("/console")).status_code == 303
        # A copy of the logged-out cookie is refused; the organizer's other session is not.
        async with httpx.AsyncClient(
            base_url=client.base_url, cookies={"convene_console": copied}
        ) as thief:
            replay = await thief.get("/console", follow_redirects=False)
        assert replay.status_code == 303 and replay.headers["location"] == "/console/login"
        assert (await phone.get("/console")).status_code == 200
    async with console(client, "co@nscp.test") as browser:
        await set_password("co@nscp.test", "a brand new password")
        response = await browser.get("/console")
        assert response.status_code == 303 and response.headers["location"] == "/console/login"


async def test_the_sheet_labels_cancelled_sessions_and_does_not_default_to_them(client, world):
    start = days_from_today(3)
    sessions = [
        {
            "title": title,
            "starts_at": (start + timedelta(days=n)).isoformat(),
            "ends_at": (start + timedelta(days=n, hours=2)).isoformat(),
        }
        for n, title in enumerate(["Opening", "Second day"])
    ]
    event = await world.create_event(client, sessions=sessions)
    opening, second = event["sessions"]
    cancelled = await client.post(
        f"/api/manage/sessions/{opening['id']}/cancel", headers=auth(world.admin)
    )
    assert cancelled.status_code == 200, cancelled.text
    async with console(client, "door@nscp.test") as browser:
        sheet = (await browser.get(f"/console/events/{event['slug']}/checkin")).text
    assert "(cancelled)" in sheet
    assert f'<option value="{second["id"]}" selected>' in sheet
