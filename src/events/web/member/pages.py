"""The member page, /me: signing in by one-time link, the page itself and what it lets the
member do (cancel, replace the calendar link, choose their messages, export, delete).

Thin handlers: each reads the form, calls one service and renders. Every POST here is
behind the session's CSRF guard (routes.py); the sign-in link's GET only shows a button,
since mail scanners open links, and its POST spends the link.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import CacheControlHeader, ResponseHeader
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_422_UNPROCESSABLE_ENTITY
from msgspec import Struct

from events.auth import MemberPrincipal
from events.db import dump_json
from events.di import Member
from events.errors import InvalidInput
from events.ratelimit import RateLimited, client_of
from events.services import (
    member_erasure,
    member_export,
    member_logins,
    member_page,
    member_preferences,
)
from events.web.console.session import csrf_token
from events.web.member.session import (
    end_session,
    member_of_session,
    provide_session_member,
    start_session,
)
from events.web.security import SECRET_URL

Form = Body(media_type=RequestEncodingType.URL_ENCODED)
NO_STORE = CacheControlHeader(no_store=True)
NOINDEX = [ResponseHeader(name="X-Robots-Tag", value="noindex")]


class SignInForm(Struct):
    email: str = ""


class PreferencesForm(Struct):
    channels: str = "auto"
    reminder_emails: str = ""  # a checkbox: sent when ticked
    announcement_emails: str = ""

    def update(self) -> member_preferences.PreferencesUpdate:
        return member_preferences.parse_update(
            self.channels, bool(self.reminder_emails), bool(self.announcement_emails)
        )


class DeleteForm(Struct):
    email: str = ""


def render(request: Request, template: str, *, status_code: int = 200, **context: Any) -> Template:
    return Template(
        template,
        context={"csrf": csrf_token(request), "nav": "me", **context},
        status_code=status_code,
    )


async def _page(request: Request, member: MemberPrincipal, **context: Any) -> Template:
    view = await member_page.page(member)
    return render(request, "me/page.html", view=view, **context)


class SignInController(Controller):
    path = "/"
    include_in_schema = False
    cache_control = NO_STORE
    response_headers = NOINDEX

    @get("/")
    async def home(self, request: Request) -> Template:
        """The member's page when signed in, the sign-in form otherwise."""
        member = await member_of_session(request)
        if member is None:
            return render(request, "me/sign_in.html")
        return await _page(request, member)

    @post("/sign-in", status_code=200)
    async def ask_for_link(self, request: Request, data: Annotated[SignInForm, Form]) -> Template:
        try:
            await member_logins.request_link(data.email, client_of(request))
        except (InvalidInput, RateLimited) as exc:
            return render(
                request,
                "me/sign_in.html",
                status_code=exc.status,
                error=exc.detail,
                reason=exc.extra.get("reason"),
                email=data.email,
            )
        return render(request, "me/link_sent.html", email=data.email.strip().lower())

    @get("/sign-in/{token:str}", opt=SECRET_URL)
    async def link_page(self, request: Request, token: FromPath[str]) -> Template:
        await member_logins.check(token)
        return render(request, "me/sign_in_link.html", token=token)

    @post("/sign-in/{token:str}", opt=SECRET_URL)
    async def use_link(self, request: Request, token: FromPath[str]) -> Redirect:
        start_session(request, await member_logins.consume(token))
        return Redirect("/me", status_code=303)

    @post("/sign-out")
    async def sign_out(self, request: Request) -> Redirect:
        await end_session(request)
        return Redirect("/me", status_code=303)


class MemberPageController(Controller):
    path = "/"
    include_in_schema = False
    cache_control = NO_STORE
    response_headers = NOINDEX
    dependencies = {"member": Provide(provide_session_member)}

    @post("/registrations/{registration_id:int}/cancel", status_code=200)
    async def cancel(
        self, request: Request, member: Member, registration_id: FromPath[int]
    ) -> Template:
        title = await member_page.cancel(member, registration_id)
        return await _page(request, member, notice=f"Your registration for {title} is cancelled.")

    @post("/calendar/rotate", status_code=200)
    async def rotate_calendar(self, request: Request, member: Member) -> Template:
        await member_page.rotate_calendar(member)
        return await _page(
            request, member, notice="Your calendar has a new link; the old one no longer works."
        )

    @post("/preferences", status_code=200)
    async def save_preferences(
        self, request: Request, member: Member, data: Annotated[PreferencesForm, Form]
    ) -> Template:
        await member_preferences.save(member.id, data.update())
        return await _page(request, member, notice="Your message preferences are saved.")

    @get("/export.json")
    async def export(self, member: Member) -> Response[bytes]:
        document = await member_export.export(member.id)
        return Response(
            dump_json(document).encode(),
            media_type="application/json",
            headers={"Content-Disposition": 'attachment; filename="convene-my-data.json"'},
        )

    @get("/delete")
    async def delete_page(self, request: Request, member: Member) -> Template:
        return render(request, "me/delete.html", member=member)

    @post("/delete", status_code=200)
    async def delete(
        self, request: Request, member: Member, data: Annotated[DeleteForm, Form]
    ) -> Template:
        try:
            await member_erasure.delete_account(member.id, data.email)
        except InvalidInput as exc:
            return render(
                request,
                "me/delete.html",
                status_code=HTTP_422_UNPROCESSABLE_ENTITY,
                member=member,
                error=exc.detail,
            )
        await end_session(request)
        return Template("me/deleted.html", context={"nav": "me"})  # no form, no new session
