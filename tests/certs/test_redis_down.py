"""Issue 14, faults 4 and 6: with Redis down (a Redis of this module's own, killed and
started again), the public certificate routes still answer, their rate limit still counts
(in the process's memory), bulk issue still answers 202 (the saved job is started later by
the sweep), and after Redis returns the server uses it again without a restart."""

from __future__ import annotations

import os
import random

import httpx
import pytest
import redis

from events.db import fetch_one
from tests.conftest import _TMP, _procfile_worker, _spawn
from tests.support.certificates import attended_certificate, held_event, wait_for_job
from tests.support.instances import OwnRedis
from tests.support.polling import eventually
from tests.support.servers import app_server
from tests.support.world import auth

VERIFY_LIMIT = 6  # per minute and client


@pytest.fixture(scope="module")
def own_redis():
    with OwnRedis() as server:
        yield server


@pytest.fixture(scope="module")
def queue() -> str:
    return f"convene:test:redis-down:{os.getpid()}"


@pytest.fixture(scope="module")
def on_own_redis(server, own_redis, queue):
    """An app server of the suite's database, on this module's Redis (no worker yet)."""
    with app_server(
        REDIS_URL=own_redis.url, CONVENE_TASK_QUEUE=queue, VERIFY_RATE_LIMIT=str(VERIFY_LIMIT)
    ) as base:
        yield base


@pytest.fixture
def redis_down(own_redis):
    with own_redis.down():
        yield


def _client(base: str) -> httpx.AsyncClient:
    """A client from a loopback address of its own: its own rate-limit counters."""
    address = f"127.{random.randrange(1, 255)}.{random.randrange(256)}.{random.randrange(1, 255)}"
    transport = httpx.AsyncHTTPTransport(local_address=address)
    return httpx.AsyncClient(base_url=base, transport=transport, timeout=30)


def _limit_keys(own: OwnRedis) -> list[bytes]:
    """The certificate routes' rate-limit histories (Litestar's store, namespace 'convene')."""
    client = redis.Redis.from_url(own.url)
    try:
        return [key for key in client.keys("convene:*") if b"sessions" not in key]
    finally:
        client.close()


async def test_public_routes_answer_and_limit_while_redis_is_down(
    client, world, own_redis, on_own_redis, redis_down
):
    *_, certificate = await attended_certificate(client, world)
    code = certificate["code"]
    async with _client(on_own_redis) as public:
        page = await public.get(f"/verify/{code}")
        assert page.status_code == 200, page.text
        assert "valid" in page.text.lower()
        status = await public.get(f"/api/certificates/{code}")
        assert status.status_code == 200 and status.json()["state"] == "valid"
        pdf = await public.get(f"/certificates/{code}.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        unknown = await public.get("/api/certificates/NO-SUCH-CODE")
        assert unknown.status_code == 404
        # The limit still holds, counted in this process's memory: the 7th is refused.
        answers = [(await public.get(f"/api/certificates/{code}")).status_code for _ in range(3)]
        assert answers == [200, 200, 429]


async def test_after_redis_returns_the_limits_are_counted_there_again(
    client, world, own_redis, on_own_redis
):
    *_, certificate = await attended_certificate(client, world)
    async with _client(on_own_redis) as public:
        assert (await public.get(f"/api/certificates/{certificate['code']}")).status_code == 200
        own_redis.kill()
        assert (await public.get(f"/api/certificates/{certificate['code']}")).status_code == 200
        own_redis.start()  # empty, and every pooled connection of the server is stale

        async def counted_in_redis() -> bool:
            response = await public.get(f"/api/certificates/{certificate['code']}")
            assert response.status_code == 200, response.text  # never a failed request
            return bool(_limit_keys(own_redis))

        assert await eventually(counted_in_redis, timeout=20, interval=1.0)
        ready = await public.get("/health/ready")
        assert ready.status_code == 200 and ready.json()["redis"] is True


async def test_readiness_reports_redis(on_own_redis, own_redis, redis_down):
    async with httpx.AsyncClient(base_url=on_own_redis, timeout=30) as http:
        ready = await http.get("/health/ready")
        legacy = await http.get("/health")
        live = await http.get("/health/live")
    assert ready.status_code == 503
    assert ready.json() | {"broker": None} == {
        "status": "unavailable",
        "database": True,
        "redis": False,
        "broker": None,
    }
    assert legacy.status_code == 503 and legacy.json()["redis"] is False
    assert live.status_code == 200 and live.json() == {"status": "ok"}


async def test_bulk_issue_answers_202_and_the_sweep_runs_the_job_later(
    client, world, own_redis, on_own_redis, queue, redis_down
):
    event = await held_event(client, world)
    async with httpx.AsyncClient(base_url=on_own_redis, timeout=30) as organizer:
        response = await organizer.post(
            f"/api/manage/events/{event['slug']}/certificates", headers=auth(world.admin)
        )
    assert response.status_code == 202, response.text
    job = response.json()
    saved = await fetch_one("SELECT status FROM certificate_job WHERE id = {}", job["id"])
    assert saved is not None and saved["status"] in ("queued", "running", "done")
    own_redis.start()
    # A worker on the returned Redis: its first sweep starts the job nobody could queue.
    env = {**os.environ, "REDIS_URL": own_redis.url, "CONVENE_TASK_QUEUE": queue}
    worker = _spawn(_procfile_worker(), env, _TMP / "redis-down-worker.log")
    try:
        finished = await wait_for_job(client, job, world.admin)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert finished["status"] == "done"
