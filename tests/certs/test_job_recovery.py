"""Certificate jobs heal by themselves (issue 14, B3 and B9): a job whose worker went
silent resumes after STALE (30 s) rather than minutes, a running job keeps itself alive by
its heartbeat, and a job that failed on a full disk waits and finishes once the disk has
room again, leaving no ``.part`` file behind. The full disk is a real one: a tmpfs of a
few kilobytes (tests run as root), grown when "fixed"."""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from certs import documents, job_health
from events.config import get_settings
from events.db import fetch, fetch_one
from tests.support.certificates import check_in, event_id, held_event, register
from tests.support.polling import eventually


async def _job(client, world, status: str, updated: datetime, people: int = 2) -> int:
    event = await held_event(client, world)
    registrations = [await register(client, event, p) for p in await world.members(people)]
    await check_in(client, world, event["sessions"][0]["id"], *registrations)
    row = await fetch_one(
        "INSERT INTO certificate_job (event, status, total, done, created_at, updated_at, "
        "attempts) VALUES ({}, {}, 0, 0, {}, {}, 0) RETURNING id",
        await event_id(event),
        status,
        updated,
        updated,
    )
    return row["id"]


async def _status(job_id: int) -> dict:
    return await fetch_one("SELECT * FROM certificate_job WHERE id = {}", job_id)


async def test_a_job_silent_for_half_a_minute_is_resumed(client, world):
    now = datetime.now(UTC)
    silent = await _job(client, world, "running", now - job_health.STALE - timedelta(seconds=5))
    beating = await _job(client, world, "running", now - job_health.HEARTBEAT)
    stalled = await job_health.stalled_jobs(now)
    # The server's (or the worker's) own frequent sweep may have resumed it already.
    resumed = (await _status(silent))["updated_at"] > now - job_health.STALE
    assert (silent in stalled or resumed) and beating not in stalled
    assert timedelta(seconds=30) >= job_health.STALE

    # What the frequent sweep queues: the server's own sweep may take it first, and then
    # this run leaves it to that one.
    await documents.run_job(silent)

    async def finished() -> dict | None:
        row = await _status(silent)
        return row if row["status"] == "done" else None

    row = await eventually(finished)
    assert row is not None, await _status(silent)
    assert (row["total"], row["done"]) == (2, 2)


async def test_a_running_job_beats_while_it_works(client, world, monkeypatch):
    job = await _job(client, world, "running", datetime.now(UTC) - timedelta(minutes=5))
    monkeypatch.setattr(job_health, "HEARTBEAT", timedelta(seconds=0.05))
    async with job_health.heartbeat(job):

        async def beaten() -> bool:
            row = await _status(job)
            return row["updated_at"] > datetime.now(UTC) - timedelta(minutes=1)

        assert await eventually(beaten, timeout=10, interval=0.05)
    assert job not in await job_health.stalled_jobs()


@contextlib.contextmanager
def small_disk(size: str):
    """A tmpfs of ``size`` mounted on a fresh directory; ``grow`` gives it room."""
    mount = Path(tempfile.mkdtemp(prefix="convene-disk-"))
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)], check=True)

    def grow() -> None:
        subprocess.run(["mount", "-o", "remount,size=64m", str(mount)], check=True)

    try:
        yield mount, grow
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


async def test_a_job_that_failed_on_a_full_disk_finishes_once_there_is_room(
    client, world, monkeypatch
):
    job = await _job(client, world, "queued", datetime.now(UTC), people=3)
    with small_disk("8k") as (disk, grow):
        monkeypatch.setenv("CERTIFICATE_DIR", str(disk))
        get_settings.cache_clear()
        try:
            with pytest.raises(OSError):
                await documents.run_job(job)
            row = await _status(job)
            # Hold it here while the disk is "fixed" (the server's sweep shares the database).
            await fetch(
                "UPDATE certificate_job SET next_attempt_at = {} WHERE id = {}",
                datetime.now(UTC) + timedelta(hours=1),
                job,
            )
            assert row["status"] == "queued" and row["attempts"] == 1, row
            assert "No space left on device" in row["error"], row
            assert row["next_attempt_at"] > datetime.now(UTC)
            assert list(disk.glob("*.part")) == []  # the failed write cleaned up after itself

            grow()
            await fetch(
                "UPDATE certificate_job SET next_attempt_at = {} WHERE id = {}",
                datetime.now(UTC),
                job,
            )
            await documents.run_job(job)  # what the sweep queues once the retry is due

            async def done() -> dict | None:
                row = await _status(job)
                return row if row["status"] == "done" else None

            row = await eventually(done, timeout=60)
            assert row and (row["total"], row["done"]) == (3, 3) and row["error"] is None
            assert list(disk.glob("*.part")) == []
        finally:
            get_settings.cache_clear()


async def test_a_job_that_fails_for_good_says_why_and_is_not_retried():
    assert not job_health.is_temporary(ValueError("bad branding"))
    assert job_health.is_temporary(OSError(30, "Read-only file system"))
    assert job_health.is_temporary(ConnectionRefusedError())


def test_stale_part_files_are_removed_and_fresh_ones_kept(tmp_path):
    old, fresh = tmp_path / "OLD.pdf.part", tmp_path / "NEW.pdf.part"
    old.write_bytes(b"half")
    fresh.write_bytes(b"half")
    long_ago = time.time() - job_health.STALE_PART.total_seconds() - 60
    os.utime(old, (long_ago, long_ago))
    assert job_health.remove_stale_parts(tmp_path) == 1
    assert not old.exists() and fresh.exists()
