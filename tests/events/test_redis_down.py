"""Issue 14, fault 4 beyond the certificates: with Redis down (this module's own, killed
and started again), organizers log in and out (login-failure limits and ended sessions
fall back to process memory), a logged-out session stays ended when Redis returns (and
Redis learns of it, for the other processes), and registrations answer although nothing
can be queued (the outbox rows wait for the sweep)."""

from __future__ import annotations

import os

import httpx
import pytest
import redis

from events.db import fetch
from events.services.organizers import set_password
from tests.events.web.test_console import PASSWORD, csrf_of, login
from tests.support.instances import OwnRedis
from tests.support.polling import eventually
from tests.support.servers import app_server


@pytest.fixture(scope="module")
def own_redis():
    with OwnRedis() as server:
        yield server


@pytest.fixture(scope="module")
def on_own_redis(server, own_redis):
    queue = f"convene:test:redis-down-events:{os.getpid()}"
    with app_server(REDIS_URL=own_redis.url, CONVENE_TASK_QUEUE=queue) as base:
        yield base


@pytest.fixture
def redis_down(own_redis):
    with own_redis.down():
        yield


def _ended_sessions(own: OwnRedis) -> list[bytes]:
    client = redis.Redis.from_url(own.url)
    try:
        return client.keys("convene:console_sessions*")
    finally:
        client.close()


async def test_a_session_ended_while_redis_is_down_stays_ended(
    world, own_redis, on_own_redis, redis_down
):
    await set_password("co@nscp.test", PASSWORD)
    async with httpx.AsyncClient(base_url=on_own_redis, timeout=30) as browser:
        wrong = await login(browser, "co@nscp.test", "not the password")
        assert wrong.status_code == 401, wrong.text  # the failure is counted, in memory
        assert (await login(browser, "co@nscp.test")).status_code == 303
        dashboard = await browser.get("/console")
        assert dashboard.status_code == 200
        copied = browser.cookies.get("convene_console")
        out = await browser.post("/console/logout", data={"csrf": csrf_of(dashboard.text)})
        assert out.status_code == 303 and out.headers["location"] == "/console/login"

    async def replayed(expected: int) -> int:
        async with httpx.AsyncClient(
            base_url=on_own_redis, cookies={"convene_console": copied}
        ) as thief:
            replay = await thief.get("/console", follow_redirects=False)
        assert replay.status_code == expected, replay.text
        return replay.status_code

    await replayed(303)  # refused while Redis is down
    own_redis.start()  # empty: it never heard of the logout

    async def redis_knows() -> bool:
        await replayed(303)  # ... and refused at every moment after it returns
        return bool(_ended_sessions(own_redis))

    assert await eventually(redis_knows, timeout=20, interval=0.5)


async def test_registration_answers_while_the_broker_is_down(
    client, world, on_own_redis, redis_down
):
    event = await world.create_event(client, capacity=5)
    member = await world.member()
    async with httpx.AsyncClient(base_url=on_own_redis, timeout=30) as http:
        response = await http.post(
            f"/api/events/{event['slug']}/registration", headers=member.headers
        )
    assert response.status_code == 201, response.text
    rows = await fetch(
        "SELECT n.id FROM notification n WHERE n.registration = {}", response.json()["id"]
    )
    assert rows  # the confirmation waits in the outbox for the sweep
