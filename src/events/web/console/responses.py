"""How console pages answer: templates with the session's CSRF token, and domain errors
as HTML pages (the API's problem+json is for programs, not for people)."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Redirect, Template

from events.auth import OrganizerPrincipal
from events.errors import DomainError, NotAuthenticated, database_outage
from events.web.console.session import csrf_token

logger = logging.getLogger("convene.console")

LOGIN_PATH = "/console/login"


def is_htmx(request: Request) -> bool:
    headers = request.headers
    return "hx-request" in headers and "hx-history-restore-request" not in headers


def page(
    request: Request,
    template: str,
    organizer: OrganizerPrincipal | None = None,
    *,
    status_code: int = 200,
    **context: Any,
) -> Template:
    return Template(
        template,
        context={"csrf": csrf_token(request), "me": organizer, **context},
        status_code=status_code,
        headers={"Cache-Control": "no-store", "Vary": "HX-Request"},
    )


def _error_page(
    request: Request, status: int, title: str, detail: str, headers: dict[str, str] | None = None
) -> Response:
    answer = page(request, "console/error.html", status_code=status, title=title, detail=detail)
    answer.headers.update(headers or {})
    return answer


def not_authenticated(request: Request, _: NotAuthenticated) -> Response:
    if is_htmx(request):  # htmx would swap a login page into a table row: reload instead
        return Response(b"", status_code=401, headers={"HX-Redirect": LOGIN_PATH})
    return Redirect(LOGIN_PATH, status_code=303)  # type: ignore[return-value]


def domain_error(request: Request, exc: DomainError) -> Response:
    return _error_page(request, exc.status, exc.title, exc.detail, exc.headers)


def invalid_request(request: Request, exc: ValidationException) -> Response:
    return _error_page(request, 400, "Invalid request", "Some of the fields could not be read.")


def http_error(request: Request, exc: HTTPException) -> Response:
    return _error_page(request, exc.status_code, "Error", exc.detail)


def server_error(request: Request, exc: Exception) -> Response:
    outage = database_outage(exc)
    if outage is not None:
        return domain_error(request, outage)
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _error_page(request, 500, "Something went wrong", "Please try again in a moment.")


EXCEPTION_HANDLERS = {
    NotAuthenticated: not_authenticated,
    DomainError: domain_error,
    ValidationException: invalid_request,
    HTTPException: http_error,
    Exception: server_error,
}
