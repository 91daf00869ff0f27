"""Bulk issue as a job: recorded, queued after the commit, polled for progress."""

from __future__ import annotations

from certs import issuing, tasks
from certs.schemas import Job
from events.auth import OrganizerPrincipal
from events.config import get_settings
from events.db import fetch_one


async def job_view(job: dict) -> Job:
    event = await fetch_one("SELECT slug FROM event WHERE id = {}", job["event"])
    return Job(
        id=job["id"],
        event=event["slug"] if event else "",
        status=job["status"],
        total=job["total"],
        done=job["done"],
        created_at=job["created_at"],
        finished_at=job["finished_at"],
        error=job["error"],
        poll_url=f"{get_settings().base_url}/api/manage/certificate-jobs/{job['id']}",
    )


async def start(organizer: OrganizerPrincipal, slug: str) -> Job:
    job = await issuing.start_job(organizer, slug)
    await tasks.enqueue_job(job["id"])  # a lost message is re-queued by the sweep
    return await job_view(job)


async def progress(organizer: OrganizerPrincipal, job_id: int) -> Job:
    return await job_view(await issuing.job_for(organizer, job_id))


async def latest(organizer: OrganizerPrincipal, slug: str) -> tuple[dict, Job | None]:
    """An event (its managers only) and its most recent bulk issue job, if any."""
    event = await issuing.event_for_certificates(organizer, slug)
    job = await fetch_one(
        "SELECT * FROM certificate_job WHERE event = {} ORDER BY id DESC LIMIT 1", event["id"]
    )
    return event, (await job_view(job) if job else None)
