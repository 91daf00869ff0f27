"""Convene as deployed, on servers of its own: the parts a fault test kills and restarts.

PostgreSQL and Redis are the test's own (tests/support/instances.py), never the machine's
shared ones; the web and worker are the Procfile's commands (two web processes); Slack is
the fake Web API and mail goes to an SMTP sink, both on ports that survive a restart.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx

from tests.support.instances import OwnPostgres, OwnRedis, free_port
from tests.support.processes import BIN, ROOT, kill_group, procfile, spawn, stop, wait_for
from tests.support.slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack
from tests.support.smtp import SmtpServer

# Sweeps and lost claims on a test's time scale (the defaults are 30 s and 2 minutes). A
# claim still outlives any send here: the fakes answer in milliseconds.
TIMINGS = {"CONVENE_SWEEP_INTERVAL": "1", "CONVENE_CLAIM_TIMEOUT": "10"}


@dataclass(frozen=True, slots=True)
class Member:
    id: int
    email: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass(frozen=True, slots=True)
class Seed:
    admin: str
    members: list[Member]

    @property
    def admin_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin}"}


def _run(command: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{command} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def seeded_template(postgres: OwnPostgres, name: str, members: int, env: dict) -> Seed:
    """A migrated, seeded database to copy for each test (CREATE DATABASE ... TEMPLATE)."""
    env = {**env, "DATABASE_URL": postgres.create_database(name)}
    _run([str(BIN / "convene"), "migrate"], env)
    data = json.loads(_run([sys.executable, "-m", "tests.faults.seed", str(members)], env))
    return Seed(data["admin"], [Member(**member) for member in data["members"]])


def copy_database(postgres: OwnPostgres, template: str, name: str) -> str:
    async def create() -> None:
        connection = await asyncpg.connect(postgres.url(), timeout=10)
        try:
            await connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        finally:
            await connection.close()

    asyncio.run(create())
    return postgres.url(name)


class Stack:
    """One test's deployment. ``start()`` runs Redis, the fakes and the web processes; the
    worker starts separately (``start_worker``), so a test may queue work before it runs."""

    def __init__(self, postgres: OwnPostgres, database_url: str, directory: Path) -> None:
        self.postgres = postgres
        self.database_url = database_url
        self.directory = directory
        self.redis = OwnRedis()
        self.slack = FakeSlack()
        self.smtp = SmtpServer(free_port())
        port = free_port()
        self.base_url = f"http://127.0.0.1:{port}"
        self.env = {
            **os.environ,
            **TIMINGS,
            "DATABASE_URL": database_url,
            "REDIS_URL": self.redis.url,
            "PORT": str(port),
            "WEB_CONCURRENCY": "2",
            "BASE_URL": self.base_url,
            "CONVENE_DATA_DIR": str(directory),
            "CONVENE_TASK_QUEUE": "convene:tasks",
            "CERTIFICATE_RENDER_PROCESSES": "1",  # two cores, shared with the web processes
            "LOG_LEVEL": "WARNING",
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": self.slack.api_url,
            "SMTP_URL": self.smtp.url,
        }
        self.web: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None

    def log(self, name: str) -> Path:
        return self.directory / f"{name}.log"

    def start(self) -> Stack:
        self.redis.start()
        self.web = spawn(procfile("web", self.env), self.env, self.log("web"), own_group=True)
        wait_for(f"{self.base_url}/health", self.web, self.log("web"), timeout=60)
        return self

    def start_worker(self) -> None:
        command = procfile("worker", self.env)
        self.worker = spawn(command, self.env, self.log("worker"), own_group=True)

    def kill_worker(self) -> None:
        """kill -9 the worker and everything it started (its child, the renderers)."""
        assert self.worker is not None
        kill_group(self.worker)

    def worker_children(self) -> list[int]:
        """The pids of the worker's child processes (taskiq runs the tasks in them)."""
        assert self.worker is not None
        path = Path(f"/proc/{self.worker.pid}/task/{self.worker.pid}/children")
        return [int(pid) for pid in path.read_text().split()] if path.exists() else []

    def close(self) -> None:
        for process in (self.web, self.worker):
            if process is not None:
                stop(process, group=True)
        self.redis.kill()
        self.slack.close()
        self.smtp.close()

    def tracebacks(self, name: str) -> str:
        text = self.log(name).read_text() if self.log(name).exists() else ""
        return text if "Traceback" in text else ""

    async def sql(self, query: str, *args: object) -> list[dict]:
        """One query on a connection of its own (the server may have restarted meanwhile)."""
        connection = await asyncpg.connect(self.database_url, timeout=10)
        try:
            return [dict(row) for row in await connection.fetch(query, *args)]
        finally:
            await connection.close()

    def client(self) -> httpx.AsyncClient:
        limits = httpx.Limits(max_connections=50)
        return httpx.AsyncClient(base_url=self.base_url, timeout=60, limits=limits)
