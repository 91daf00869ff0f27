"""The OpenAPI document: bearer token schemes, and each operation's problem answers.

Litestar documents a handler's success answer and a generic 400. The refusals Convene
really gives (401/403/404/409/422/429, all RFC 9457 problem+json from ``events.errors``)
and who may call an operation follow from the handler's shape, so they are derived here
once for every operation instead of being written on each route:

- a ``member`` or ``organizer`` dependency (``events.auth``): that token scheme, and 401;
  organizers also 403 (role and region checks);
- a path parameter: 404; a body or any parameter: 400 (``malformed_body``,
  ``validation_failed``); a body: 422 (``invalid_input``, ``invalid_value``);
- an authenticated write (POST, PUT, PATCH, DELETE): 409 (state conflicts, refusals);
- a rate limit middleware on the route: 429.

``operation_id_creator`` is the per-operation hook OpenAPIConfig offers; it runs as the
document is built, before the operation reads the handler's ``responses`` and security.
"""

from __future__ import annotations

from typing import Any

from litestar._openapi.utils import default_operation_id_creator
from litestar.handlers import HTTPRouteHandler
from litestar.middleware.rate_limit import RateLimitMiddleware
from litestar.openapi import OpenAPIConfig, ResponseSpec
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.types import Empty
from msgspec import Struct

from events.auth import (
    MEMBER_TOKEN_PREFIX,
    ORGANIZER_TOKEN_PREFIX,
    provide_member,
    provide_organizer,
)
from events.errors import PROBLEM_JSON

MEMBER_SCHEME = "memberToken"
ORGANIZER_SCHEME = "organizerToken"
SECURITY_SCHEMES = {
    MEMBER_SCHEME: SecurityScheme(
        type="http",
        scheme="bearer",
        bearer_format=f"{MEMBER_TOKEN_PREFIX}…",
        description=f"A member's personal API token ({MEMBER_TOKEN_PREFIX}…).",
    ),
    ORGANIZER_SCHEME: SecurityScheme(
        type="http",
        scheme="bearer",
        bearer_format=f"{ORGANIZER_TOKEN_PREFIX}…",
        description=f"An organizer's API token ({ORGANIZER_TOKEN_PREFIX}…).",
    ),
}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


class Problem(Struct, omit_defaults=True):
    """RFC 9457 problem details, as ``events.errors.problem`` writes them."""

    type: str  # urn:convene:problem:<code>
    title: str
    status: int
    detail: str
    code: str  # machine-readable: not_found, validation_failed, registration_refused, ...
    instance: str
    reason: str | None = None  # the refusal's finer reason, e.g. not_pending, invalid_timezone
    errors: list[dict[str, Any]] | None = None  # validation_failed: one entry per field


ANSWERS = {
    400: "The body cannot be read, or a value does not match the schema "
    "(`malformed_body`, `validation_failed` with `errors`).",
    401: "No token, or an unknown or revoked one (`not_authenticated`).",
    403: "The token's role or regions do not allow this (`forbidden`).",
    404: "No such resource, or not visible to this caller (`not_found`).",
    409: "The resource's state refuses the change (`conflict`, `registration_refused`; "
    "`reason` says why, e.g. `not_pending`).",
    422: "A value is well-formed but refused (`invalid_input` with `reason`, "
    "`invalid_value` for text that cannot be stored).",
    429: "Too many requests from this client (`rate_limited`); see Retry-After.",
}


def _scheme(handler: HTTPRouteHandler) -> str | None:
    providers = {provide.dependency for provide in handler.resolve_dependencies().values()}
    if provide_organizer in providers:
        return ORGANIZER_SCHEME
    if provide_member in providers:
        return MEMBER_SCHEME
    return None


def _rate_limited(handler: HTTPRouteHandler) -> bool:
    return any(
        getattr(middleware, "middleware", None) is RateLimitMiddleware
        for middleware in handler.resolve_middleware()
    )


def problem_statuses(handler: HTTPRouteHandler) -> list[int]:
    """The refusals an operation can answer with, from its handler's shape."""
    parameters = handler.parsed_fn_signature.parameters
    has_body = "data" in parameters
    has_path_parameter = any(
        "{" in path
        for layer in handler.ownership_layers
        for path in getattr(layer, "paths", None) or [getattr(layer, "path", "")]
    )
    scheme = _scheme(handler)
    statuses = set()
    if has_body or len(parameters) > (1 if scheme else 0):
        statuses.add(400)
    if scheme:
        statuses.add(401)
    if scheme == ORGANIZER_SCHEME:
        statuses.add(403)
    if has_path_parameter:
        statuses.add(404)
    if scheme and handler.http_methods & WRITES:
        statuses.add(409)
    if has_body:
        statuses.add(422)
    if _rate_limited(handler):
        statuses.add(429)
    return sorted(statuses)


def document(handler: HTTPRouteHandler) -> None:
    """Give the handler its problem answers and its token scheme (once)."""
    if any(spec.data_container is Problem for spec in (handler.responses or {}).values()):
        return
    derived = {
        status: ResponseSpec(
            data_container=Problem,
            description=ANSWERS[status],
            media_type=PROBLEM_JSON,
            generate_examples=False,
        )
        for status in problem_statuses(handler)
    }
    handler.responses = {**derived, **(handler.responses or {})}
    scheme = _scheme(handler)
    if scheme and not handler.security:
        handler.security = [{scheme: []}]
        handler._resolved_security = Empty  # resolved again with it


def _name_and_document(handler: HTTPRouteHandler, http_method: str, parts: list) -> str:
    document(handler)
    return default_operation_id_creator(handler, http_method, parts)


def config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Convene",
        version="0.1.0",
        description="Events, registrations and attendance for the NSCP coalition. "
        "Refusals are RFC 9457 problem+json with a machine-readable `code` (and `reason`).",
        path="/schema",
        render_plugins=[SwaggerRenderPlugin()],
        components=Components(security_schemes=SECURITY_SCHEMES),  # type: ignore[arg-type]
        operation_id_creator=_name_and_document,
    )
