"""Test setup: a real database, a real server over loopback, a real broker.

The suite runs against whatever DATABASE_URL / REDIS_URL say:
- unset: a fresh SQLite file and the in-process broker;
- DATABASE_URL=postgresql://.../<name>: that database is dropped and recreated;
- REDIS_URL: the server queues tasks in Redis and a real taskiq worker runs them; the
  keys of Convene's stores ("convene*") are removed first.
An unreachable PostgreSQL or Redis fails the run; nothing is skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

_TMP = Path(tempfile.mkdtemp(prefix="convene-tests-"))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_TMP / 'test.sqlite'}")
os.environ["CONVENE_DATA_DIR"] = str(_TMP)
os.environ["SECRET_KEY"] = "test-secret-key"
os.environ["PICCOLO_CONF"] = "events.piccolo_conf"
os.environ["CONVENE_TASK_QUEUE"] = f"convene:test:{os.getpid()}"  # runs never share a queue
os.environ["CALENDAR_STATE_TTL"] = "0"  # feed caches see every change at once
os.environ["VERIFY_RATE_LIMIT"] = "1000"  # the suite verifies often from one address
# The suite sends many emails and fails many logins from 127.0.0.1; the limits' own tests
# start servers with small ones (tests/events/web/test_rate_limits.py).
for _limit in (
    "REGISTRATION_EMAILS_PER_CLIENT",
    "PASSWORD_LINKS_PER_CLIENT",
    "MEMBER_LINKS_PER_CLIENT",
):
    os.environ[_limit] = "10000"
os.environ["LOGIN_FAILURES_PER_CLIENT"] = "10000"

import httpx  # noqa: E402
import pytest  # noqa: E402

from tests.support import world as world_module  # noqa: E402
from tests.support.instances import free_port as _free_port  # noqa: E402
from tests.support.processes import BIN, ROOT, procfile  # noqa: E402
from tests.support.processes import spawn as _spawn  # noqa: E402
from tests.support.processes import wait_for as _wait_for  # noqa: E402
from tests.support.slack import (  # noqa: E402
    BOT_TOKEN,
    SIGNING_SECRET,
    FakeSlack,
    SlackDriver,
    SlackHarness,
)
from tests.support.smtp import SmtpServer  # noqa: E402


def _recreate_postgres_database(url: str) -> None:
    import asyncio

    import asyncpg

    base, _, name = url.rpartition("/")
    name = name.split("?")[0]

    async def recreate() -> None:
        connection = await asyncpg.connect(f"{base}/postgres", timeout=5)
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()

    asyncio.run(recreate())


def _clean_redis(url: str) -> None:
    """Reachable, and without the keys an earlier run left (rate limits, failed logins,
    ended sessions live for minutes to hours): each run starts clean, as its database does."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=3)
    client.ping()
    for key in client.scan_iter(match="convene*", count=1000):
        client.delete(key)
    client.close()


def _procfile_worker() -> list[str]:
    """The Procfile's own worker command: what production runs is what the tests run."""
    return procfile("worker")


@pytest.fixture(scope="session")
def database_url() -> str:
    url = os.environ["DATABASE_URL"]
    if url.startswith("postgres"):
        _recreate_postgres_database(url)
    subprocess.run([str(BIN / "convene"), "migrate"], cwd=ROOT, check=True, capture_output=True)
    return url


@pytest.fixture(scope="session")
def redis_url() -> str | None:
    url = os.environ.get("REDIS_URL")
    if url:
        _clean_redis(url)
    return url


@pytest.fixture(scope="session")
def slack_api():
    """Slack's Web API as a real HTTP server on loopback; the app and worker are pointed at it."""
    fake = FakeSlack()
    try:
        yield fake
    finally:
        fake.close()


@pytest.fixture(scope="session")
def smtp_server():
    """A real SMTP server on loopback; the app and worker send their emails to it."""
    smtp = SmtpServer(_free_port())
    try:
        yield smtp
    finally:
        smtp.close()


@pytest.fixture(scope="session")
def server(database_url: str, redis_url: str | None, slack_api: FakeSlack, smtp_server: SmtpServer):
    """The real app under uvicorn on a loopback port (and a taskiq worker with Redis)."""
    port = _free_port()
    env = {
        **os.environ,
        "BASE_URL": f"http://127.0.0.1:{port}",
        "LOG_LEVEL": "WARNING",
        # shared by the web process and the worker: both talk to Slack (the worker sends DMs)
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack_api.api_url,
        "SMTP_URL": smtp_server.url,  # web and worker: either may send a confirmation email
    }
    processes = []
    logs = []
    try:
        if redis_url:
            log = _TMP / "worker.log"
            logs.append(log)
            processes.append(_spawn(_procfile_worker(), env, log))
        log = _TMP / "server.log"
        logs.append(log)
        web = _spawn(
            [
                str(BIN / "uvicorn"),
                "--factory",
                "events.app:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--no-access-log",
            ],
            env,
            log,
        )
        processes.append(web)
        base = f"http://127.0.0.1:{port}"
        _wait_for(f"{base}/health", web, log)
        yield base
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        server_log = _TMP / "server.log"
        if server_log.exists() and "Traceback" in server_log.read_text():
            print(server_log.read_text(), file=sys.stderr)


@pytest.fixture
async def client(server: str):
    async with httpx.AsyncClient(base_url=server, timeout=30) as http:
        yield http


@pytest.fixture
async def slack(server: str, slack_api: FakeSlack):
    """A clean fake Slack and a sender that posts to the app as Slack would, signed."""
    slack_api.reset()
    async with SlackDriver(server, slack_api) as driver:
        yield SlackHarness(api=slack_api, driver=driver)


@pytest.fixture
async def world(database_url: str):
    """A small coalition, fresh for every test: regions, organizations, people, tokens."""
    await world_module.reset_database()
    return await world_module.build_world()


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_TMP, ignore_errors=True)
