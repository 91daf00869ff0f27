"""The Procfile's worker runs its sweeps without a traceback, started as production starts
it: from another working directory, with PICCOLO_CONF unset or left at Piccolo's default
name (``piccolo_conf``, which only the repository's root can import). Its housekeeping
sweep purges an ended Piccolo Admin session, which needs Piccolo's own session table."""

from __future__ import annotations

import os
import subprocess
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from events.db import fetch, fetch_one
from tests.conftest import _procfile_worker
from tests.support.instances import OwnRedis
from tests.support.polling import eventually


async def _ended_session() -> int:
    now = datetime.now()  # noqa: DTZ005 - Piccolo's session table keeps naive local times
    row = await fetch_one(
        "INSERT INTO sessions (token, user_id, expiry_date, max_expiry_date) "
        "VALUES ({}, 1, {}, {}) RETURNING id",
        f"ended-{os.urandom(8).hex()}",
        now - timedelta(hours=2),
        now - timedelta(hours=1),
    )
    assert row is not None
    return row["id"]


@pytest.mark.parametrize("piccolo_conf", [None, "piccolo_conf"], ids=["unset", "default-name"])
async def test_the_procfile_worker_purges_ended_sessions_without_a_traceback(world, piccolo_conf):
    session = await _ended_session()
    env = {**os.environ, "LOG_LEVEL": "WARNING", "CONVENE_TASK_QUEUE": "convene:sweeps-test"}
    env.pop("PICCOLO_CONF")
    env.pop("PYTHONPATH", None)
    if piccolo_conf:
        env["PICCOLO_CONF"] = piccolo_conf
    elsewhere = Path(tempfile.mkdtemp(prefix="convene-worker-cwd-"))
    log = elsewhere / "worker.log"
    with OwnRedis() as redis_server:
        env["REDIS_URL"] = redis_server.url
        with log.open("w") as out:
            worker = subprocess.Popen(
                _procfile_worker(), cwd=elsewhere, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        try:

            async def purged() -> bool:
                return not await fetch("SELECT id FROM sessions WHERE id = {}", session)

            swept = await eventually(purged, timeout=60, interval=0.5)
        finally:
            worker.terminate()
            worker.wait(timeout=30)
    output = log.read_text()
    assert "Traceback" not in output, output
    assert swept, f"the ended session was not purged:\n{output}"
