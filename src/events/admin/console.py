"""/console/admin: the way into Piccolo Admin, for an organizer logged in to the console."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.response import Redirect

from events.admin import accounts
from events.admin.mount import PREFIX, SESSION_COOKIE
from events.config import get_settings
from events.di import Organizer
from events.web.console.pages import CONSOLE_ORGANIZER


class AdminHandoffController(Controller):
    path = "/admin"
    include_in_schema = False
    dependencies = CONSOLE_ORGANIZER

    @get("/")
    async def open_admin(self, request: Request, organizer: Organizer) -> Redirect:
        """A GET, so the admin's pages can send the browser here when their session has
        ended; all it can do is open a session for the organizer already logged in."""
        token = request.session.get(accounts.CONSOLE_SESSION_KEY)
        if not (isinstance(token, str) and await accounts.admin_for_session(token)):
            token = await accounts.open_session(organizer)  # 403 unless an admin
            request.set_session({**request.session, accounts.CONSOLE_SESSION_KEY: token})
        response = Redirect(PREFIX + "/", status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            token,
            path=PREFIX,
            max_age=int(accounts.SESSION_MAX.total_seconds()),
            httponly=True,
            samesite="strict",
            secure=get_settings().base_url.startswith("https://"),
        )
        return response
