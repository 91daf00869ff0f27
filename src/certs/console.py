"""The console's certificate page: start a bulk issue, watch its progress (htmx polls the
job every second until it is done)."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from certs import jobs
from events.di import Organizer
from events.web.console.pages import CONSOLE_ORGANIZER
from events.web.console.responses import page


class CertificateConsoleController(Controller):
    path = "/events/{slug:str}/certificates"  # under the console router (/console)
    include_in_schema = False
    dependencies = CONSOLE_ORGANIZER

    @get("/")
    async def certificates(
        self, request: Request, organizer: Organizer, slug: FromPath[str]
    ) -> Template:
        event, job = await jobs.latest(organizer, slug)
        return page(request, "console/certificates.html", organizer, event=event, job=job)

    @post("/")
    async def start(self, organizer: Organizer, slug: FromPath[str]) -> Redirect:
        await jobs.start(organizer, slug)
        return Redirect(f"/console/events/{slug}/certificates", status_code=303)

    @get("/jobs/{job_id:int}")
    async def progress(
        self, request: Request, organizer: Organizer, slug: FromPath[str], job_id: FromPath[int]
    ) -> Template:
        job = await jobs.progress(organizer, job_id)
        # oob: the finished job also re-enables the page's "Issue certificates" button.
        return page(request, "console/partials/job.html", organizer, job=job, slug=slug, oob=True)
