"""Coalition admins manage organizers in the console, through the real server: the list, adding
one (the password link arrives at the loopback SMTP server), the link's page and its one use,
expired and altered links, editing, deactivating, and the refusals."""

from __future__ import annotations

import itertools
import re
import time
from datetime import UTC, datetime, timedelta

import httpx

from events.db import fetch, fetch_one
from events.enums import OrganizerRole
from events.services import password_links
from events.services.organizers import ensure_organizer
from tests.events.web.test_console import PASSWORD, console, csrf_of, login
from tests.support.polling import eventually
from tests.support.smtp import SmtpServer

LINK = re.compile(r"(https?://[^\s\"<>]+)/console/password/([0-9]+\.[0-9]+\.[\w-]{22}\.[\w-]{22})")
NEW_PASSWORD = "a new and rather long passphrase"
HTML = "text/html"
_n = itertools.count(1)


def _address() -> str:
    return f"organizer{next(_n)}.{time.time_ns() % 10**9}@nscp.test"


async def _organizer(email: str) -> dict | None:
    row = await fetch_one(
        "SELECT id, name, role, active, password_hash FROM organizer WHERE email = {}", email
    )
    if row is None:
        return None
    regions = await fetch(
        "SELECT r.slug FROM organizer_region x JOIN region r ON r.id = x.region "
        "WHERE x.organizer = {} ORDER BY r.slug",
        row["id"],
    )
    return {**row, "active": bool(row["active"]), "regions": [r["slug"] for r in regions]}


async def _add(browser: httpx.AsyncClient, **fields) -> httpx.Response:
    token = csrf_of((await browser.get("/console/organizers")).text)
    return await browser.post("/console/organizers", data={"csrf": token, **fields})


async def _link(smtp: SmtpServer, email: str, count: int = 1) -> str:
    received = await smtp.wait_for(email, count)
    assert len(received) >= count, f"no password link reached {email}"
    return "/console/password/" + LINK.search(received[-1].text).group(2)


async def _new_organizer(email: str, role=OrganizerRole.region_organizer) -> int:
    await ensure_organizer(email, "Nia New", role, ["colorado"])
    row = await _organizer(email)
    assert row is not None
    return row["id"]


async def test_only_admins_see_and_use_the_organizer_pages(client, world):
    async with console(client, "admin@nscp.test") as admin:
        home = await admin.get("/console")
        assert '<a href="/console/organizers">Organizers</a>' in home.text
        listed = await admin.get("/console/organizers")
        assert listed.status_code == 200
        assert "co@nscp.test" in listed.text and "Region organizer" in listed.text
    for email in ("co@nscp.test", "door@nscp.test"):
        async with console(client, email) as browser:
            home = await browser.get("/console")
            assert "/console/organizers" not in home.text
            token = csrf_of(home.text)
            colorado = await _organizer("co@nscp.test")
            for response in (
                await browser.get("/console/organizers"),
                await browser.get(f"/console/organizers/{colorado['id']}"),
                await browser.post(
                    "/console/organizers",
                    data={"csrf": token, "email": _address(), "name": "X", "role": "admin"},
                ),
                await browser.post(
                    f"/console/organizers/{colorado['id']}/deactivate", data={"csrf": token}
                ),
            ):
                assert response.status_code == 403, response.text
                assert response.headers["content-type"].startswith(HTML)
                assert "Only coalition admins can do this." in response.text
    assert (await _organizer("co@nscp.test"))["active"]


async def test_a_new_organizer_sets_their_password_from_the_emailed_link(
    client, world, smtp_server
):
    email = _address()
    async with console(client, "admin@nscp.test") as admin:
        added = await _add(
            admin,
            email=f" {email.upper()} ",
            name="Nia  New",
            role="region_organizer",
            regions=["colorado", "the-connective"],
        )
        assert added.status_code == 303, added.text
        row = await _organizer(email)
        assert added.headers["location"] == f"/console/organizers/{row['id']}?done=added"
        assert (row["name"], row["role"], row["active"]) == ("Nia New", "region_organizer", True)
        assert row["regions"] == ["colorado", "the-connective"]
        assert row["password_hash"] is None
        page = await admin.get(added.headers["location"])
        assert "A password link is on its way to them" in page.text
        assert "no password yet" in page.text
        listed = (await admin.get("/console/organizers")).text
        assert email in listed and "not yet" in listed
        # No API token is shown to the admin (the CLI's ensure_organizer issues one).
        assert "cvo_" not in page.text and "cvo_" not in listed

    received = (await smtp_server.wait_for(email))[-1]
    assert received.message["Subject"] == "Set your password for the Convene console"
    assert received.message["To"].addresses[0].display_name == "Nia New"
    base, token = LINK.search(received.text).groups()
    assert base == str(client.base_url).rstrip("/")
    assert f"/console/password/{token}" in received.html
    assert "Admin gave you an organizer account" in received.text
    path = f"/console/password/{token}"

    async with httpx.AsyncClient(base_url=client.base_url, timeout=30) as stranger:
        for _ in range(2):  # what a mail scanner does: opening it changes nothing
            form = await stranger.get(path)
            assert form.status_code == 200, form.text
        assert form.headers["cache-control"] == "no-store"
        assert form.headers["referrer-policy"] == "no-referrer"
        assert 'for="f-password">New password<' in form.text
        assert 'for="f-repeated">The same password again<' in form.text
        assert form.text.count('autocomplete="new-password"') == 2
        assert form.text.count('minlength="12"') == 2
        assert (await _organizer(email))["password_hash"] is None

        # No console session, no session CSRF token: the link's own token is the proof.
        done = await stranger.post(path, data={"password": NEW_PASSWORD, "repeated": NEW_PASSWORD})
        assert done.status_code == 303, done.text
        assert done.headers["location"] == "/console/login?password=set"
        notice = await stranger.get(done.headers["location"])
        assert "Your password is set." in notice.text

        logged_in = await login(stranger, email, NEW_PASSWORD)
        assert logged_in.status_code == 303 and logged_in.headers["location"] == "/console"
        assert "Nia New" in (await stranger.get("/console")).text

    async with httpx.AsyncClient(base_url=client.base_url, timeout=30) as later:
        for again in (
            await later.get(path),
            await later.post(path, data={"password": "x" * 20, "repeated": "x" * 20}),
        ):
            assert again.status_code == 410, again.text
            assert again.headers["content-type"].startswith(HTML)
            assert "has been used already" in again.text
        assert (await login(later, email, NEW_PASSWORD)).status_code == 303  # unchanged


async def test_expired_and_altered_links_do_not_work(client, world):
    email = _address()
    organizer_id = await _new_organizer(email)
    long_ago = datetime.now(UTC) - password_links.LINK_LIFETIME - timedelta(minutes=1)
    expired = password_links.password_link_token(organizer_id, None, now=long_ago)
    for response in (
        await client.get(f"/console/password/{expired}"),
        await client.post(
            f"/console/password/{expired}",
            data={"password": NEW_PASSWORD, "repeated": NEW_PASSWORD},
        ),
    ):
        assert response.status_code == 410, response.text
        assert response.headers["content-type"].startswith(HTML)
        assert "This password link has expired." in response.text

    valid = password_links.password_link_token(organizer_id, None)
    assert (await client.get(f"/console/password/{valid}")).status_code == 200
    ident, expires, made, bound = valid.split(".")
    flipped = ("A" if made[0] != "A" else "B") + made[1:]
    admin_id = (await _organizer("admin@nscp.test"))["id"]
    for altered in (
        f"{ident}.{expires}.{flipped}.{bound}",
        f"{ident}.{int(expires) + 86400}.{made}.{bound}",  # a later expiry
        f"{admin_id}.{expires}.{made}.{bound}",  # someone else's account
        "not-a-token",
        valid[:-1],
    ):
        for response in (
            await client.get(f"/console/password/{altered}"),
            await client.post(
                f"/console/password/{altered}",
                data={"password": NEW_PASSWORD, "repeated": NEW_PASSWORD},
            ),
        ):
            assert response.status_code in (404, 410), (altered, response.text)
            assert response.headers["content-type"].startswith(HTML)
            if altered != valid[:-1]:  # the last one's "made" part is still genuine
                assert response.status_code == 404 and "not valid" in response.text
    assert (await _organizer(email))["password_hash"] is None
    assert (await _organizer("admin@nscp.test"))["password_hash"] is None


async def test_mismatched_or_short_passwords_change_nothing(client, world):
    email = _address()
    organizer_id = await _new_organizer(email)
    path = f"/console/password/{password_links.password_link_token(organizer_id, None)}"
    for typed, field, message in (
        ({"password": NEW_PASSWORD, "repeated": NEW_PASSWORD + "!"}, "repeated", "not the same"),
        ({"password": "short", "repeated": "short"}, "password", "at least 12 characters"),
        ({}, "password", "at least 12 characters"),
    ):
        response = await client.post(path, data=typed)
        assert response.status_code == 422, response.text
        assert message in response.text
        assert f'aria-describedby="f-{field}-error"' in response.text or (
            f'f-{field}-error"' in response.text
        )
        assert NEW_PASSWORD not in response.text  # never echoed
        assert (await _organizer(email))["password_hash"] is None
    assert (await client.get(path)).status_code == 200  # the link still works


async def test_admins_change_an_organizers_name_role_and_regions(client, world):
    email = _address()
    organizer_id = await _new_organizer(email)
    page = f"/console/organizers/{organizer_id}"
    async with console(client, "admin@nscp.test") as admin:
        form = await admin.get(page)
        assert form.status_code == 200 and email in form.text
        assert 'value="colorado" checked' in form.text
        token = csrf_of(form.text)
        saved = await admin.post(
            page,
            data={
                "csrf": token,
                "name": "Nia Renamed",
                "role": "checkin_staff",
                "regions": ["the-connective", "colorado"],
            },
        )
        assert saved.status_code == 303 and saved.headers["location"] == f"{page}?done=saved"
        row = await _organizer(email)
        assert (row["name"], row["role"]) == ("Nia Renamed", "checkin_staff")
        assert row["regions"] == ["colorado", "the-connective"]

        for data, status, message in (
            ({"name": "Nia", "role": "region_organizer"}, 422, "Tick the regions"),
            ({"name": "Nia", "role": "region_organizer", "regions": "atlantis"}, 422, "atlantis"),
            ({"name": " ", "role": "admin"}, 422, "Give the organizer"),
            ({"name": "Nia", "role": "emperor", "regions": "colorado"}, 422, "Choose a role"),
        ):
            refused = await admin.post(page, data={"csrf": token, **data})
            assert refused.status_code == status, refused.text
            assert message in refused.text
        unchanged = await _organizer(email)
        assert (unchanged["name"], unchanged["role"]) == ("Nia Renamed", "checkin_staff")
        assert unchanged["regions"] == ["colorado", "the-connective"]

        taken = await _add(admin, email="co@nscp.test", name="Again", role="admin")
        assert taken.status_code == 409 and "organizer with this email already" in taken.text
        invalid = await _add(admin, email="not an email", name="X", role="admin")
        assert invalid.status_code == 422 and "Enter an email address" in invalid.text
        assert (await admin.get("/console/organizers/999999")).status_code == 404


async def test_deactivating_ends_their_console_session(client, world):
    colorado = await _organizer("co@nscp.test")
    async with console(client, "co@nscp.test") as organizer:
        assert (await organizer.get("/console")).status_code == 200
        async with console(client, "admin@nscp.test") as admin:
            page = f"/console/organizers/{colorado['id']}"
            token = csrf_of((await admin.get(page)).text)
            off = await admin.post(f"{page}/deactivate", data={"csrf": token})
            assert off.status_code == 303 and off.headers["location"] == f"{page}?done=deactivated"
            assert "deactivated" in (await admin.get("/console/organizers")).text

            gone = await organizer.get("/console", follow_redirects=False)
            assert gone.status_code == 303 and gone.headers["location"] == "/console/login"
            assert (await login(organizer, "co@nscp.test")).status_code == 401
            api = await client.get(
                "/api/manage/events",
                headers={"Authorization": f"Bearer {world.colorado_organizer}"},
            )
            assert api.status_code == 401
            # No password links for the deactivated.
            link = await admin.post(f"{page}/password-link", data={"csrf": token})
            assert link.status_code == 409 and "reactivate them first" in link.text

            on = await admin.post(f"{page}/reactivate", data={"csrf": token})
            assert on.status_code == 303
        assert (await login(organizer, "co@nscp.test", PASSWORD)).status_code == 303


async def test_admins_cannot_deactivate_or_demote_themselves(client, world):
    me = await _organizer("admin@nscp.test")
    page = f"/console/organizers/{me['id']}"
    async with console(client, "admin@nscp.test") as admin:
        form = await admin.get(page)
        assert "/deactivate" not in form.text and "cannot deactivate your own" in form.text
        token = csrf_of(form.text)
        refused = await admin.post(f"{page}/deactivate", data={"csrf": token})
        assert refused.status_code == 409
        assert "You cannot deactivate your own account" in refused.text
        demoted = await admin.post(
            page,
            data={
                "csrf": token,
                "name": "Admin",
                "role": "region_organizer",
                "regions": "colorado",
            },
        )
        assert demoted.status_code == 409
        assert "You cannot take away your own admin role" in demoted.text
        assert 'id="f-role-error"' in demoted.text
        assert (await admin.get("/console/organizers")).status_code == 200  # still an admin
    row = await _organizer("admin@nscp.test")
    assert (row["role"], row["active"], row["regions"]) == ("admin", True, [])


async def test_admin_forms_need_the_sessions_csrf_token(client, world, smtp_server):
    email = _address()
    colorado = await _organizer("co@nscp.test")
    page = f"/console/organizers/{colorado['id']}"
    async with console(client, "admin@nscp.test") as admin:
        fields = {"email": email, "name": "Forged", "role": "admin"}
        for path, data in (
            ("/console/organizers", fields),
            ("/console/organizers", {**fields, "csrf": "forged"}),
            (page, {"name": "Forged", "role": "admin"}),
            (f"{page}/deactivate", {}),
            (f"{page}/password-link", {"csrf": "forged"}),
        ):
            response = await admin.post(path, data=data)
            assert response.status_code == 403, (path, response.text)
            assert "This form has expired" in response.text
    assert await _organizer(email) is None
    row = await _organizer("co@nscp.test")
    assert (row["name"], row["role"], row["active"]) == ("Colorado", "region_organizer", True)
    assert smtp_server.received("co@nscp.test") == []


async def test_a_new_password_link_replaces_a_password_only_when_used(client, world, smtp_server):
    email = "co@nscp.test"
    colorado = await _organizer(email)
    before = len(smtp_server.received(email))
    async with console(client, email) as organizer, console(client, "admin@nscp.test") as admin:
        page = f"/console/organizers/{colorado['id']}"
        token = csrf_of((await admin.get(page)).text)
        sent = await admin.post(f"{page}/password-link", data={"csrf": token})
        assert sent.status_code == 303 and sent.headers["location"] == f"{page}?done=sent"
        path = await _link(smtp_server, email, before + 1)
        assert "Set a new password" in smtp_server.received(email)[-1].message["Subject"]
        assert (await organizer.get("/console")).status_code == 200  # the old one still works
        assert (await client.get(path)).status_code == 200

        done = await client.post(path, data={"password": NEW_PASSWORD, "repeated": NEW_PASSWORD})
        assert done.status_code == 303
        # A new password ends the sessions logged in with the old one.
        assert (await organizer.get("/console", follow_redirects=False)).status_code == 303
    assert (await login(client, email, PASSWORD)).status_code == 401
    assert (await login(client, email, NEW_PASSWORD)).status_code == 303


async def test_a_link_asked_while_the_relay_refuses_arrives_once_it_takes_mail(
    client, world, smtp_server
):
    """The relay turns the address away for now (451): the admin is answered at once, the
    organizer's page shows the link waiting, and it arrives once the relay takes it, once
    (issue 14, B8: it used to answer 503 and wait for the admin to send it again)."""
    email = _address()
    organizer_id = await _new_organizer(email)
    smtp_server.refuse(email, "451 4.4.1 Relay unavailable, try later")
    try:
        async with console(client, "admin@nscp.test") as admin:
            page = f"/console/organizers/{organizer_id}"
            token = csrf_of((await admin.get(page)).text)
            sent = await admin.post(f"{page}/password-link", data={"csrf": token})
            assert sent.status_code == 303 and sent.headers["location"] == f"{page}?done=sent"

            async def waiting() -> dict | None:
                row = await fetch_one(
                    "SELECT * FROM organizer_invitation WHERE organizer = {}", organizer_id
                )
                return row if row and row["last_error"] else None

            row = await eventually(waiting)
            assert row and row["sent_at"] is None and row["failed_at"] is None
            assert row["claimed_at"] is None and "451" in row["last_error"]
            shown = await admin.get(page)
            assert "waiting for the mail server" in shown.text and "451" in shown.text
    finally:
        smtp_server.refuse(email, None)
    # The relay takes mail again; the backoff is over (as the clock would say).
    await fetch(
        "UPDATE organizer_invitation SET next_attempt_at = {} WHERE id = {}",
        datetime.now(UTC),
        row["id"],
    )
    path = await _link(smtp_server, email)
    assert (await client.get(path)).status_code == 200  # the link works
    sent = await eventually(lambda: _invitation_sent(row["id"]))
    assert sent and sent["attempts"] >= 2
    assert len(smtp_server.received(email)) == 1
    assert "token" not in " ".join(sent.keys())  # nothing of the link is kept


async def _invitation_sent(invitation_id: int) -> dict | None:
    row = await fetch_one("SELECT * FROM organizer_invitation WHERE id = {}", invitation_id)
    return row if row["sent_at"] else None
