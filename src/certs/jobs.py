"""Bulk issue as a job: recorded, queued after the commit, polled for progress (and
scraped: /metrics)."""

from __future__ import annotations

from certs import issuing, tasks
from certs.enums import JobStatus
from certs.schemas import Job
from events.auth import OrganizerPrincipal
from events.config import get_settings
from events.db import fetch, fetch_one


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


async def certificate_jobs() -> list:
    """/metrics: jobs by state, and the certificates done and planned by the running ones."""
    from events.observability.readings import Reading

    rows = await fetch(
        "SELECT status, COUNT(*) AS jobs, COALESCE(SUM(done), 0) AS done, "
        "COALESCE(SUM(total), 0) AS planned FROM certificate_job GROUP BY status"
    )
    by_status = {row["status"]: row for row in rows}
    running = by_status.get(JobStatus.running, {"done": 0, "planned": 0})
    certificates = "Certificates of the running jobs: done so far, and planned"
    return [
        *(
            Reading(
                "convene_certificate_jobs",
                "Certificate jobs by state",
                by_status[status]["jobs"] if status in by_status else 0,
                {"status": status},
            )
            for status in JobStatus
        ),
        Reading(
            "convene_certificate_job_certificates", certificates, running["done"], {"state": "done"}
        ),
        Reading(
            "convene_certificate_job_certificates",
            certificates,
            running["planned"],
            {"state": "planned"},
        ),
    ]
