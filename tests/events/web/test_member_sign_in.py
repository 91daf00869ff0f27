"""Signing in to the member page by an emailed one-time link, end to end: the form, the
real SMTP server on loopback, the link's page and button; single use, expiry, tampering,
the neutral answer, rate limits per address and per client, signing out."""

from __future__ import annotations

import hashlib
import itertools
import time
from datetime import UTC, datetime, timedelta

import pytest

from events.db import fetch, fetch_one
from tests.events.web.test_rate_limits import from_address
from tests.support.member_page import (
    SIGN_IN_LINK,
    csrf_of,
    emailed_sign_in_link,
    follow_sign_in_link,
    sign_in,
)
from tests.support.servers import app_server

NEUTRAL = "If <strong>{}</strong> is registered with Convene, a sign-in link is on its way."
_n = itertools.count(1)


async def ask_for_link(client, email: str):
    form = await client.get("/me")
    assert form.status_code == 200 and 'action="/me/sign-in"' in form.text, form.text
    return await client.post("/me/sign-in", data={"email": email, "csrf": csrf_of(form.text)})


async def emailed_token(smtp_server, email: str, count: int = 1) -> str:
    return (await emailed_sign_in_link(smtp_server, email, count)).group(2)


async def test_an_emailed_link_signs_in_once(client, world, smtp_server, server):
    person = await world.member(name="Ana Nguyen")

    asked = await ask_for_link(client, person.email.upper())

    assert asked.status_code == 200, asked.text
    assert NEUTRAL.format(person.email) in asked.text
    received = (await smtp_server.wait_for(person.email))[0]
    assert received.message["Subject"] == "Your sign-in link for Convene"
    assert received.message["To"].addresses[0].display_name == "Ana Nguyen"
    base, token = SIGN_IN_LINK.search(received.text).groups()
    assert base == server and f"/me/sign-in/{token}" in received.html
    row = await fetch_one(
        "SELECT via, token_hash, used_at, expires_at, created_at FROM member_login "
        "WHERE member = {}",
        person.id,
    )
    assert row["via"] == "email" and row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert row["expires_at"] - row["created_at"] == timedelta(minutes=15)

    page = await client.get(f"/me/sign-in/{token}")  # what a mail scanner does
    assert page.status_code == 200 and ">Sign in</button>" in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-store"
    assert (await fetch_one("SELECT used_at FROM member_login WHERE member = {}", person.id))[
        "used_at"
    ] is None

    signed_in = await client.post(f"/me/sign-in/{token}", data={"csrf": csrf_of(page.text)})

    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/me"
    cookie = signed_in.headers["set-cookie"]
    assert "convene_member=" in cookie and "Path=/me" in cookie
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    mine = await client.get("/me")
    assert "Ana Nguyen" in mine.text and person.email in mine.text and "Sign out" in mine.text

    again = await client.post(f"/me/sign-in/{token}", data={"csrf": csrf_of(mine.text)})
    assert again.status_code == 410 and "used already" in again.text
    assert (await client.get(f"/me/sign-in/{token}")).status_code == 410


async def test_an_unknown_address_reads_the_same_and_gets_nothing(client, world, smtp_server):
    member = await world.member()
    stranger = f"nobody{next(_n)}.{time.time_ns()}@denvergov.test"

    answers = [await ask_for_link(client, stranger), await ask_for_link(client, member.email)]

    assert [a.status_code for a in answers] == [200, 200]
    assert NEUTRAL.format(stranger) in answers[0].text
    assert answers[0].text.replace(stranger, "X") == answers[1].text.replace(member.email, "X")
    await emailed_token(smtp_server, member.email)  # the member's came, queued after
    assert smtp_server.received(stranger) == []
    assert await fetch("SELECT id FROM member_login WHERE member <> {}", member.id) == []


async def test_a_malformed_address_is_asked_again(client, world):
    answer = await ask_for_link(client, "not an address")
    assert answer.status_code == 422 and "like name@example.org" in answer.text


async def test_an_expired_link_is_refused(client, world, smtp_server):
    person = await world.member()
    await ask_for_link(client, person.email)
    token = await emailed_token(smtp_server, person.email)
    await fetch(
        "UPDATE member_login SET expires_at = {} WHERE member = {}",
        datetime.now(UTC) - timedelta(seconds=1),
        person.id,
    )

    page = await client.get(f"/me/sign-in/{token}")
    assert page.status_code == 410 and "expired" in page.text
    pressed = await client.post(
        f"/me/sign-in/{token}", data={"csrf": csrf_of((await client.get("/me")).text)}
    )
    assert pressed.status_code == 410 and "expired" in pressed.text
    assert "Sign out" not in (await client.get("/me")).text


async def test_a_tampered_link_is_not_found(client, world, smtp_server):
    person = await world.member()
    await ask_for_link(client, person.email)
    token = await emailed_token(smtp_server, person.email)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")

    page = await client.get(f"/me/sign-in/{tampered}")
    assert page.status_code == 404 and "not valid" in page.text
    form = await client.get("/me")
    pressed = await client.post(f"/me/sign-in/{tampered}", data={"csrf": csrf_of(form.text)})
    assert pressed.status_code == 404
    assert (await client.get(f"/me/sign-in/{token[:20]}")).status_code == 404
    assert (await follow_sign_in_link(client, token)).status_code == 303  # the real one works


async def test_the_button_needs_the_pages_csrf_token(client, world, smtp_server):
    person = await world.member()
    await ask_for_link(client, person.email)
    token = await emailed_token(smtp_server, person.email)
    forged = await client.post(f"/me/sign-in/{token}", data={"csrf": "made-up"})
    assert forged.status_code == 403
    assert (await fetch_one("SELECT used_at FROM member_login WHERE member = {}", person.id))[
        "used_at"
    ] is None


async def test_signing_out_ends_the_session_and_its_copies(client, world, server):
    person = await world.member()
    page = await sign_in(client, person.id)
    copied = dict(client.cookies)

    out = await client.post("/me/sign-out", data={"csrf": csrf_of(page)})

    assert out.status_code == 303
    assert "Sign out" not in (await client.get("/me")).text
    import httpx

    async with httpx.AsyncClient(base_url=server, cookies=copied) as other:
        assert "Sign out" not in (await other.get("/me")).text
    assert (await client.get("/me/export.json", follow_redirects=False)).status_code == 303


@pytest.fixture(scope="module")
def limited(server: str, smtp_server):
    """A second app server with small sign-in link limits."""
    limits = {"MEMBER_LINKS_PER_CLIENT": "3", "MEMBER_LINKS_PER_ADDRESS": "2"}
    with app_server(**limits, SMTP_URL=smtp_server.url) as base:
        yield base


async def test_one_address_gets_few_links(limited, world):
    person = await world.member()
    answers = []
    for _ in range(3):  # a new client each time: only the address is the same
        async with from_address(limited) as sender:
            answers.append(await ask_for_link(sender, person.email))
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert 'data-reason="too_many_links_address"' in answers[-1].text
    assert len(await fetch("SELECT id FROM member_login WHERE member = {}", person.id)) == 2


async def test_one_client_gets_few_links(limited, world):
    people = await world.members(4)
    async with from_address(limited) as sender:
        answers = [await ask_for_link(sender, person.email) for person in people]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert 'data-reason="too_many_links_client"' in answers[-1].text
    assert "from your connection" in answers[-1].text
    async with from_address(limited) as someone_else:
        assert (await ask_for_link(someone_else, people[-1].email)).status_code == 200
