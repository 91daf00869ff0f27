"""The public pages: events, an event, regions, and the certificate lookup form's redirect.

Filters arrive as plain text and are read leniently (views.parse_filters): a person who
mistypes a date gets the page with a note, not a 400 in JSON.
"""

from __future__ import annotations

import logging
from typing import Annotated
from urllib.parse import quote

from litestar import Controller, Request, Response, get
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from events.errors import NotFound, database_outage
from events.web import not_found, views

logger = logging.getLogger("convene.web")

Text = Annotated[str | None, QueryParameter(required=False)]
PageParam = Annotated[str | None, QueryParameter(query="page", required=False)]


def _wants_partial(request: Request) -> bool:
    """htmx asks for the list alone; a history restore needs the whole page."""
    headers = request.headers
    return "hx-request" in headers and "hx-history-restore-request" not in headers


def not_found_page(request: Request, exc: NotFound) -> Response:
    return not_found.page(exc.detail)


def server_error_page(request: Request, exc: Exception) -> Response:
    outage = database_outage(exc)
    if outage is not None:
        return Template(
            "server_error.html",
            context={"nav": "", "title": "Back in a moment", "detail": outage.detail},
            status_code=outage.status,
            headers=dict(outage.headers),
        )
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return Template(
        "server_error.html", context={"nav": ""}, status_code=HTTP_500_INTERNAL_SERVER_ERROR
    )


class PageController(Controller):
    """HTML for people; the same data as the JSON API's public endpoints."""

    include_in_schema = False
    exception_handlers = {NotFound: not_found_page, Exception: server_error_page}

    @get(["/", "/events"])
    async def events(
        self,
        request: Request,
        region: Text = None,
        topic: Text = None,
        kind: Text = None,
        date_from: Annotated[str | None, QueryParameter(query="from", required=False)] = None,
        date_to: Annotated[str | None, QueryParameter(query="to", required=False)] = None,
        q: Text = None,
        page: PageParam = None,
    ) -> Template:
        partial = _wants_partial(request)
        filters = views.parse_filters(
            region=region, topic=topic, kind=kind, date_from=date_from, date_to=date_to, q=q
        )
        view = await views.events_page(filters, views.page_number(page))
        return Template(
            "partials/event_results.html" if partial else "events.html",
            context={"view": view, "nav": "events", "oob": partial},
            headers={"Vary": "HX-Request"},
        )

    @get("/events/{slug:str}")
    async def event(self, slug: FromPath[str]) -> Template:
        view = await views.event_page(slug)
        return Template("event.html", context={"view": view, "nav": "events"})

    @get("/regions")
    async def regions(self) -> Template:
        view = await views.regions_page()
        return Template("regions.html", context={"view": view, "nav": "regions"})

    @get("/regions/{slug:str}")
    async def region(self, slug: FromPath[str], page: PageParam = None) -> Template:
        view = await views.region_page(slug, views.page_number(page))
        return Template("region.html", context={"view": view, "nav": "regions"})

    @get("/verify")
    async def verify(self, code: Text = None) -> Redirect:
        """The footer's form: the verification page itself lives in certs, at /verify/{code}."""
        code = (code or "").strip()
        if not code:
            return Redirect("/")
        return Redirect(f"/verify/{quote(code, safe='')}")
