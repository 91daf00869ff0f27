"""Certificate work on the shared task queue (run the worker with this module too)."""

from __future__ import annotations

import asyncio

from taskiq import TaskiqEvents, TaskiqState

from certs import documents
from certs.issuing import unfinished_jobs
from certs.job_health import remove_stale_parts, stalled_jobs
from events.tasks import broker, queue_after_commit


@broker.task(task_name="certs.run_job")
async def run_certificate_job(job_id: int) -> None:
    await documents.run_job(job_id)


async def enqueue_job(job_id: int) -> None:
    """After the commit; with the broker down the sweep starts the saved job later."""
    await queue_after_commit(run_certificate_job, job_id)


async def sweep_certificate_jobs() -> int:
    """Jobs are re-derivable: re-queue every unfinished one (the safety net); run_job skips
    any still alive or waiting for a retry. Remove what killed renders left on disk."""
    await asyncio.to_thread(remove_stale_parts)
    jobs = await unfinished_jobs()
    for job_id in jobs:
        await run_certificate_job.kiq(job_id)
    return len(jobs)


async def resume_stalled_jobs() -> int:
    """A frequent sweep: jobs whose worker went silent, lost tasks, retries now due."""
    jobs = await stalled_jobs()
    for job_id in jobs:
        await run_certificate_job.kiq(job_id)
    return len(jobs)


@broker.on_event(TaskiqEvents.WORKER_SHUTDOWN)
async def _stop_rendering(_: TaskiqState) -> None:
    """A taskiq worker is a multiprocessing child: on exit it joins its children before
    any atexit hook runs, so a live render pool would keep it from ever exiting."""
    documents.shutdown_render_pool()
