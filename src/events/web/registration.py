"""Registering on the web by email: the form, the confirm link, the manage link.

Pages for people, so refusals are HTML pages (or the form again, with its errors), never
problem+json. Every POST carries a per-form token (form_tokens.py says why not Litestar's
CSRFConfig). GETs change nothing, so mail scanners that open links register nobody.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import CacheControlHeader, ResponseHeader
from litestar.enums import RequestEncodingType
from litestar.exceptions import HTTPException, ValidationException
from litestar.params import Body, FromPath
from litestar.response import Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from events import schemas
from events.errors import (
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    RegistrationRefused,
    database_outage,
)
from events.ratelimit import client_of
from events.services import catalog, email_registrations
from events.web import form_tokens
from events.web.security import SECRET_URL

logger = logging.getLogger("convene.web")

FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]


def form_token(slug: str) -> str:
    """The registration form's CSRF token for one event (a template global can call it)."""
    return form_tokens.issue(f"register:{slug}")


def _require_form_token(purpose: str, data: dict[str, Any]) -> None:
    if not form_tokens.is_valid(purpose, _text(data.get("csrf_token"))):
        raise Forbidden(
            "This form has expired or did not come from this site. "
            "Go back, reload the page and try again."
        )


def _text(value: Any) -> str:
    """A form field as text: the last value of a repeated field."""
    if isinstance(value, list):
        value = value[-1] if value else ""
    return "" if value is None else str(value)


def _form_values(data: dict[str, Any]) -> dict[str, str]:
    return {key: _text(value) for key, value in data.items() if key != "csrf_token"}


def _form_input(values: dict[str, str]) -> schemas.EmailRegistrationCreate:
    return schemas.EmailRegistrationCreate(
        name=values.get("name", ""),
        email=values.get("email", ""),
        answers={
            key.removeprefix("answer."): value
            for key, value in values.items()
            if key.startswith("answer.")
        },
    )


def _form_context(
    event: schemas.Event,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    notice: str | None = None,
) -> dict[str, Any]:
    form = {
        "typed": values or {},  # not "values": Jinja would find dict.values first
        "errors": errors or {},
        "notice": notice,
        "csrf_token": form_token(event.slug),
    }
    return {"e": event, "form": form, "nav": "events"}


async def _public_event(slug: str) -> schemas.Event:
    event = await catalog.public_event(slug)
    if event is None:
        raise NotFound(f"No event '{slug}'.")
    return event


def problem_page(request: Request, exc: Exception) -> Response:
    exc = database_outage(exc) or exc
    headers: dict[str, str] = {}
    if isinstance(exc, DomainError):
        headers = dict(exc.headers)
        status, title, detail = exc.status, exc.title, exc.detail
    elif isinstance(exc, HTTPException):
        status, title, detail = exc.status_code, "Something is wrong with this request", exc.detail
    else:
        logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        status, title = HTTP_500_INTERNAL_SERVER_ERROR, "Something went wrong"
        detail = "Something went wrong on our side. Please try again in a moment."
    return Template(
        "registration/problem.html",
        context={"title": title, "detail": detail, "nav": "events"},
        status_code=status,
        headers=headers,
    )


class EmailRegistrationController(Controller):
    """People not on Slack register with an email address, confirm by a link, and manage
    the registration through a second link. The links are capabilities: never cached,
    never indexed, never sent on as a Referer."""

    include_in_schema = False
    cache_control = CacheControlHeader(no_store=True)
    response_headers = [ResponseHeader(name="X-Robots-Tag", value="noindex")]
    # Every type the app maps to problem+json, named again: the most specific type wins
    # across layers, so Exception alone would lose to the app's DomainError handler.
    exception_handlers = {
        DomainError: problem_page,
        ValidationException: problem_page,
        HTTPException: problem_page,
        Exception: problem_page,
    }

    @get("/events/{slug:str}/register")
    async def form(self, request: Request, slug: FromPath[str]) -> Template:
        """The form on its own page (the event page shows the same form inline); to htmx,
        the form alone."""
        template = "registration/_form.html" if "hx-request" in request.headers else None
        return Template(
            template or "registration/form.html",
            context=_form_context(await _public_event(slug)),
        )

    @post("/events/{slug:str}/register", status_code=200)
    async def register(self, request: Request, slug: FromPath[str], data: FormData) -> Template:
        _require_form_token(f"register:{slug}", data)
        values = _form_values(data)
        try:
            requested = await email_registrations.request(
                slug, _form_input(values), client_of(request)
            )
        except (InvalidInput, RegistrationRefused) as exc:
            # The form again, as typed, with the problems next to their fields.
            errors = {e["field"]: e["message"] for e in exc.extra.get("errors", [])}
            return Template(
                "registration/form.html",
                context=_form_context(
                    await _public_event(slug),
                    values,
                    errors,
                    notice=None if errors else exc.detail,
                ),
                status_code=exc.status,
            )
        return Template(
            "registration/requested.html", context={"requested": requested, "nav": "events"}
        )

    @get("/registrations/confirm/{token:str}", opt=SECRET_URL)
    async def confirm_page(self, token: FromPath[str]) -> Template:
        pending = await email_registrations.pending(token)
        return Template(
            "registration/confirm.html",
            context={
                "pending": pending,
                "token": token,
                "csrf_token": form_tokens.issue(f"confirm:{token}"),
                "nav": "events",
            },
        )

    @post("/registrations/confirm/{token:str}", status_code=200, opt=SECRET_URL)
    async def confirm(self, token: FromPath[str], data: FormData) -> Template:
        _require_form_token(f"confirm:{token}", data)
        managed = await email_registrations.confirm(token)
        return Template(
            "registration/confirmed.html", context={"managed": managed, "nav": "events"}
        )

    @get("/registrations/manage/{token:str}", opt=SECRET_URL)
    async def manage(self, token: FromPath[str]) -> Template:
        return self._manage_page(token, await email_registrations.managed(token))

    @post("/registrations/manage/{token:str}/cancel", status_code=200, opt=SECRET_URL)
    async def cancel(self, token: FromPath[str], data: FormData) -> Template:
        _require_form_token(f"cancel:{token}", data)
        managed = await email_registrations.cancel(token)
        return self._manage_page(token, managed, cancelled_now=True)

    @staticmethod
    def _manage_page(
        token: str, managed: schemas.ManagedRegistration, cancelled_now: bool = False
    ) -> Template:
        return Template(
            "registration/manage.html",
            context={
                "managed": managed,
                "token": token,
                "csrf_token": form_tokens.issue(f"cancel:{token}"),
                "cancelled_now": cancelled_now,
                "nav": "events",
            },
        )
