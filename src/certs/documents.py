"""Certificate PDFs on disk: rendered in batches by jobs, or one by one when missing."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import os
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime
from decimal import Decimal
from multiprocessing import get_context
from pathlib import Path

from certs.enums import JobStatus
from certs.issuing import issue_missing, mark_job
from certs.job_health import STALE, heartbeat, is_temporary
from certs.render import Branding, CertificateView, certificates_html
from events import tasks
from events.config import get_settings
from events.db import fetch, fetch_one
from events.services.outbox import backoff

logger = logging.getLogger("convene.certs")

BATCH = 50  # certificates per WeasyPrint document
DEFAULT_BRANDING = Branding()
WARM_UP = CertificateView(
    code="WARMUP", verify_url="http://localhost/verify/WARMUP", holder_name="Warm Up",
    organization_name="", event_title="Warm-up", event_kind="workshop", region_name="",
    place="", starts_on=date(2000, 1, 1), ends_on=date(2000, 1, 1), credit_hours=Decimal(1),
    issued_on=date(2000, 1, 1), branding=DEFAULT_BRANDING,
)  # fmt: skip


def pdf_path(code: str) -> Path:
    return get_settings().certificate_dir / f"{code}.pdf"


def verify_url(code: str) -> str:
    return f"{get_settings().base_url}/verify/{code}"


def pdf_url(code: str) -> str:
    """Where the holder downloads the PDF (the code is the capability)."""
    return f"{get_settings().base_url}/certificates/{code}.pdf"


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)  # readers see the whole file or none
    except BaseException:
        with contextlib.suppress(OSError):  # a full disk leaves no half-written file
            os.unlink(temporary)
        raise


async def views_for(rows: list[dict]) -> list[CertificateView]:
    region_ids = sorted({row["region"] for row in rows})
    regions = {}
    if region_ids:
        found = await fetch(
            "SELECT r.id, r.name, b.primary_color, b.accent_color, b.logo_svg, "
            "b.signatory_name, b.signatory_title FROM region r "
            "LEFT JOIN region_branding b ON b.region = r.id WHERE r.id IN ("
            + ", ".join("{}" for _ in region_ids)
            + ")",
            *region_ids,
        )
        regions = {row["id"]: row for row in found}
    views = []
    for row in rows:
        region = regions[row["region"]]
        branding = Branding(
            primary_color=region["primary_color"] or DEFAULT_BRANDING.primary_color,
            accent_color=region["accent_color"] or DEFAULT_BRANDING.accent_color,
            logo_svg=region["logo_svg"],
            signatory_name=region["signatory_name"] or f"{region['name']} Board",
            signatory_title=region["signatory_title"] or "Program Director",
            monogram="".join(word[0] for word in region["name"].split() if word[0].isupper())[:3],
        )
        views.append(
            CertificateView(
                code=row["code"],
                verify_url=verify_url(row["code"]),
                holder_name=row["holder_name"],
                organization_name=row["organization_name"],
                event_title=row["event_title"],
                event_kind=row["event_kind"],
                region_name=region["name"],
                place=row["place"],
                starts_on=row["starts_on"],
                ends_on=row["ends_on"],
                credit_hours=Decimal(str(row["credit_hours"])),
                issued_on=row["issued_at"].date(),
                branding=branding,
            )
        )
    return views


def _render_batch(views: list[CertificateView]) -> list[bytes]:
    from certs.pdf import render_certificates  # WeasyPrint loads only here

    return render_certificates(views)


_pool: ProcessPoolExecutor | None = None


def _start_render_process(parent: int) -> None:
    """In each render process, before its first batch: load WeasyPrint and its fonts
    (1-2 s, overlapping the job's issuing), and exit once the process that started it is
    gone. A parent that dies by a signal (uvicorn re-raises SIGTERM after its shutdown)
    runs no exit hook, and an orphaned pool process would otherwise wait forever."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()
    from certs.pdf import render_pdf

    render_pdf(certificates_html([WARM_UP]))


def _nothing() -> None:
    """A task that makes the pool start a process."""


def _render_pool() -> ProcessPoolExecutor:
    """Rendering is CPU-bound Python: bulk jobs spread batches over processes (spawned,
    not forked, so no event loop or database connection is copied into them)."""
    global _pool
    if _pool is None:
        workers = get_settings().render_processes
        _pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=get_context("spawn"),
            initializer=_start_render_process,
            initargs=(os.getpid(),),
        )
        atexit.register(shutdown_render_pool)
    return _pool


def _start_render_processes() -> None:
    """Start the render processes now rather than at the first batch (a pool starts one
    process per task it is given while none is idle)."""
    pool = _render_pool()
    for _ in range(get_settings().render_processes):
        pool.submit(_nothing)


def shutdown_render_pool() -> None:
    """Stop the render processes with their parent (app shutdown, or interpreter exit)."""
    global _pool
    if _pool is not None:
        # wait=True: without it the workers outlive a parent stopped by SIGTERM.
        _pool.shutdown(wait=True, cancel_futures=True)
        _pool = None


async def render_and_store(rows: list[dict], *, parallel: bool = False) -> None:
    views = await views_for(rows)
    if parallel:
        loop = asyncio.get_running_loop()
        pages = await loop.run_in_executor(_render_pool(), _render_batch, views)
    else:
        pages = await asyncio.to_thread(_render_batch, views)
    for view, page in zip(views, pages, strict=True):
        _write_atomically(pdf_path(view.code), page)


async def ensure_pdf(certificate: dict) -> Path:
    """The PDF for a certificate, rendered now if the cached file is missing."""
    path = pdf_path(certificate["code"])
    if not path.exists():
        await render_and_store([certificate])
    return path


async def run_job(job_id: int) -> None:
    """Issue what is missing, then render what is not on disk. Safe to run again."""
    now = datetime.now(UTC)
    job = await fetch_one(
        "UPDATE certificate_job SET status = 'running', updated_at = {}, "
        "started_at = COALESCE(started_at, {}) WHERE id = {} AND ((status = 'queued' "
        "AND (next_attempt_at IS NULL OR next_attempt_at <= {})) "
        "OR (status = 'running' AND updated_at < {})) RETURNING *",
        now,
        now,
        job_id,
        now,
        now - STALE,
    )
    if job is None:
        return  # finished, waiting for a retry, or another worker is on it
    try:
        async with heartbeat(job_id):
            await _issue_and_render(job_id, job)
    except Exception as exc:
        await _failed(job, exc)
        raise


async def _issue_and_render(job_id: int, job: dict) -> None:
    event = await fetch_one(
        "SELECT id, slug, title, kind, timezone, venue_name, venue_address, credit_hours, "
        "starts_at, ends_at FROM event WHERE id = {}",
        job["event"],
    )
    _start_render_processes()
    await issue_missing(event, job_id, job["requested_by"])
    certificates = await fetch(
        "SELECT * FROM certificate WHERE event = {} AND status = 'valid' ORDER BY id",
        event["id"],
    )
    todo = [row for row in certificates if not pdf_path(row["code"]).exists()]
    done = len(certificates) - len(todo)
    await mark_job(job_id, JobStatus.running, total=len(certificates), done=done)
    batches = [todo[start : start + BATCH] for start in range(0, len(todo), BATCH)]
    slots = asyncio.Semaphore(get_settings().render_processes)

    async def render(batch: list[dict]) -> None:
        nonlocal done
        async with slots:
            await render_and_store(batch, parallel=True)
        done += len(batch)
        await mark_job(job_id, JobStatus.running, done=done, updated_at=datetime.now(UTC))

    await asyncio.gather(*(render(batch) for batch in batches))
    await mark_job(
        job_id, JobStatus.done, finished_at=datetime.now(UTC), error=None, next_attempt_at=None
    )
    # Queue the holders' messages now that the PDFs are there (the sweep may already
    # have sent some during a long job: a missing PDF renders when it is downloaded).
    await tasks.enqueue_deliveries([row["registration"] for row in certificates])


async def _failed(job: dict, error: Exception) -> None:
    """A temporary failure (disk, connection) queues the job again after a backoff, with
    the reason shown; any other ends it as failed."""
    reason = f"{type(error).__name__}: {error}"[:400]
    if not is_temporary(error):
        logger.error("certificate job %s failed: %s", job["id"], reason)
        await mark_job(job["id"], JobStatus.failed, error=reason)
        return
    attempts = job["attempts"] + 1
    due = datetime.now(UTC) + backoff(attempts)
    logger.warning(
        "certificate job %s stopped (%s); trying again at %s", job["id"], reason, due.isoformat()
    )
    await mark_job(
        job["id"],
        JobStatus.queued,
        attempts=attempts,
        next_attempt_at=due,
        error=f"Waiting to try again ({reason})",
    )
