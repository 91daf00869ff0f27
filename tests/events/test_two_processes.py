"""Two web processes (the Procfile's ``web`` line, ``WEB_CONCURRENCY=2``) keep per-process
state correct: what one process changes or ends, the other honours.

Each check sends its requests to a chosen worker process: a client connection is kept only
once ``ss`` shows which process accepted it (uvicorn's workers share one listening socket),
and every answer is checked to have come over that connection.

- Feed caches: a change made through one process shows in the other's cached feed within
  ``CALENDAR_STATE_TTL`` (the change check reads the database, no message bus).
- Rate limits: counted in Redis, so both processes draw from one allowance.
- Ended sessions: signing out in one process ends the session in the other (the ended
  session ids are kept in Redis).

Identity caches need no test of their own here: bot.identity keeps no per-process cache;
the Slack link and its ``checked_at`` are read from the database on every request.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import subprocess
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.conftest import _TMP, ROOT, _free_port, _wait_for
from tests.support.instances import OwnRedis
from tests.support.member_page import csrf_of, sign_in
from tests.support.polling import eventually
from tests.support.world import auth

PER_MINUTE = 4  # VERIFY_RATE_LIMIT for these processes


def _procfile_web() -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        if name.strip() == "web":
            return command.strip()
    raise AssertionError("the Procfile has no web line")


class TwoProcesses:
    def __init__(self, master: subprocess.Popen, port: int) -> None:
        self.master = master
        self.port = port
        self.base = f"http://127.0.0.1:{port}"

    def workers(self) -> list[int]:
        found = subprocess.run(
            ["pgrep", "-P", str(self.master.pid), "-f", "spawn_main"],  # not the resource tracker
            capture_output=True,
            text=True,
        ).stdout.split()
        return sorted(int(pid) for pid in found)

    def owner(self, client_port: int) -> int | None:
        """The process holding the server side of the connection from ``client_port``."""
        out = subprocess.run(
            shlex.split(
                f"ss -tnpH state established '( sport = :{self.port} and dport = :{client_port} )'"
            ),
            capture_output=True,
            text=True,
        ).stdout
        found = re.search(r"pid=(\d+)", out)
        return int(found.group(1)) if found else None


def _client_port(response: httpx.Response) -> int:
    stream = response.extensions["network_stream"]
    return stream.get_extra_info("socket").getsockname()[1]


class Pinned:
    """An HTTP client answered by one worker process only."""

    def __init__(self, app: TwoProcesses, pid: int, cookies: httpx.Cookies | None = None):
        self.app, self.pid = app, pid
        self.cookies = cookies or httpx.Cookies()
        self.http: httpx.AsyncClient | None = None

    async def _connect(self) -> httpx.AsyncClient:
        for _ in range(100):
            http = httpx.AsyncClient(
                base_url=self.app.base,
                timeout=30,
                limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
                cookies=self.cookies,
            )
            probe = await http.get("/health")
            if self.app.owner(_client_port(probe)) == self.pid:
                return http
            await http.aclose()
        raise AssertionError(f"no connection reached process {self.pid}")

    async def request(self, method: str, path: str, **kwargs) -> httpx.Response:
        if self.http is None:
            self.http = await self._connect()
        else:  # a keep-alive connection may have been closed meanwhile: check it again
            probe = await self.http.get("/health")
            if self.app.owner(_client_port(probe)) != self.pid:
                await self.http.aclose()
                self.http = await self._connect()
        response = await self.http.request(method, path, **kwargs)
        assert self.app.owner(_client_port(response)) == self.pid
        self.cookies = self.http.cookies
        return response

    async def get(self, path: str, **kwargs) -> httpx.Response:
        return await self.request("GET", path, **kwargs)

    async def post(self, path: str, **kwargs) -> httpx.Response:
        return await self.request("POST", path, **kwargs)

    async def aclose(self) -> None:
        if self.http is not None:
            await self.http.aclose()


@pytest.fixture(scope="module")
def two_processes(database_url: str, server: str) -> TwoProcesses:
    """The Procfile's web line with two workers, a Redis of its own, the suite's database."""
    with OwnRedis() as redis_server:
        port = _free_port()
        env = {
            **os.environ,
            "PATH": f"{ROOT / '.venv/bin'}:{os.environ.get('PATH', '')}",
            "PORT": str(port),
            "WEB_CONCURRENCY": "2",
            "REDIS_URL": redis_server.url,
            "CONVENE_TASK_QUEUE": f"convene:two-processes:{port}",
            "CALENDAR_STATE_TTL": "1",  # the default: a real cache, not the suite's 0
            "VERIFY_RATE_LIMIT": str(PER_MINUTE),
            "BASE_URL": f"http://127.0.0.1:{port}",
            "LOG_LEVEL": "WARNING",
        }
        log = _TMP / f"two-processes-{port}.log"
        with log.open("w") as out:
            master = subprocess.Popen(
                ["sh", "-c", "exec " + _procfile_web()],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            app = TwoProcesses(master, port)
            _wait_for(f"{app.base}/health", master, log)
            for _ in range(300):  # the second worker may still be starting
                if len(app.workers()) == 2:
                    break
                time.sleep(0.1)
            assert len(app.workers()) == 2, log.read_text()
            yield app
        finally:
            master.terminate()
            master.wait(timeout=30)
        assert "Traceback" not in log.read_text(), log.read_text()


@contextlib.asynccontextmanager
async def each_process(app: TwoProcesses) -> AsyncIterator[tuple[Pinned, Pinned]]:
    first, second = (Pinned(app, pid) for pid in app.workers())
    try:
        yield first, second
    finally:
        await first.aclose()
        await second.aclose()


async def test_a_change_through_one_process_shows_in_the_others_cached_feed(
    two_processes, world, client
):
    event = await world.create_event(client, title="Before the change")
    feed = f"/calendar/events/{event['slug']}.ics"
    async with each_process(two_processes) as (one, other):
        for process in (one, other):  # both have the feed cached
            response = await process.get(feed)
            assert response.status_code == 200 and "Before the change" in response.text
        changed = await one.request(
            "PATCH",
            f"/api/manage/events/{event['slug']}",
            json={"title": "After the change"},
            headers=auth(world.admin),
        )
        assert changed.status_code == 200, changed.text

        async def other_shows_it():
            return "After the change" in (await other.get(feed)).text

        assert await eventually(other_shows_it)


async def test_both_processes_draw_from_one_rate_limit(two_processes):
    async with each_process(two_processes) as (one, other):
        answers = []
        for n in range(PER_MINUTE):
            process = (one, other)[n % 2]
            answers.append((await process.get("/api/certificates/NO-SUCH-CODE")).status_code)
        assert 429 not in answers, answers
        for process in (one, other):  # the allowance is spent, whichever process asks
            assert (await process.get("/api/certificates/NO-SUCH-CODE")).status_code == 429


async def test_signing_out_in_one_process_ends_the_session_in_the_other(two_processes, world):
    person = await world.member()
    async with each_process(two_processes) as (one, other):
        page = await sign_in(one, person.id)
        other.cookies = httpx.Cookies(one.cookies)
        assert (await other.get("/me")).status_code == 200
        kept = httpx.Cookies(one.cookies)  # what a stolen or second copy of the cookie holds
        out = await one.post("/me/sign-out", data={"csrf": csrf_of(page)})
        assert out.status_code == 303, out.text
        replayed = Pinned(two_processes, other.pid, cookies=kept)
        try:
            again = await replayed.get("/me", follow_redirects=False)
        finally:
            await replayed.aclose()
        assert "Sign out" not in again.text
