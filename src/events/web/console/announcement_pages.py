"""The console's announcements (compose, preview, send, the log, one announcement's
deliveries) and an event's Messages page: every outbox row of its registrations.

Thin like event_pages.py: read the form (announcement_views), make one view or service
call, render or redirect. Compose → Preview (the message as it will read, and how many it
reaches; nothing is written) → Send. A refusal shows the compose form again as typed.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, QueryParameter
from litestar.response import Redirect, Template

from events.auth import OrganizerPrincipal
from events.di import Organizer
from events.enums import DeliveryState
from events.errors import DomainError
from events.web.console import announcement_views as views
from events.web.console.announcement_views import ComposeForm
from events.web.console.pages import CONSOLE_ORGANIZER
from events.web.console.responses import page

FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
PageNumber = Annotated[int, QueryParameter(query="page", ge=1, le=10_000, required=False)]
# "state" is a name Litestar reserves (the app's state): read it by its query name.
StateFilter = Annotated[DeliveryState | None, QueryParameter(query="state", required=False)]


async def _compose(
    request: Request,
    organizer: OrganizerPrincipal,
    slug: str,
    form: ComposeForm,
    refused: DomainError | None = None,
) -> Template:
    errors, notice = views.refusal(refused) if refused else ({}, None)
    return page(
        request,
        "console/announcement_compose.html",
        organizer,
        status_code=refused.status if refused else 200,
        view=await views.compose_page(organizer, slug),
        form=form,
        errors=errors,
        notice=notice,
    )


class AnnouncementPagesController(Controller):
    path = "/events/{slug:str}"  # under the console router (/console)
    include_in_schema = False
    dependencies = CONSOLE_ORGANIZER

    @get("/announcements")
    async def log(
        self, request: Request, organizer: Organizer, slug: FromPath[str], number: PageNumber = 1
    ) -> Template:
        view = await views.log_page(organizer, slug, number)
        return page(request, "console/announcements.html", organizer, view=view)

    @get("/announcements/new")
    async def new(self, request: Request, organizer: Organizer, slug: FromPath[str]) -> Template:
        return await _compose(request, organizer, slug, ComposeForm())

    @post("/announcements/new")
    async def edit(
        self, request: Request, organizer: Organizer, slug: FromPath[str], data: FormData
    ) -> Template:
        """Back from the preview to the form, as typed."""
        return await _compose(request, organizer, slug, views.read_compose(data))

    @post("/announcements/preview")
    async def preview(
        self, request: Request, organizer: Organizer, slug: FromPath[str], data: FormData
    ) -> Template:
        form = views.read_compose(data)
        try:
            _, preview = await views.preview_page(organizer, slug, form)
        except DomainError as refused:
            if "reason" not in refused.extra:  # not about the form (forbidden, not found)
                raise
            return await _compose(request, organizer, slug, form, refused)
        return page(request, "console/announcement_preview.html", organizer, view=preview)

    @post("/announcements")
    async def send(
        self, request: Request, organizer: Organizer, slug: FromPath[str], data: FormData
    ) -> Redirect | Template:
        form = views.read_compose(data)
        try:
            sent = await views.send(organizer, slug, form)
        except DomainError as refused:  # nobody in the audience, a draft, a wrong field
            if "reason" not in refused.extra:
                raise
            return await _compose(request, organizer, slug, form, refused)
        return Redirect(f"/console/events/{slug}/announcements/{sent.id}", status_code=303)

    @get("/announcements/{announcement_id:int}")
    async def detail(
        self,
        request: Request,
        organizer: Organizer,
        slug: FromPath[str],
        announcement_id: FromPath[int],
        in_state: StateFilter = None,
        number: PageNumber = 1,
    ) -> Template:
        view = await views.detail_page(organizer, slug, announcement_id, in_state, number)
        return page(request, "console/announcement.html", organizer, view=view)

    @get("/messages")
    async def messages(
        self,
        request: Request,
        organizer: Organizer,
        slug: FromPath[str],
        in_state: StateFilter = None,
        number: PageNumber = 1,
    ) -> Template:
        view = await views.messages_page(organizer, slug, in_state, number)
        return page(request, "console/messages.html", organizer, view=view)
