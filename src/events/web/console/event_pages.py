"""The console's pages for creating and changing events and their sessions.

Thin like pages.py: read the form (event_forms), make one service call, redirect. A refusal,
the form's own or a service's, shows the same page again as typed, with the problem next to
its field and the refusal's 4xx status. Pages of events the organizer may not change are
refused by the services, shown as the console's error pages.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from events.auth import OrganizerPrincipal
from events.di import Organizer
from events.errors import DomainError
from events.services import events
from events.web.console import event_forms, event_views
from events.web.console.event_forms import EventForm, SessionForm
from events.web.console.pages import CONSOLE_ORGANIZER
from events.web.console.responses import page

FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
EVENT_FORM = "console/event_form.html"
SESSIONS = "console/event_sessions.html"
SESSION_FORM = "console/session_form.html"


def _see(path: str) -> Redirect:
    return Redirect(path, status_code=303)


def _form_page(
    request: Request,
    organizer: OrganizerPrincipal,
    template: str,
    form: EventForm | SessionForm,
    refused: DomainError | None = None,
    **context: Any,
) -> Template:
    errors, notice = event_forms.refusal(refused) if refused else ({}, None)
    return page(
        request,
        template,
        organizer,
        status_code=refused.status if refused else 200,
        form=form,
        errors=errors,
        notice=notice,
        **context,
    )


class EventEditorController(Controller):
    """New event, its details, publishing and cancelling."""

    path = "/"  # under the console router (/console)
    include_in_schema = False
    dependencies = CONSOLE_ORGANIZER

    @get("/new-event")
    async def new(self, request: Request, organizer: Organizer) -> Template:
        view = await event_views.new_event_page(organizer)
        form = event_forms.blank_event(view.choices.regions)
        return _form_page(request, organizer, EVENT_FORM, form, view=view)

    @post("/new-event")
    async def create(
        self, request: Request, organizer: Organizer, data: FormData
    ) -> Redirect | Template:
        view = await event_views.new_event_page(organizer)
        form = event_forms.read_event(data)
        choices = view.choices
        try:
            created = await events.create_event(
                organizer, event_forms.event_create(form, choices.region_slugs, choices.topic_slugs)
            )
        except DomainError as refused:
            return _form_page(request, organizer, EVENT_FORM, form, refused, view=view)
        return _see(f"/console/events/{created.slug}/sessions")

    @get("/events/{slug:str}/edit")
    async def edit(self, request: Request, organizer: Organizer, slug: FromPath[str]) -> Template:
        view = await event_views.edit_event_page(organizer, slug)
        assert view.event is not None
        form = event_forms.event_form(view.event)
        return _form_page(request, organizer, EVENT_FORM, form, view=view)

    @post("/events/{slug:str}/edit")
    async def update(
        self, request: Request, organizer: Organizer, slug: FromPath[str], data: FormData
    ) -> Redirect | Template:
        view = await event_views.edit_event_page(organizer, slug)
        assert view.event is not None
        form = event_forms.read_event(data)
        choices = view.choices
        try:
            changes = event_forms.event_update(
                form, event_forms.event_form(view.event), choices.region_slugs, choices.topic_slugs
            )
            await events.update_event(organizer, slug, changes)
        except DomainError as refused:
            return _form_page(request, organizer, EVENT_FORM, form, refused, view=view)
        return _see(f"/console/events/{slug}")

    @post("/events/{slug:str}/publish")
    async def publish(
        self, request: Request, organizer: Organizer, slug: FromPath[str]
    ) -> Redirect | Template:
        try:
            await events.publish_event(organizer, slug)
        except DomainError as refused:
            # What is missing (a session, a venue) is on the details page: shown there.
            view = await event_views.edit_event_page(organizer, slug)
            assert view.event is not None
            form = event_forms.event_form(view.event)
            return _form_page(request, organizer, EVENT_FORM, form, refused, view=view)
        return _see(f"/console/events/{slug}")

    @get("/events/{slug:str}/cancel")
    async def confirm_cancel(
        self, request: Request, organizer: Organizer, slug: FromPath[str]
    ) -> Template:
        view = await event_views.cancel_page(organizer, slug)
        return page(request, "console/event_cancel.html", organizer, view=view)

    @post("/events/{slug:str}/cancel")
    async def cancel(self, organizer: Organizer, slug: FromPath[str]) -> Redirect:
        await events.cancel_event(organizer, slug)
        return _see(f"/console/events/{slug}")


class SessionEditorController(Controller):
    """An event's sessions: the list, adding one, changing one, cancelling one. Times are
    typed in the event's time zone."""

    path = "/events/{slug:str}/sessions"  # under the console router (/console)
    include_in_schema = False
    dependencies = CONSOLE_ORGANIZER

    @get("/")
    async def sessions(
        self, request: Request, organizer: Organizer, slug: FromPath[str]
    ) -> Template:
        view = await event_views.sessions_page(organizer, slug)
        return _form_page(request, organizer, SESSIONS, SessionForm(), view=view)

    @post("/")
    async def add(
        self, request: Request, organizer: Organizer, slug: FromPath[str], data: FormData
    ) -> Redirect | Template:
        view = await event_views.sessions_page(organizer, slug)
        form = event_forms.read_session(data)
        try:
            await events.add_session(
                organizer, slug, event_forms.session_create(form, view.event.timezone)
            )
        except DomainError as refused:
            return _form_page(request, organizer, SESSIONS, form, refused, view=view)
        return _see(f"/console/events/{slug}/sessions")

    @get("/{session_id:int}/edit")
    async def edit(
        self, request: Request, organizer: Organizer, slug: FromPath[str], session_id: FromPath[int]
    ) -> Template:
        view = await event_views.session_page(organizer, slug, session_id)
        form = event_forms.session_form(view.session, view.event.timezone)
        return _form_page(request, organizer, SESSION_FORM, form, view=view)

    @post("/{session_id:int}/edit")
    async def update(
        self,
        request: Request,
        organizer: Organizer,
        slug: FromPath[str],
        session_id: FromPath[int],
        data: FormData,
    ) -> Redirect | Template:
        view = await event_views.session_page(organizer, slug, session_id)
        form = event_forms.read_session(data)
        timezone = view.event.timezone
        try:
            current = event_forms.session_form(view.session, timezone)
            changes = event_forms.session_update(form, current, timezone)
            await events.change_session(organizer, session_id, changes)
        except DomainError as refused:
            return _form_page(request, organizer, SESSION_FORM, form, refused, view=view)
        return _see(f"/console/events/{slug}/sessions")

    @get("/{session_id:int}/cancel")
    async def confirm_cancel(
        self, request: Request, organizer: Organizer, slug: FromPath[str], session_id: FromPath[int]
    ) -> Template:
        view = await event_views.session_page(organizer, slug, session_id)
        return page(request, "console/session_cancel.html", organizer, view=view)

    @post("/{session_id:int}/cancel")
    async def cancel(
        self, organizer: Organizer, slug: FromPath[str], session_id: FromPath[int]
    ) -> Redirect:
        await event_views.session_page(organizer, slug, session_id)  # this event's session
        await events.cancel_session(organizer, session_id)
        return _see(f"/console/events/{slug}/sessions")
