"""The page an emailed password link opens: an organizer sets their own console password.

Opening it (GET) changes nothing, since mail scanners prefetch links; the form's POST sets
the password, and the link stops working with it (see services/password_links.py). A link
that is made up or altered is a 404 page, an expired or used one a 410 page.

Why this controller sits outside the console's CSRF guard: the person posting this form has
no console session (that is why they need the link), so there is no session token to check,
and a guard would refuse every POST. The link's HMAC token, in the form's address, is what
proves the POST comes from the person the email went to; a forged cross-site POST cannot
know it. The routes module mounts this controller beside the guarded routes, under the same
session middleware (the console layout reads the session) and HTML error pages, rather
than exempting it inside the guard, so the guard itself keeps no exceptions to overlook.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import ResponseHeader
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from events.errors import DomainError, Gone, NotFound
from events.services import organizers, password_links
from events.services.password_links import LinkHolder
from events.web.console import organizer_forms
from events.web.console.responses import page
from events.web.security import SECRET_URL

FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
TEMPLATE = "console/password_link.html"


def _form_page(
    request: Request, token: str, holder: LinkHolder, refused: DomainError | None = None
) -> Template:
    errors, notice = organizer_forms.refusal(refused) if refused else ({}, None)
    return page(
        request,
        TEMPLATE,
        status_code=refused.status if refused else 200,
        token=token,
        holder=holder,
        errors=errors,
        notice=notice,
        min_length=organizers.MIN_PASSWORD_LENGTH,
    )


class PasswordLinkController(Controller):
    """A capability link: never cached (``page``), never indexed, never sent on as a Referer."""

    path = "/password/{token:str}"  # under /console, outside its CSRF guard (see above)
    include_in_schema = False
    opt = SECRET_URL
    response_headers = [ResponseHeader(name="X-Robots-Tag", value="noindex")]

    @get("/")
    async def form(self, request: Request, token: FromPath[str]) -> Template:
        holder = await password_links.organizer_for_password_token(token)
        return _form_page(request, token, holder)

    @post("/")
    async def set_password(
        self, request: Request, token: FromPath[str], data: FormData
    ) -> Redirect | Template:
        typed = organizer_forms.read_password(data)
        try:
            await password_links.set_password_with_link(token, typed.password, typed.repeated)
        except (Gone, NotFound):
            raise  # the link itself is no good: the error page says why
        except DomainError as refused:
            holder = await password_links.organizer_for_password_token(token)
            return _form_page(request, token, holder, refused)
        return Redirect("/console/login?password=set", status_code=303)
