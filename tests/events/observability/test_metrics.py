"""/metrics: behind its token, request metrics by route template, and gauges that are the
database's numbers (events.observability)."""

from __future__ import annotations

import contextlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from events.db import fetch
from tests.conftest import BIN, ROOT, _free_port, _spawn, _wait_for
from tests.support.polling import eventually
from tests.support.servers import app_server

TOKEN = "metrics-test-token"
SCRAPER = {"Authorization": f"Bearer {TOKEN}"}
LONG_AGO = datetime(2026, 1, 1, tzinfo=UTC)  # the stuck rows' creation
FAR_AHEAD = datetime(2100, 1, 1, tzinfo=UTC)  # their next attempt: never during the test
# This server's own task queue, which no worker reads: its length stays what the test made.
QUEUE = f"convene:test:metrics:{os.getpid()}"
REGISTRATION_ROUTE = "/api/events/{slug}/registration"


@pytest.fixture(scope="module")
def metrics_server(database_url):
    with app_server(
        METRICS_TOKEN=TOKEN, METRICS_CACHE_SECONDS="0", CONVENE_TASK_QUEUE=QUEUE
    ) as base:
        yield base


def _samples(text: str) -> dict[tuple[str, frozenset], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def _scrape(base: str) -> dict[tuple[str, frozenset], float]:
    async with httpx.AsyncClient(base_url=base) as client:
        response = await client.get("/metrics", headers=SCRAPER)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return _samples(response.text)


def _label(**labels: str) -> frozenset:
    return frozenset(labels.items())


async def test_metrics_need_the_token(metrics_server, server):
    async with httpx.AsyncClient() as client:
        missing = await client.get(f"{metrics_server}/metrics")
        wrong = await client.get(f"{metrics_server}/metrics", headers={"Authorization": "Bearer x"})
        right = await client.get(f"{metrics_server}/metrics", headers=SCRAPER)
        # the suite's server has no METRICS_TOKEN: no /metrics at all
        off = await client.get(f"{server}/metrics", headers=SCRAPER)

    assert (missing.status_code, wrong.status_code, right.status_code) == (401, 401, 200)
    assert missing.json()["code"] == "not_authenticated"
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    assert "convene_registrations" in right.text
    assert off.status_code == 404


async def _stuck_outbox_rows(registration_id: int) -> None:
    """One row per outbox that waits for a retry far ahead: still to send, and old."""
    await fetch(
        "INSERT INTO notification (kind, registration, channel, created_at, attempts, "
        "next_attempt_at) VALUES ('registered', {}, 'email', {}, 1, {})",
        registration_id,
        LONG_AGO,
        FAR_AHEAD,
    )
    event = (await fetch("SELECT id FROM event LIMIT 1"))[0]["id"]
    await fetch(
        "INSERT INTO email_confirmation (event, email, name, created_at, expires_at, attempts, "
        "next_attempt_at) VALUES ({}, 'stuck@denvergov.test', 'Stuck', {}, {}, 1, {})",
        event,
        LONG_AGO,
        FAR_AHEAD,
        FAR_AHEAD,
    )
    member = (await fetch("SELECT member FROM registration WHERE id = {}", registration_id))[0]
    await fetch(
        "INSERT INTO member_login (member, via, created_at, expires_at, attempts, "
        "next_attempt_at) VALUES ({}, 'email', {}, {}, 1, {})",
        member["member"],
        LONG_AGO,
        FAR_AHEAD,
        FAR_AHEAD,
    )
    await fetch(
        "INSERT INTO slack_post (team_id, channel_id, method, text, purpose, created_at, "
        "attempts, next_attempt_at) VALUES ('T1', 'C1', 'post', 'stuck', 'announce', {}, 1, {})",
        LONG_AGO,
        FAR_AHEAD,
    )
    await fetch(
        "INSERT INTO certificate_job (event, status, total, done, created_at, updated_at) "
        "VALUES ({}, 'running', 10, 4, {}, {})",
        event,
        LONG_AGO,
        LONG_AGO,
    )


async def _expected_from_sql() -> dict[tuple[str, frozenset], float]:
    """The same numbers, asked of the database directly."""
    now = datetime.now(UTC)
    expected = {
        ("convene_registrations", _label(status=status)): 0
        for status in ("confirmed", "waitlisted", "pending", "cancelled", "declined")
    }
    for row in await fetch("SELECT status, COUNT(*) AS n FROM registration GROUP BY status"):
        expected["convene_registrations", _label(status=row["status"])] = row["n"]
    open_rows = "sent_at IS NULL AND failed_at IS NULL"
    for channel in ("slack", "email"):
        [row] = await fetch(
            f"SELECT COUNT(*) AS n FROM notification WHERE {open_rows} AND channel = {{}}", channel
        )
        expected["convene_outbox_depth", _label(outbox="notification", channel=channel)] = row["n"]
    for outbox, channel, wanted in [
        ("email_confirmation", "email", "AND used_at IS NULL AND expires_at > {}"),
        ("member_login", "email", "AND via = 'email' AND used_at IS NULL AND expires_at > {}"),
        ("organizer_invitation", "email", ""),
        ("slack_post", "slack", ""),
    ]:
        args = [now] if wanted else []
        [row] = await fetch(f"SELECT COUNT(*) AS n FROM {outbox} WHERE {open_rows} {wanted}", *args)
        expected["convene_outbox_depth", _label(outbox=outbox, channel=channel)] = row["n"]
    jobs = await fetch("SELECT status, COUNT(*) AS n FROM certificate_job GROUP BY status")
    for status in ("queued", "running", "done", "failed"):
        count = sum(row["n"] for row in jobs if row["status"] == status)
        expected["convene_certificate_jobs", _label(status=status)] = count
    [running] = await fetch(
        "SELECT SUM(done) AS done, SUM(total) AS planned FROM certificate_job "
        "WHERE status = 'running'"
    )
    for state in ("done", "planned"):
        expected["convene_certificate_job_certificates", _label(state=state)] = running[state]
    return expected


async def test_gauges_are_the_database_numbers(metrics_server, world):
    async with httpx.AsyncClient(base_url=metrics_server) as client:
        event = await world.create_event(client, capacity=1)
        for person in await world.members(3):  # one seat: one confirmed, two waitlisted
            await client.post(f"/api/events/{event['slug']}/registration", headers=person.headers)
    [first] = await fetch("SELECT id FROM registration ORDER BY id LIMIT 1")
    await _stuck_outbox_rows(first["id"])

    async def agree():
        scraped, expected = await _scrape(metrics_server), await _expected_from_sql()
        same = all(scraped.get(key) == value for key, value in expected.items())
        return scraped if same else None

    before = datetime.now(UTC)
    scraped = await eventually(agree)
    after = datetime.now(UTC)

    assert scraped, f"/metrics never agreed with SQL: {await _expected_from_sql()}"
    assert scraped["convene_registrations", _label(status="waitlisted")] == 2
    assert scraped["convene_certificate_job_certificates", _label(state="planned")] == 10
    for outbox, channel in [
        ("notification", "email"),
        ("email_confirmation", "email"),
        ("member_login", "email"),
        ("slack_post", "slack"),
    ]:
        labels = _label(outbox=outbox, channel=channel)
        assert scraped["convene_outbox_depth", labels] >= 1
        age = scraped["convene_outbox_oldest_age_seconds", labels]
        assert (before - LONG_AGO).total_seconds() - 1 <= age <= (after - LONG_AGO).total_seconds()
    for source in ("registrations", "outboxes", "slack_posts", "certificate_jobs"):
        assert scraped["convene_metrics_source_up", _label(source=source)] == 1


async def test_the_task_queue_depth_is_the_length_of_its_redis_list(metrics_server):
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:  # the in-process broker has no queue to measure
        scraped = await _scrape(metrics_server)
        assert not any(name == "convene_task_queue_depth" for name, _ in scraped)
        return
    import redis.asyncio as redis

    client = redis.Redis.from_url(redis_url)
    try:
        await client.rpush(QUEUE, "a", "b", "c")
        length = await client.llen(QUEUE)
        scraped = await _scrape(metrics_server)
    finally:
        await client.delete(QUEUE)
        await client.aclose()

    assert length >= 3
    assert scraped["convene_task_queue_depth", frozenset()] == length
    assert scraped["convene_metrics_source_up", _label(source="task_queue")] == 1


def _requests_by_route(scraped, method: str) -> dict[str, float]:
    counts: dict[str, float] = {}
    for (name, labels), value in scraped.items():
        labels = dict(labels)
        if name == "convene_http_requests_total" and labels["method"] == method:
            counts[labels["path"]] = counts.get(labels["path"], 0) + value
    return counts


async def test_requests_are_counted_by_route_template_not_path(metrics_server, world):
    before = _requests_by_route(await _scrape(metrics_server), "POST")
    async with httpx.AsyncClient(base_url=metrics_server) as client:
        events = [await world.create_event(client), await world.create_event(client)]
        member = await world.member()
        for event in events:
            response = await client.post(
                f"/api/events/{event['slug']}/registration", headers=member.headers
            )
            assert response.status_code == 201
    scraped = await _scrape(metrics_server)
    after = _requests_by_route(scraped, "POST")

    assert after[REGISTRATION_ROUTE] - before.get(REGISTRATION_ROUTE, 0) == 2
    paths = {dict(labels).get("path") for name, labels in scraped if name.startswith("convene_")}
    assert not any(event["slug"] in str(path) for path in paths for event in events)
    assert "/metrics" not in paths  # scrapes are not counted
    latency = ("convene_http_request_duration_seconds_count", REGISTRATION_ROUTE)
    assert any(
        name == latency[0] and dict(labels)["path"] == latency[1] for name, labels in scraped
    )


@contextlib.contextmanager
def procfile_web(log: Path, **settings: str):
    """The Procfile's own ``web`` command (two processes), on a free port."""
    [command] = [
        line.partition(":")[2]
        for line in (ROOT / "Procfile").read_text().splitlines()
        if line.startswith("web:")
    ]
    port = _free_port()
    env = {**os.environ, "PORT": str(port), "BASE_URL": f"http://127.0.0.1:{port}", **settings}
    env["PATH"] = f"{BIN}:{env['PATH']}"
    process = _spawn(["sh", "-c", f"exec {command}"], env, log)
    try:
        _wait_for(f"http://127.0.0.1:{port}/health", process, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)


async def test_several_processes_count_together(database_url):
    """The Procfile's web processes (WEB_CONCURRENCY=2): whichever answers a scrape counts
    the requests of both (prometheus_client's multiprocess mode, in a directory of the
    supervisor's); and every line they write, the supervisor's too, is JSON."""
    log = Path(os.environ["CONVENE_DATA_DIR"]) / "two-processes.log"
    settings = {"METRICS_TOKEN": TOKEN, "LOG_LEVEL": "INFO", "WEB_CONCURRENCY": "2"}
    with procfile_web(log, **settings) as base:

        async def get(path: str, **headers: str) -> httpx.Response:
            async with httpx.AsyncClient(base_url=base) as client:  # a new connection each
                response = await client.get(path, headers=headers)
            assert response.status_code == 200
            return response

        def answered_by(responses: list[httpx.Response]) -> set[int]:
            ids = {response.headers["X-Request-ID"] for response in responses}
            lines = [json.loads(line) for line in log.read_text().splitlines()]
            return {line["pid"] for line in lines if line.get("request_id") in ids}

        listed: list[httpx.Response] = []

        async def both_listed():
            listed.extend([await get("/api/events") for _ in range(5)])
            return len(answered_by(listed)) == 2

        assert await eventually(both_listed, timeout=60)
        scrapes: list[httpx.Response] = []

        async def both_scraped():
            scrapes.append(await get("/metrics", **SCRAPER))
            return len(answered_by(scrapes)) == 2

        assert await eventually(both_scraped, timeout=60)

    counted = {_requests_by_route(_samples(r.text), "GET")["/api/events"] for r in scrapes}
    assert counted == {len(listed)}
    assert all(json.loads(line) for line in log.read_text().splitlines())
