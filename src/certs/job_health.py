"""Keeping certificate jobs alive: a running job's heartbeat, resuming the ones that lost
their worker, and telling a failure worth retrying from one that is final.

- A running job stamps ``updated_at`` every HEARTBEAT; one silent for STALE lost its
  worker (killed, or cut off from Redis or the database), and ``stalled_jobs`` (a frequent
  sweep) queues it again: a job resumes within about STALE plus a few seconds.
- A job that failed for a temporary reason (a full or read-only disk, a lost connection)
  waits for a retry with the outboxes' backoff (5 s doubling to 60 s) and shows why;
  any other failure is final (``failed``, with the reason).
- Rendering writes ``<code>.pdf.part`` files and renames them; a failed write removes its
  own, and the sweep removes any that a killed process left (``remove_stale_parts``).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from events.config import get_settings
from events.db import fetch

logger = logging.getLogger("convene.certs")

HEARTBEAT = timedelta(seconds=5)
STALE = timedelta(seconds=30)  # a running job silent this long lost its worker
STALE_PART = timedelta(minutes=10)  # no render writes one file for this long
TEMPORARY_ERRNOS = frozenset(
    {errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.EIO, errno.EACCES, errno.EPERM, errno.EAGAIN}
)


def is_temporary(error: BaseException) -> bool:
    """A failure that fixing the machine cures (disk space, a read-only mount, a lost
    connection): the job is tried again. Anything else (bad branding, a bug) is final."""
    if isinstance(error, (ConnectionError, TimeoutError)):
        return True
    if isinstance(error, OSError) and error.errno in TEMPORARY_ERRNOS:
        return True
    # asyncpg's and redis' lost connections are not builtin ConnectionErrors
    name = type(error).__name__
    return name in {"ConnectionDoesNotExistError", "InterfaceError", "CannotConnectNowError"}


@contextlib.asynccontextmanager
async def heartbeat(job_id: int) -> AsyncIterator[None]:
    """Stamp the running job every HEARTBEAT while the block runs."""

    async def beat() -> None:
        while True:
            await asyncio.sleep(HEARTBEAT.total_seconds())
            with contextlib.suppress(Exception):  # a missed beat is only a late one
                await fetch(
                    "UPDATE certificate_job SET updated_at = {} WHERE id = {} "
                    "AND status = 'running'",
                    datetime.now(UTC),
                    job_id,
                )

    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def stalled_jobs(now: datetime | None = None) -> list[int]:
    """Jobs to queue (again): running but silent for STALE, queued for STALE without a
    worker taking them (a lost task), or waiting for a retry that is now due."""
    now = now or datetime.now(UTC)
    rows = await fetch(
        "SELECT id FROM certificate_job WHERE (status = 'running' AND updated_at < {}) "
        "OR (status = 'queued' AND next_attempt_at IS NULL AND updated_at < {}) "
        "OR (status = 'queued' AND next_attempt_at <= {}) ORDER BY id",
        now - STALE,
        now - STALE,
        now,
    )
    return [row["id"] for row in rows]


def remove_stale_parts(directory: Path | None = None, older_than: timedelta = STALE_PART) -> int:
    """Delete ``.part`` files no render is writing any more (a killed process's)."""
    directory = directory or get_settings().certificate_dir
    cutoff = time.time() - older_than.total_seconds()
    removed = 0
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):
        for path in directory.glob("*.part"):
            with contextlib.suppress(FileNotFoundError):
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
    if removed:
        logger.warning("removed %s unfinished certificate files from %s", removed, directory)
    return removed
