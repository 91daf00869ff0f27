"""Another app server for one test, started with other settings than the suite's."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from tests.conftest import BIN, ROOT, _free_port


@contextlib.contextmanager
def app_server(
    *,
    log: Path | None = None,
    workers: int = 1,
    factory: str = "events.app:create_app",
    **settings: str | None,
) -> Iterator[str]:
    """uvicorn on a free loopback port, the suite's environment changed by ``settings``
    (None removes a variable); yields its base URL. ``log``: a file for what the server
    writes (else its errors go to the suite's stderr); ``workers``: uvicorn processes;
    ``factory``: another app factory (a test's own routes around the real app)."""
    port = _free_port()
    env = {**os.environ, "BASE_URL": f"http://127.0.0.1:{port}", "LOG_LEVEL": "WARNING"}
    for key, value in settings.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    command = [str(BIN / "uvicorn"), "--factory", factory, "--port", str(port)]
    if workers > 1:
        command += ["--workers", str(workers)]
    output = log.open("w") if log else None
    server = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=output or subprocess.DEVNULL,
        stderr=output or sys.stderr,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)
        if output:
            output.close()
