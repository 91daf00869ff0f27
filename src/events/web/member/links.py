"""The signed links in every email that work without signing in (``services.preferences``):
the preferences page, and one-click unsubscribe (RFC 8058).

A mail client's one-click unsubscribe is a POST with the body
``List-Unsubscribe=One-Click``, no cookie and no CSRF token: the link's signature is the
authority, and all it can do is turn one kind of email off, so the POST needs nothing
else and answers 200. People opening the link get a page with a button (a GET changes
nothing: mail scanners open links); the button posts the same body.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Template

from events.services import member_preferences
from events.web.member.pages import NO_STORE, NOINDEX, Form, PreferencesForm, render
from events.web.security import SECRET_URL

ListName = Annotated[str, QueryParameter(query="list", required=False)]


class PreferenceLinkController(Controller):
    """/me/preferences/{token}: the member page's preference form, reached from an email.
    Behind the session's CSRF guard like the member page (the page sets the token)."""

    path = "/preferences/{token:str}"
    include_in_schema = False
    cache_control = NO_STORE
    response_headers = NOINDEX

    @get("/", opt=SECRET_URL)
    async def form(self, request: Request, token: FromPath[str]) -> Template:
        member_id = await member_preferences.member_of_link(token)
        preferences = await member_preferences.current(member_id)
        return render(request, "me/preferences_link.html", token=token, preferences=preferences)

    @post("/", status_code=200, opt=SECRET_URL)
    async def save(
        self, request: Request, token: FromPath[str], data: Annotated[PreferencesForm, Form]
    ) -> Template:
        member_id = await member_preferences.member_of_link(token)
        preferences = await member_preferences.save(member_id, data.update())
        return render(
            request,
            "me/preferences_link.html",
            token=token,
            preferences=preferences,
            notice="Your message preferences are saved.",
        )


class UnsubscribeController(Controller):
    """/me/unsubscribe/{token}?list=reminders|announcements (outside the CSRF guard)."""

    path = "/unsubscribe/{token:str}"
    include_in_schema = False
    cache_control = NO_STORE
    response_headers = NOINDEX

    @get("/", opt=SECRET_URL)
    async def confirm(self, token: FromPath[str], list_name: ListName = "") -> Template:
        member_preferences.list_column(list_name)
        await member_preferences.member_of_link(token)
        return Template(
            "me/unsubscribe.html",
            context={
                "token": token,
                "list_name": list_name,
                "label": member_preferences.LIST_LABELS[list_name],
                "nav": "me",
            },
        )

    @post("/", status_code=200, opt=SECRET_URL)
    async def unsubscribe(self, token: FromPath[str], list_name: ListName = "") -> Template:
        label = await member_preferences.unsubscribe(token, list_name)
        return Template(
            "me/unsubscribed.html",
            context={"token": token, "label": label, "nav": "me"},
        )
