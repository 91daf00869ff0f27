"""Domain errors, raised by services and turned into RFC 9457 problem+json in one place.

A 404 is the exception: a browser asking for a page outside the API gets the public pages'
"Page not found" instead (``_not_found``), so a mistyped address is not a JSON dump."""

from __future__ import annotations

import logging
import sqlite3
import traceback
from collections.abc import Iterator
from typing import Any, ClassVar

from asyncpg.exceptions import (
    AdminShutdownError,
    CannotConnectNowError,
    CrashShutdownError,
    DataError,
    InterfaceError,
    PostgresConnectionError,
    TooManyConnectionsError,
)
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_404_NOT_FOUND

from events.observability.requests import request_id_of
from events.web import not_found

PROBLEM_JSON = "application/problem+json"

logger = logging.getLogger("convene.errors")


class DomainError(Exception):
    """A refusal with a stable machine-readable reason (``code``) and an HTTP status."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    title: ClassVar[str] = "Bad request"
    headers: ClassVar[dict[str, str]] = {}  # sent with the answer (Retry-After)

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(DomainError):
    status, code, title = 404, "not_found", "Not found"


class NotAuthenticated(DomainError):
    status, code, title = 401, "not_authenticated", "Not authenticated"


class Forbidden(DomainError):
    status, code, title = 403, "forbidden", "Forbidden"


class InvalidInput(DomainError):
    status, code, title = 422, "invalid_input", "Invalid input"


class InvalidValue(DomainError):
    """Text that cannot be stored (a NUL character), whatever the field: see events.text."""

    status, code, title = 422, "invalid_value", "Invalid value"


class MalformedBody(DomainError):
    """A request body that is not what its Content-Type says, or nests absurdly deep."""

    status, code, title = 400, "malformed_body", "Malformed body"


class Conflict(DomainError):
    status, code, title = 409, "conflict", "Conflict"


class Gone(DomainError):
    """A link that worked once: expired or already used (``reason`` says which)."""

    status, code, title = 410, "gone", "No longer valid"


class RegistrationRefused(DomainError):
    """Registration is not possible; ``reason`` says why (see RefusalReason in the docs)."""

    status, code, title = 409, "registration_refused", "Registration refused"

    def __init__(self, reason: str, detail: str, **extra: Any) -> None:
        super().__init__(detail, reason=reason, **extra)
        self.reason = reason


DATABASE_RETRY_AFTER_SECONDS = 5


class DatabaseUnavailable(DomainError):
    """The database is down, restarting or out of connections: nothing was wrong with the
    request, and the same request will work once it is back (the pool reconnects)."""

    status, code, title = 503, "database_unavailable", "Database unavailable"
    headers = {"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)}


# Raised by asyncpg when the server is gone, refuses connections, is shutting down or
# starting up, or has no connection left.
_SERVER_GONE = (
    PostgresConnectionError,  # ConnectionDoesNotExistError: closed in mid-query, among others
    CannotConnectNowError,  # starting up or shutting down
    AdminShutdownError,
    CrashShutdownError,
    TooManyConnectionsError,
)
_DRIVERS = ("asyncpg", "piccolo.engine", "aiosqlite")


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]


def _raised_by_driver(exc: BaseException) -> bool:
    """An OSError is an outage only when the database driver met it (not SMTP, not a disk)."""
    return any(
        frame.f_globals.get("__name__", "").startswith(_DRIVERS)
        for frame, _ in traceback.walk_tb(exc.__traceback__)
    )


def _is_outage(exc: BaseException) -> bool:
    if isinstance(exc, _SERVER_GONE):
        return True
    if isinstance(exc, InterfaceError):  # "connection is closed", "pool is closing"
        return "clos" in str(exc)
    if isinstance(exc, sqlite3.OperationalError):  # busy past the engine's 30 s timeout
        return "database is locked" in str(exc)
    # ConnectionRefusedError, a reset, a connect timeout (TimeoutError is an OSError)
    return isinstance(exc, OSError) and _raised_by_driver(exc)


def database_outage(exc: BaseException) -> DatabaseUnavailable | None:
    """The answer to give when ``exc`` means the database is unavailable; None otherwise.
    Every catch-all handler (this module's and the HTML pages') asks here first."""
    for cause in _causes(exc):
        if _is_outage(cause):
            logger.warning("database unavailable: %s: %s", type(cause).__name__, cause)
            return DatabaseUnavailable(
                "The database is unavailable for a moment. Please try again in a few seconds."
            )
    return None


def problem(
    request: Request, status: int, code: str, title: str, detail: str, **extra: Any
) -> Response:
    body = {
        "type": f"urn:convene:problem:{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        "instance": request.url.path,
        **extra,
    }
    return Response(body, status_code=status, media_type=PROBLEM_JSON)


def _not_found(request: Request, answer: Response) -> Response:
    """The one place a 404 picks its form: problem+json for programs (and on the API, Slack,
    calendar and schema paths whatever they accept), the HTML page when text/html outranks
    JSON in Accept. Outside those paths the answer depends on Accept, so caches must vary."""
    if not_found.for_programs(request.url.path):
        return answer
    if not_found.prefers_html(request):
        return not_found.page()
    answer.headers["Vary"] = "Accept"
    return answer


def domain_error_handler(request: Request, exc: DomainError) -> Response:
    answer = problem(request, exc.status, exc.code, exc.title, exc.detail, **exc.extra)
    answer.headers.update(exc.headers)
    return _not_found(request, answer) if exc.status == HTTP_404_NOT_FOUND else answer


def validation_error_handler(request: Request, exc: ValidationException) -> Response:
    return problem(
        request,
        400,
        "validation_failed",
        "Validation failed",
        exc.detail,
        errors=exc.extra if isinstance(exc.extra, list) else [],
    )


def http_error_handler(request: Request, exc: HTTPException) -> Response:
    code = {
        401: "not_authenticated",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        413: "payload_too_large",
        429: "rate_limited",
        503: "unavailable",
    }.get(exc.status_code, "http_error")
    response = problem(
        request, exc.status_code, code, code.replace("_", " ").capitalize(), exc.detail
    )
    for name, value in (exc.headers or {}).items():  # Allow, WWW-Authenticate, RateLimit-*
        response.headers[name] = value
    if exc.status_code == HTTP_404_NOT_FOUND:  # no route matches, among others
        return _not_found(request, response)
    return response


def internal_error_handler(request: Request, exc: Exception) -> Response:
    outage = database_outage(exc)
    if outage is not None:  # 503 and Retry-After: clients know to try again
        return domain_error_handler(request, outage)
    # The only place unexpected failures are logged: expected refusals above stay quiet.
    # The route's template, not the path: paths carry tokens. The line carries the request id.
    route = request.scope.get("path_template") or "<unmatched>"
    logger.exception("unhandled error on %s %s", request.method, route, exc_info=exc)
    return problem(
        request,
        500,
        "internal_error",
        "Internal error",
        "Something went wrong on our side.",
        request_id=request_id_of(request.scope),  # what to quote when reporting it
    )


def unstorable_value_handler(request: Request, exc: DataError) -> Response:
    """PostgreSQL refused a value the schemas let through (a NUL character, a number out of
    range): the transaction is rolled back, and it is the request's fault, not ours."""
    return problem(
        request,
        422,
        "invalid_value",
        "Invalid value",
        "A value is too long, out of range or holds characters that cannot be stored.",
    )


EXCEPTION_HANDLERS = {
    Exception: internal_error_handler,
    DataError: unstorable_value_handler,
    DomainError: domain_error_handler,
    ValidationException: validation_error_handler,
    HTTPException: http_error_handler,
}
