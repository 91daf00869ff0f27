"""Deleting an account from the member page: registrations cancelled through the release
path (the seat goes to the waitlist), then no trace of the member's personal data in any
table but the certificate's printed snapshot, and the certificate still verifies."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import httpx

from events.config import get_settings
from events.db import DB, fetch, fetch_one
from events.extensions import discover, install
from events.services import member_erasure
from tests.support.badges import check_schema
from tests.support.certificates import attended_certificate, raw_code
from tests.support.member_page import csrf_of, post_form, sign_in

NAME, SLACK_USER, ANSWER = "Zelda Quixote", "U0ZELDAQX", "zelda-secret-diet"


async def _all_rows() -> dict[str, list[dict]]:
    if DB.engine_type == "postgres":
        names = [
            row["tablename"]
            for row in await fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ]
    else:
        names = [
            row["name"]
            for row in await fetch(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
    return {name: await fetch(f'SELECT * FROM "{name}"') for name in names}


def _traces(tables: dict[str, list[dict]], needles: list[str]) -> list[tuple[str, str, str]]:
    found = []
    for table, rows in tables.items():
        for row in rows:
            for column, value in row.items():
                text = str(value).lower()
                for needle in needles:
                    if needle.lower() in text:
                        found.append((table, column, needle))
    return found


async def test_deleting_the_account_leaves_only_the_printed_certificate(client, world, server):
    _, zelda, _, certificate = await attended_certificate(client, world, name=NAME)
    code = raw_code(certificate["code"])
    event = await world.create_event(
        client, capacity=1, questions=[{"key": "diet", "label": "Diet", "kind": "text"}]
    )
    waiting = await world.member(name="Wanda Waiting")
    for person, answers in ((zelda, {"diet": ANSWER}), (waiting, {"diet": "none"})):
        answer = await client.post(
            f"/api/events/{event['slug']}/registration", json={"answers": answers},
            headers=person.headers,
        )  # fmt: skip
        assert answer.status_code == 201, answer.text
    await fetch(
        "INSERT INTO slack_identity (member, team_id, user_id) VALUES ({}, 'T0NSCP', {})",
        zelda.id,
        SLACK_USER,
    )
    await fetch(
        "INSERT INTO question (team_id, channel_id, thread_ts, user_id, member, text, status, "
        "created_at) VALUES ('T0NSCP', 'C0GENERAL', '1.2', {}, {}, {}, 'escalated', {})",
        SLACK_USER,
        zelda.id,
        f"{NAME} asks where to park",
        datetime.now(UTC),
    )
    await fetch(
        "INSERT INTO email_confirmation (event, email, name, answers, created_at, expires_at, "
        "attempts) SELECT id, {}, {}, {}, {}, {}, 0 FROM event WHERE slug = {}",
        zelda.email,
        NAME,
        "{}",
        datetime.now(UTC),
        datetime.now(UTC),
        event["slug"],
    )
    await fetch(
        "UPDATE notification SET last_error = {} WHERE registration IN "
        "(SELECT id FROM registration WHERE member = {})",
        f"550 mailbox {zelda.email} unavailable",
        zelda.id,
    )
    page = await sign_in(client, zelda.id)  # also makes her calendar feed and a login row
    feed = (await fetch_one("SELECT calendar_token_hash FROM member WHERE id = {}", zelda.id))[
        "calendar_token_hash"
    ]
    assert feed
    token_hash = hashlib.sha256(zelda.token.encode()).hexdigest()
    needles = [NAME, zelda.email, SLACK_USER, ANSWER, token_hash, feed]
    assert len({table for table, _, _ in _traces(await _all_rows(), needles)}) >= 8

    confirm = await client.get("/me/delete")
    assert confirm.status_code == 200 and zelda.email in confirm.text
    wrong = await post_form(client, "/me/delete", confirm.text, email="someone@else.test")
    assert wrong.status_code == 422
    assert (await fetch_one("SELECT erased_at FROM member WHERE id = {}", zelda.id))[
        "erased_at"
    ] is None
    deleted = await post_form(client, "/me/delete", confirm.text, email=zelda.email.upper())

    assert deleted.status_code == 200 and "Your account is deleted" in deleted.text
    # The seat went to the waitlist, through the release path.
    statuses = {
        row["member"]: row["status"]
        for row in await fetch(
            "SELECT r.member, r.status FROM registration r JOIN event e ON e.id = r.event "
            "WHERE e.slug = {}",
            event["slug"],
        )
    }
    assert statuses == {zelda.id: "cancelled", waiting.id: "confirmed"}
    # Nothing personal anywhere, but the certificate's printed snapshot.
    traces = _traces(await _all_rows(), needles)
    assert traces == [("certificate", "holder_name", NAME)], traces
    member = await fetch_one("SELECT * FROM member WHERE id = {}", zelda.id)
    assert (member["name"], member["email"]) == ("Erased member", f"erased-{zelda.id}@invalid")
    assert member["organization"] is None and member["calendar_salt"] is None
    assert member["erased_at"] is not None
    assert (
        await fetch(
            "SELECT n.id FROM notification n JOIN registration r ON r.id = n.registration "
            "WHERE r.member = {} AND n.kind = 'registration_cancelled'",
            zelda.id,
        )
        == []
    )
    # Her session, token and feed are gone.
    assert "Sign out" not in (await client.get("/me")).text
    assert (await client.get("/api/me", headers=zelda.headers)).status_code == 401
    # The certificate still verifies, showing what is printed on it.
    verify = await client.get(f"/verify/{code}")
    assert verify.status_code == 200 and NAME in verify.text
    status = (await client.get(f"/api/certificates/{code}")).json()
    assert (status["state"], status["holder_name"]) == ("valid", NAME)
    badge = (await client.get(f"/api/certificates/{code}/badge")).json()
    check_schema(badge)
    [identity] = badge["credentialSubject"]["identifier"]
    assert identity["identityType"] == "name"
    assert (await client.get(f"/certificates/{code}.pdf")).status_code == 200
    assert await fetch("SELECT id FROM member_login WHERE member = {}", zelda.id) == []
    assert "Sign out" in page


async def test_an_erasure_stopped_half_way_is_finished_by_the_sweep(client, world, server):
    person = await world.member(name="Hal Fway")
    await fetch(
        "INSERT INTO slack_identity (member, team_id, user_id) VALUES ({}, 'T0NSCP', 'U0HALF')",
        person.id,
    )
    event = await world.create_event(client)
    response = await client.post(
        f"/api/events/{event['slug']}/registration", headers=person.headers
    )
    assert response.status_code == 201
    # Step 1 done, then the process stopped: marked erased, data still there.
    await fetch("UPDATE member SET erased_at = {} WHERE id = {}", datetime.now(UTC), person.id)
    async with httpx.AsyncClient(base_url=server) as browser:
        page = await browser.get("/me")
        assert (
            await post_form(browser, "/me/sign-in", page.text, email=person.email)
        ).status_code == 200
    assert await fetch("SELECT id FROM member_login WHERE member = {}", person.id) == []
    install(discover(get_settings()))  # as the app and the worker do

    assert await member_erasure.finish_erasures() >= 1

    row = await fetch_one("SELECT name, email FROM member WHERE id = {}", person.id)
    assert (row["name"], row["email"]) == ("Erased member", f"erased-{person.id}@invalid")
    assert await fetch("SELECT id FROM slack_identity WHERE member = {}", person.id) == []
    registration = await fetch_one("SELECT status FROM registration WHERE member = {}", person.id)
    assert registration["status"] == "cancelled"
    assert await member_erasure.finish_erasures() == 0
    assert csrf_of(page.text)
