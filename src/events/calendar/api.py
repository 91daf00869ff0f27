"""Feed routes: /calendar/... (public and personal) and /api/me/calendar (the link)."""

from __future__ import annotations

import re
from email.utils import parsedate_to_datetime
from typing import Annotated

from litestar import Controller, HttpMethod, Request, Response, delete, get, post, route
from litestar.di import Provide
from litestar.params import FromPath, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_304_NOT_MODIFIED

from events import schemas
from events.auth import provide_member
from events.calendar import feeds, tokens
from events.calendar.cache import RenderedFeed
from events.calendar.ical import FeedInfo
from events.config import get_settings
from events.db import fetch_one
from events.di import Member
from events.enums import EventKind
from events.errors import NotFound
from events.web.security import SECRET_URL

CALENDAR = "text/calendar"  # Litestar adds "; charset=utf-8"
# Calendar apps and link checkers ask with HEAD first (the server sends headers only).
GET_OR_HEAD = [HttpMethod.GET, HttpMethod.HEAD]


def _accepts_gzip(accept: str) -> bool:
    if "gzip" in accept and "q=" not in accept:  # the usual "gzip, deflate, br"
        return True
    for coding in accept.split(","):
        name, _, params = coding.strip().partition(";")
        if name.strip().lower() in ("gzip", "*"):
            return params.replace(" ", "").lower() not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def _not_modified(headers, etag: str, feed: RenderedFeed) -> bool:
    if match := headers.get("if-none-match"):
        # If-None-Match compares weakly (RFC 9110 13.1.2): W/"x" matches "x".
        tags = {tag.strip().removeprefix("W/") for tag in match.split(",")}
        return etag in tags or "*" in tags
    since = headers.get("if-modified-since")
    if since and feed.last_modified:
        try:
            return feed.last_modified.replace(microsecond=0) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


def disposition(*words: str | None) -> str:
    """``inline; filename="convene-<words>.ics"``: letters, digits and hyphens only, so the
    quoted filename needs no escaping and no ``filename*`` (RFC 6266)."""
    stem = "-".join(
        cleaned for word in words if word and (cleaned := re.sub(r"[^a-z0-9]+", "-", word.lower()))
    ).strip("-")
    return f'inline; filename="convene-{stem[:80].strip("-") or "events"}.ics"'


def calendar_response(
    request: Request, feed: RenderedFeed, *, private: bool, filename: str
) -> Response:
    received = request.headers
    gzip_ok = _accepts_gzip(received.get("accept-encoding", ""))
    etag = feed.gzip_etag if gzip_ok else feed.etag
    headers = {
        "ETag": etag,
        "Vary": "Accept-Encoding",
        "Cache-Control": ("private" if private else "public") + ", max-age=300",
        "Content-Disposition": filename,
    }
    if feed.last_modified_http:
        headers["Last-Modified"] = feed.last_modified_http
    if private:
        headers["X-Robots-Tag"] = "noindex"
    if _not_modified(received, etag, feed):
        return Response(b"", status_code=HTTP_304_NOT_MODIFIED, headers=headers)
    if gzip_ok:
        headers["Content-Encoding"] = "gzip"
    body = feed.gzipped if gzip_ok else feed.body
    return Response(body, media_type=CALENDAR, headers=headers)


def _ics_name(filename: str) -> str:
    if not filename.endswith(".ics") or len(filename) <= 4:
        raise NotFound("Calendar feeds end in .ics.")
    return filename[:-4]


def _base() -> str:
    return get_settings().base_url


class CalendarController(Controller):
    path = "/calendar"
    tags = ["calendar"]

    @route(
        "/events/{filename:str}",
        http_method=GET_OR_HEAD,
        summary="One event and all its sessions (.ics)",
    )
    async def event_feed(self, request: Request, filename: FromPath[str]) -> Response:
        slug = _ics_name(filename)

        async def describe() -> FeedInfo | None:
            event = await fetch_one(
                "SELECT title, summary FROM event WHERE slug = {} AND published_at IS NOT NULL",
                slug,
            )
            if event is None:
                return None
            summary = event["summary"] or event["title"]
            return FeedInfo(event["title"], summary, f"{_base()}/events/{slug}")

        feed = await feeds.public_feed(feeds.FeedScope("event", event=slug), describe)
        if feed is None:
            raise NotFound(f"No event '{slug}'.")
        return calendar_response(request, feed, private=False, filename=disposition(slug))

    @route(
        "/all.ics",
        http_method=GET_OR_HEAD,
        summary="Every published event of the coalition, with optional filters",
    )
    async def all_feed(
        self,
        request: Request,
        region: Annotated[str | None, QueryParameter(max_length=40)] = None,
        topic: Annotated[str | None, QueryParameter(max_length=40)] = None,
        kind: Annotated[EventKind | None, QueryParameter()] = None,
    ) -> Response:
        feeds.check_filter("region", region)
        feeds.check_filter("topic", topic)
        scope = feeds.FeedScope(
            "all", region=region, topic=topic, kind=kind.value if kind else None
        )
        filters = ", ".join(
            f"{k}: {v}"
            for k, v in (("region", region), ("topic", topic), ("kind", scope.kind))
            if v
        )
        name = "NSCP events" + (f" ({filters})" if filters else "")

        async def describe() -> FeedInfo:
            description = "Events of the National Smart Coalitions Partnership."
            return FeedInfo(name, description, f"{_base()}/events")

        feed = await feeds.public_feed(scope, describe)
        assert feed is not None
        filename = disposition("events", region, topic, scope.kind)
        return calendar_response(request, feed, private=False, filename=filename)

    @route("/regions/{filename:str}", http_method=GET_OR_HEAD, summary="A region's events (.ics)")
    async def region_feed(self, request: Request, filename: FromPath[str]) -> Response:
        slug = _ics_name(filename)

        async def describe() -> FeedInfo | None:
            region = await fetch_one("SELECT name, timezone FROM region WHERE slug = {}", slug)
            if region is None:
                return None
            name = region["name"]
            url = f"{_base()}/regions/{slug}"
            return FeedInfo(name, f"Events of {name}.", url, timezone=region["timezone"])

        feed = await feeds.public_feed(feeds.FeedScope("region", region=slug), describe)
        if feed is None:
            raise NotFound(f"No region '{slug}'.")
        return calendar_response(request, feed, private=False, filename=disposition(slug))

    @route(
        "/me/{filename:str}",
        http_method=GET_OR_HEAD,
        summary="A member's personal feed; the token is the key",
        opt=SECRET_URL,
    )
    async def personal_feed(self, request: Request, filename: FromPath[str]) -> Response:
        member = await tokens.member_for_token(_ics_name(filename))
        if member is None:
            raise NotFound("No such calendar.")  # says nothing about why
        info = FeedInfo(
            "My NSCP events",
            "The sessions you registered for, kept up to date by Convene.",
            f"{_base()}/events",
        )
        feed = await feeds.personal_feed(member["id"], info)
        return calendar_response(request, feed, private=True, filename=disposition("my-events"))


class MyCalendarController(Controller):
    path = "/api/me/calendar"
    tags = ["members"]
    dependencies = {"member": Provide(provide_member)}

    @get("/", summary="My personal calendar feed link (created on first request)")
    async def get_link(self, member: Member) -> schemas.PersonalCalendar:
        return await tokens.personal_calendar(member)

    @post("/rotate", summary="A new feed link; the old one stops working", status_code=HTTP_200_OK)
    async def rotate(self, member: Member) -> schemas.PersonalCalendar:
        return await tokens.rotate(member)

    @delete("/", summary="Revoke my feed link")
    async def revoke(self, member: Member) -> None:
        await tokens.revoke(member)
