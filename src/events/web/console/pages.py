"""The console's pages: login, the organizer's events, an event's dashboard, check-in.

Thin: each handler reads the request, calls one service or view function, renders.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, QueryParameter
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_401_UNAUTHORIZED, HTTP_429_TOO_MANY_REQUESTS
from msgspec import Struct

from events.admin import accounts
from events.auth import OrganizerPrincipal
from events.di import Organizer
from events.services import decisions, events, organizers
from events.web.console import views
from events.web.console.login_throttle import LOCKED, LoginThrottle
from events.web.console.responses import is_htmx, page
from events.web.console.session import end_session, provide_console_organizer, start_session

CONSOLE_ORGANIZER = {"organizer": Provide(provide_console_organizer)}
LOGIN_FAILED = "That email and password do not match an organizer account."


class LoginForm(Struct):
    email: str = ""
    password: str = ""


class CheckInRow(Struct):
    """What the check-in row template needs besides the row and the tally."""

    slug: str
    session_id: int
    change: views.SheetChange


Form = Body(media_type=RequestEncodingType.URL_ENCODED)


class LoginController(Controller):
    path = "/"
    include_in_schema = False

    @get("/login")
    async def login_page(self, request: Request) -> Template:
        return page(request, "console/login.html")

    @post("/login")
    async def login(
        self, request: Request, data: Annotated[LoginForm, Form]
    ) -> Response | Template:
        throttle = LoginThrottle(request, data.email)
        if await throttle.locked():
            return page(
                request,
                "console/login.html",
                status_code=HTTP_429_TOO_MANY_REQUESTS,
                error=LOCKED,
                email=data.email,
            )
        found = await organizers.check_password(data.email, data.password)
        if found is None:
            await throttle.failed()
            return page(
                request,
                "console/login.html",
                status_code=HTTP_401_UNAUTHORIZED,
                error=LOGIN_FAILED,
                email=data.email,
            )
        device = await throttle.succeeded()
        start_session(request, *found)
        return Redirect("/console", status_code=303, cookies=[device])

    @post("/logout")
    async def logout(self, request: Request) -> Redirect:
        admin_session = request.session.get(accounts.CONSOLE_SESSION_KEY)
        if isinstance(admin_session, str):
            await accounts.end_session(admin_session)
        await end_session(request)
        return Redirect("/console/login", status_code=303)


class ConsoleController(Controller):
    path = "/"
    include_in_schema = False
    dependencies = CONSOLE_ORGANIZER

    @get("/")
    async def home(self, request: Request, organizer: Organizer) -> Template:
        view = await views.home(organizer)
        return page(request, "console/home.html", organizer, view=view)

    @get("/events/{slug:str}")
    async def dashboard(
        self, request: Request, organizer: Organizer, slug: FromPath[str]
    ) -> Template:
        view = await views.dashboard(organizer, slug)
        return page(request, "console/dashboard.html", organizer, view=view)

    @post("/events/{slug:str}/registrations/{registration_id:int}/approve")
    async def approve(
        self, organizer: Organizer, slug: FromPath[str], registration_id: FromPath[int]
    ) -> Redirect:
        await decisions.approve(organizer, registration_id)
        return Redirect(f"/console/events/{slug}#pending", status_code=303)

    @post("/events/{slug:str}/registrations/{registration_id:int}/decline")
    async def decline(
        self, organizer: Organizer, slug: FromPath[str], registration_id: FromPath[int]
    ) -> Redirect:
        await decisions.decline(organizer, registration_id)
        return Redirect(f"/console/events/{slug}#pending", status_code=303)

    @get("/events/{slug:str}/registrations.csv", media_type="text/csv; charset=utf-8")
    async def export(self, organizer: Organizer, slug: FromPath[str]) -> Response[str]:
        body = await events.attendees_csv(organizer, slug)
        return Response(
            body,
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{slug}-attendees.csv"',
                "Cache-Control": "no-store",
            },
        )


class CheckInController(Controller):
    """A sheet for the door, on a phone: pick the session, type a name, tap to check in."""

    path = "/events/{slug:str}/checkin"
    include_in_schema = False
    dependencies = CONSOLE_ORGANIZER

    @get("/")
    async def sheet(
        self,
        request: Request,
        organizer: Organizer,
        slug: FromPath[str],
        session_id: Annotated[int | None, QueryParameter(query="session", required=False)] = None,
        q: Annotated[str, QueryParameter(required=False, max_length=200)] = "",
    ) -> Template:
        view = await views.checkin_sheet(organizer, slug, session_id, q)
        template = (
            "console/partials/checkin_rows.html" if is_htmx(request) else "console/checkin.html"
        )
        return page(request, template, organizer, view=view, slug=slug)

    @post("/{session_id:int}/{registration_id:int}")
    async def check_in(
        self,
        request: Request,
        organizer: Organizer,
        slug: FromPath[str],
        session_id: FromPath[int],
        registration_id: FromPath[int],
    ) -> Response | Template:
        change = await views.check_in(organizer, slug, session_id, registration_id)
        return _row_or_sheet(request, organizer, CheckInRow(slug, session_id, change))

    @post("/{session_id:int}/{registration_id:int}/undo")
    async def undo(
        self,
        request: Request,
        organizer: Organizer,
        slug: FromPath[str],
        session_id: FromPath[int],
        registration_id: FromPath[int],
    ) -> Response | Template:
        change = await views.undo_check_in(organizer, slug, session_id, registration_id)
        return _row_or_sheet(request, organizer, CheckInRow(slug, session_id, change))


def _row_or_sheet(
    request: Request, organizer: OrganizerPrincipal, line: CheckInRow
) -> Response | Template:
    """htmx swaps the row in place and the tally out of band; without JavaScript, back to
    the sheet at the row (the fragment is where the next Tab starts)."""
    if is_htmx(request):
        return page(
            request,
            "console/partials/checkin_row.html",
            organizer,
            row=line.change.row,
            tally=line.change.tally,
            slug=line.slug,
            session_id=line.session_id,
        )
    return Redirect(
        f"/console/events/{line.slug}/checkin?session={line.session_id}"
        f"#reg-{line.change.row.registration_id}",
        status_code=303,
    )
