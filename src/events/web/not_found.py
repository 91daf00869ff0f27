"""The "Page not found" page, and who gets it: people browsing, not programs.

errors.py asks here about every 404 that reaches the app's handlers (an address no route
matches, for one); the public pages render the same template for their own 404s.
"""

from __future__ import annotations

from litestar import Request
from litestar.response import Template
from litestar.status_codes import HTTP_404_NOT_FOUND

# Addresses for programs (the API, Slack, calendar apps, the OpenAPI schema): always JSON.
MACHINE_PATHS = ("/api", "/slack", "/calendar", "/schema")
HTML = "text/html"
# Offered in this order, so that Accept ranking them equally ("*/*": curl, httpx) gets JSON.
OFFERED = ["application/json", "application/problem+json", HTML]


def for_programs(path: str) -> bool:
    return any(path == prefix or path.startswith(f"{prefix}/") for prefix in MACHINE_PATHS)


def prefers_html(request: Request) -> bool:
    """A browser asking for a page: Accept ranks text/html above JSON."""
    return request.accept.best_match(OFFERED) == HTML


def page(detail: str = "") -> Template:
    return Template(
        "not_found.html",
        context={"detail": detail, "nav": ""},
        status_code=HTTP_404_NOT_FOUND,
        headers={"Vary": "Accept"},
    )
