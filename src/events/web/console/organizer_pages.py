"""The console's organizer accounts, for coalition admins: the list with a form to add one,
an organizer's page (name, role, regions; a password link; deactivate or reactivate).

Thin like event_pages.py: read the form (organizer_forms), make one service call, redirect.
The services refuse anyone but an admin (the console's 403 page). Adding an organizer
sends them a password link through the outbox: the admin is answered at once, whether or
not the relay is up, and the organizer's page shows the link's delivery state.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, QueryParameter
from litestar.response import Redirect, Template

from events.auth import OrganizerPrincipal
from events.di import Organizer
from events.errors import DomainError
from events.ratelimit import RateLimited, client_of
from events.services import catalog, organizer_admin, password_links
from events.web.console import organizer_forms
from events.web.console.organizer_forms import OrganizerForm
from events.web.console.pages import CONSOLE_ORGANIZER
from events.web.console.responses import page

FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
Notice = Annotated[str, QueryParameter(query="done", required=False, max_length=20)]
LIST = "console/organizers.html"
EDIT = "console/organizer_form.html"
BASE = "/console/organizers"
# What a redirect's ?done= says on the page it lands on (fixed texts, nothing echoed).
DONE = {
    "added": "Organizer added. A password link is on its way to them (its state is below).",
    "added_unsent": "Organizer added, but no password link was sent.",
    "saved": "Changes saved.",
    "sent": "A password link is on its way to them (its state is below).",
    "deactivated": "Deactivated: they are logged out and cannot log in.",
    "reactivated": "Reactivated. Their old password works again, if they had one.",
}


def _see(path: str) -> Redirect:
    return Redirect(path, status_code=303)


async def _page(
    request: Request,
    admin: OrganizerPrincipal,
    template: str,
    form: OrganizerForm,
    refused: DomainError | None = None,
    done: str = "",
    **context: Any,
) -> Template:
    errors, notice = organizer_forms.refusal(refused) if refused else ({}, None)
    regions = await catalog.regions()
    return page(
        request,
        template,
        admin,
        status_code=refused.status if refused else 200,
        form=form,
        errors=errors,
        notice=notice,
        done=DONE.get(done),
        region_options=[(region.slug, region.name) for region in regions],
        role_options=organizer_forms.ROLE_OPTIONS,
        role_labels=organizer_forms.ROLE_LABELS,
        **context,
    )


class OrganizerAdminController(Controller):
    path = "/organizers"  # under the console router (/console)
    include_in_schema = False
    dependencies = CONSOLE_ORGANIZER

    @get("/")
    async def organizers(
        self, request: Request, organizer: Organizer, done: Notice = ""
    ) -> Template:
        listed = await organizer_admin.list_organizers(organizer)
        return await _page(request, organizer, LIST, OrganizerForm(), done=done, listed=listed)

    @post("/")
    async def create(
        self, request: Request, organizer: Organizer, data: FormData
    ) -> Redirect | Template:
        form = organizer_forms.read_organizer(data)
        try:
            created = await organizer_admin.create_organizer(
                organizer, organizer_forms.organizer_create(form)
            )
        except DomainError as refused:
            listed = await organizer_admin.list_organizers(organizer)
            return await _page(request, organizer, LIST, form, refused, listed=listed)
        try:
            await password_links.send_password_link(organizer, created, client_of(request))
        except RateLimited as failed:
            return await _edit_page(
                request, organizer, created, refused=failed, done="added_unsent"
            )
        return _see(f"{BASE}/{created}?done=added")

    @get("/{organizer_id:int}")
    async def edit(
        self, request: Request, organizer: Organizer, organizer_id: FromPath[int], done: Notice = ""
    ) -> Template:
        return await _edit_page(request, organizer, organizer_id, done=done)

    @post("/{organizer_id:int}")
    async def update(
        self, request: Request, organizer: Organizer, organizer_id: FromPath[int], data: FormData
    ) -> Redirect | Template:
        form = organizer_forms.read_organizer(data)
        try:
            await organizer_admin.update_organizer(
                organizer, organizer_id, organizer_forms.organizer_update(form)
            )
        except DomainError as refused:
            return await _edit_page(request, organizer, organizer_id, form, refused)
        return _see(f"{BASE}/{organizer_id}?done=saved")

    @post("/{organizer_id:int}/password-link")
    async def send_link(
        self, request: Request, organizer: Organizer, organizer_id: FromPath[int]
    ) -> Redirect | Template:
        try:
            await password_links.send_password_link(organizer, organizer_id, client_of(request))
        except RateLimited as failed:
            return await _edit_page(request, organizer, organizer_id, refused=failed)
        return _see(f"{BASE}/{organizer_id}?done=sent")

    @post("/{organizer_id:int}/deactivate")
    async def deactivate(self, organizer: Organizer, organizer_id: FromPath[int]) -> Redirect:
        await organizer_admin.set_active(organizer, organizer_id, False)
        return _see(f"{BASE}/{organizer_id}?done=deactivated")

    @post("/{organizer_id:int}/reactivate")
    async def reactivate(self, organizer: Organizer, organizer_id: FromPath[int]) -> Redirect:
        await organizer_admin.set_active(organizer, organizer_id, True)
        return _see(f"{BASE}/{organizer_id}?done=reactivated")


async def _edit_page(
    request: Request,
    admin: OrganizerPrincipal,
    organizer_id: int,
    form: OrganizerForm | None = None,
    refused: DomainError | None = None,
    done: str = "",
) -> Template:
    shown = await organizer_admin.get_organizer(admin, organizer_id)
    if form is None:
        form = organizer_forms.organizer_form(shown)
    invitation = await password_links.latest_invitation(organizer_id)
    return await _page(
        request, admin, EDIT, form, refused, done, shown=shown, invitation=invitation
    )
