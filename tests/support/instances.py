"""PostgreSQL and Redis servers of a test's own, on free loopback ports.

Tests that stop, kill or restart a server start their own here, never the machine's
shared ones. Each keeps its port across restarts, so clients that reconnect find it again.

    with OwnRedis() as redis_server:
        redis_server.kill()      # SIGKILL: what a crash looks like
        redis_server.start()     # same port, empty
    with OwnPostgres() as pg:    # initdb once per instance (as the postgres user under root)
        pg.stop()                # immediate shutdown: connections drop
        pg.start()
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _wait(condition, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not happen within {timeout:.0f} s")


class OwnRedis:
    """``redis-server`` without persistence; ``start()`` after ``kill()`` is a fresh Redis
    on the same port (a Redis that lost its memory, as a restarted cache does)."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> OwnRedis:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait(lambda: _port_open(self.port), f"Redis on port {self.port} starting")
        return self

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        _wait(lambda: not _port_open(self.port), f"Redis on port {self.port} stopping")

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @contextlib.contextmanager
    def down(self):
        """Killed for the block, running again after it (unless the block restarted it)."""
        self.kill()
        try:
            yield self
        finally:
            if not self.running:
                self.start()

    def __enter__(self) -> OwnRedis:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.kill()


def _pg_bin(program: str) -> str:
    found = shutil.which(program)
    if found:
        return found
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for directory in versions:
        if (directory / program).exists():
            return str(directory / program)
    raise RuntimeError(f"{program} not found (PostgreSQL server binaries are needed)")


class OwnPostgres:
    """A PostgreSQL cluster in a temporary directory (trust auth, user ``postgres``).
    Under root, the server runs as the ``postgres`` system user, as initdb requires."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="convene-pg-"))
        self.data = self.directory / "data"
        self._initialised = False

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *command: str) -> None:
        if os.geteuid() == 0:  # initdb and postgres refuse to run as root
            command = ("runuser", "-u", "postgres", "--", *command)
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def _initdb(self) -> None:
        # fsync off: the machine does not crash in a test, the server does. Commits stay
        # synchronous, so a commit the client saw survives an immediate stop (with
        # synchronous_commit = off the last ones were lost, as the fault suite found).
        if os.geteuid() == 0:
            shutil.chown(self.directory, user="postgres", group="postgres")
        self._run(
            _pg_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"
        )
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.directory}'\nfsync = off\n"
                "full_page_writes = off\nmax_connections = 200\n"
            )
        self._initialised = True

    def start(self) -> OwnPostgres:
        if not self._initialised:
            self._initdb()
        self._run(
            _pg_bin("pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.directory / "log"),
            "-w",
            "start",
        )
        _wait(lambda: _port_open(self.port), f"PostgreSQL on port {self.port} starting")
        return self

    def stop(self, mode: str = "immediate") -> None:
        """``immediate``: every connection drops at once, as when the server dies."""
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")
        _wait(lambda: not _port_open(self.port), f"PostgreSQL on port {self.port} stopping")

    @property
    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    @contextlib.contextmanager
    def down(self):
        """Stopped for the block, running again after it (unless the block restarted it)."""
        self.stop()
        try:
            yield self
        finally:
            if not self.running:
                self.start()

    def create_database(self, name: str) -> str:
        import asyncio

        import asyncpg

        async def create() -> None:
            connection = await asyncpg.connect(self.url(), timeout=10)
            try:
                await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                await connection.execute(f'CREATE DATABASE "{name}"')
            finally:
                await connection.close()

        asyncio.run(create())
        return self.url(name)

    def __enter__(self) -> OwnPostgres:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)
