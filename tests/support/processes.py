"""Convene's own processes for tests: the Procfile's commands, spawned and waited for.

What production runs is what the tests run: ``procfile("web", env)`` is the Procfile's
``web:`` line with its ``${VAR:-default}`` references filled in from ``env`` and its program
taken from this virtualenv, without a shell in between (so a signal reaches the program).
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

_REFERENCE = re.compile(r"\$\{(\w+)(?::-([^}]*))?\}|\$(\w+)")


def _expand(text: str, env: dict[str, str]) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1) or match.group(3)
        return env.get(name) or (match.group(2) or "")

    return _REFERENCE.sub(value, text)


def procfile(name: str, env: dict[str, str] | None = None) -> list[str]:
    """The Procfile's ``name`` command as an argument list (``env``: os.environ)."""
    env = dict(os.environ if env is None else env)
    for line in (ROOT / "Procfile").read_text().splitlines():
        process, _, command = line.partition(":")
        if process.strip() == name:
            program, *args = shlex.split(_expand(command, env))
            return [str(BIN / program), *args]
    raise AssertionError(f"the Procfile has no {name} process")


def spawn(command: list[str], env: dict, log: Path, *, own_group: bool = False) -> subprocess.Popen:
    """``own_group``: in a process group of its own, so that ``kill_group`` reaches its
    children too (uvicorn's and taskiq's worker processes, the certificate renderers)."""
    with log.open("a") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=own_group,
        )


def kill_group(process: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    """``sig`` to the whole group of a process spawned with ``own_group`` (SIGKILL: a crash
    of the machine it runs on, children and all), and wait for the leader."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    process.wait(timeout=30)


def stop(process: subprocess.Popen, *, group: bool = False, timeout: float = 15) -> None:
    """SIGTERM, as a deploy stops a process; SIGKILL if it does not exit in time. ``group``
    (spawned with ``own_group``): then whatever of its group is left is killed too."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
    if group:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)


def wait_for(url: str, process: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    """Until ``url`` answers 200; fails at once if the process exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited:\n{log.read_text()}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server did not become healthy:\n{log.read_text()}")
