"""Limits per client and per recipient (issue 11, item 18), on servers started with small
limits. Each test speaks from loopback addresses of its own (127.x.y.z: the whole block is
loopback), so the server sees distinct clients, and uses accounts and addresses of its own,
so counters (in Redis when REDIS_URL is set, shared by every server) never meet."""

from __future__ import annotations

import itertools
import os
import random
from contextlib import asynccontextmanager

import httpx
import pytest

from events.db import fetch
from events.enums import OrganizerRole
from events.services.organizers import ensure_organizer, set_password
from tests.events.web.test_console import PASSWORD, csrf_of
from tests.events.web.test_registration_email import _address, _request
from tests.support.servers import app_server

LIMITS = {
    "REGISTRATION_EMAILS_PER_CLIENT": "4",
    "REGISTRATION_EMAILS_PER_ADDRESS": "2",
    "PASSWORD_LINKS_PER_CLIENT": "3",
    "PASSWORD_LINKS_PER_ORGANIZER": "2",
    "LOGIN_FAILURES_PER_CLIENT": "6",
    "LOGIN_FAILURES_PER_ACCOUNT": "3",
    "LOGIN_FAILURES_PER_ACCOUNT_ALL": "5",
}
_n = itertools.count(1)


def _client_address() -> str:
    return f"127.{random.randrange(1, 255)}.{random.randrange(256)}.{random.randrange(1, 255)}"


@pytest.fixture(scope="module")
def limited(server: str, smtp_server):
    """A second app server, the suite's settings but small limits."""
    with app_server(**LIMITS, SMTP_URL=smtp_server.url) as base:
        yield base


@asynccontextmanager
async def from_address(base: str, address: str | None = None):
    transport = httpx.AsyncHTTPTransport(local_address=address or _client_address())
    async with httpx.AsyncClient(base_url=base, transport=transport, timeout=30) as client:
        yield client


async def _organizer() -> str:
    email = f"limit{next(_n)}.{random.randrange(10**9)}@nscp.test"
    await ensure_organizer(email, "Lim Ited", OrganizerRole.region_organizer, ["colorado"])
    await set_password(email, PASSWORD)
    return email


async def _login(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> int:
    page = await client.get("/console/login")
    response = await client.post(
        "/console/login",
        data={"email": email, "password": password, "csrf": csrf_of(page.text)},
    )
    return response.status_code


async def test_one_client_gets_few_registration_emails(limited, client, world):
    events = [await world.create_event(client, capacity=10) for _ in range(5)]
    async with from_address(limited) as sender:
        pages = [await _request(sender, e["slug"], "Rita Flood", _address()) for e in events]
    assert [page.status_code for page in pages] == [200, 200, 200, 200, 429]
    assert "Too many registration requests" in pages[-1].text
    async with from_address(limited) as someone_else:
        page = await _request(someone_else, events[-1]["slug"], "Sam Else", _address())
        assert page.status_code == 200


async def test_one_address_gets_few_emails_across_events(limited, client, world):
    events = [await world.create_event(client, capacity=10) for _ in range(4)]
    victim = _address()
    for event in events:  # a new client each time: only the address is the same
        async with from_address(limited) as sender:
            page = await _request(sender, event["slug"], "Vic Tim", victim)
            assert page.status_code == 200  # the page tells nobody
    rows = await fetch("SELECT id FROM email_confirmation WHERE email = {}", victim)
    assert len(rows) == 2


async def test_password_links_are_limited_per_organizer_and_per_client(limited, world):
    admin_email = await _organizer()
    await ensure_organizer(admin_email, "Ad Min", OrganizerRole.admin, [])
    targets = [await _organizer() for _ in range(3)]
    ids = {
        row["email"]: row["id"]
        for row in await fetch("SELECT id, email FROM organizer WHERE role = 'region_organizer'")
    }
    async with from_address(limited) as admin:
        assert await _login(admin, admin_email) == 303

        async def send(email: str) -> httpx.Response:
            path = f"/console/organizers/{ids[email]}"
            token = csrf_of((await admin.get(path)).text)
            return await admin.post(f"{path}/password-link", data={"csrf": token})

        first, second, third = [await send(targets[0]) for _ in range(3)]
        assert [first.status_code, second.status_code] == [303, 303]
        assert third.status_code == 429 and "several links" in third.text
        assert (await send(targets[1])).status_code == 303  # the client's third link
        refused = await send(targets[2])  # its fourth: over the client's limit
        assert refused.status_code == 429 and "from your connection" in refused.text


async def test_login_failures_lock_the_client_out_not_the_organizer(limited, world):
    organizer = await _organizer()
    async with from_address(limited) as attacker, from_address(limited) as organizers_pc:
        for _ in range(3):
            assert await _login(attacker, organizer, "wrong password!") == 401
        assert await _login(attacker, organizer) == 429  # even the right one, for a while
        assert await _login(organizers_pc, organizer) == 303  # the organizer gets in


async def test_one_client_cannot_try_many_accounts(limited, world):
    accounts = [await _organizer() for _ in range(7)]
    async with from_address(limited) as attacker:
        for account in accounts[:6]:
            assert await _login(attacker, account, "wrong password!") == 401
        assert await _login(attacker, accounts[6]) == 429


async def test_guessing_from_many_clients_leaves_known_browsers_in(limited, world):
    organizer = await _organizer()
    async with from_address(limited) as organizers_pc:
        assert await _login(organizers_pc, organizer) == 303  # leaves the device cookie
        for _ in range(5):
            async with from_address(limited) as bot:
                assert await _login(bot, organizer, "wrong password!") == 401
        async with from_address(limited) as new_browser:
            assert await _login(new_browser, organizer) == 429
        assert await _login(organizers_pc, organizer) == 303


async def test_login_counts_are_shared_by_processes_through_redis(limited, smtp_server, world):
    organizer = await _organizer()
    address = _client_address()
    with app_server(**LIMITS, SMTP_URL=smtp_server.url) as other:
        for base in (limited, other, limited):
            async with from_address(base, address) as attacker:
                assert await _login(attacker, organizer, "wrong password!") == 401
        async with from_address(other, address) as attacker:
            status = await _login(attacker, organizer)
    # With Redis every process sees the three failures; without it each counts its own.
    assert status == (429 if os.environ.get("REDIS_URL") else 303)
