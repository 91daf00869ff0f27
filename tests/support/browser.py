"""Helpers for the browser tests: Debian's Chromium driven by Playwright, screenshots into
the artifacts folder, axe-core audits, and logging in to the organizer console.

Chromium comes from the distribution (``apt-get install chromium``: the Makefile's
system-packages target), never from ``playwright install``: browser downloads are not
possible here. Its absence fails the browser tests; nothing is skipped.
"""

from __future__ import annotations

import os
from pathlib import Path

from events.services.organizers import set_password
from tests.support import axe

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CONVENE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests run as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
PASSWORD = "correct horse battery staple"


def artifacts_dir() -> Path:
    """``$CONVENE_TEST_ARTIFACTS`` or ``<repo>/var/test-artifacts`` (ignored by git)."""
    return Path(os.environ.get("CONVENE_TEST_ARTIFACTS") or ROOT / "var" / "test-artifacts")


def screenshots_dir() -> Path:
    return artifacts_dir() / "screenshots"


def missing_chromium_message() -> str:
    return (
        f"Chromium is not installed at {CHROMIUM}: the browser tests drive Debian's "
        "Chromium package. Install it with `make system-packages` (as root: apt-get install "
        "-y chromium) or point CONVENE_CHROMIUM at a Chromium binary. Playwright's own "
        "browser download (`playwright install`) is not used."
    )


async def screenshot(page, name: str) -> Path:
    """A full-page PNG of what the page shows now, as <artifacts>/screenshots/<name>.png."""
    path = screenshots_dir() / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(path), full_page=True)
    return path


CSP_LISTENER = """document.addEventListener("securitypolicyviolation", (e) =>
    window.__convene_csp(e.violatedDirective, e.blockedURI, e.documentURI, e.sourceFile));"""


def _tolerated(directive: str, blocked: str, source: str) -> bool:
    """Piccolo Admin's bundle (core-js) probes ``new Function("return this")`` inside a
    try/catch and falls back to ``window``: refusing it changes nothing, so the admin keeps
    eval refused and this one report is not a failure."""
    return directive.startswith("script-src") and blocked == "eval" and "/admin/assets/" in source


async def watch_csp(context) -> list[str]:
    """Every Content-Security-Policy violation on the context's pages, as it happens: the
    page's own ``securitypolicyviolation`` events and Chromium's console reports of
    refused resources (which also catch what happens before any listener runs)."""
    violations: list[str] = []

    def report(directive: str, blocked: str, document: str, source: str) -> None:
        if not _tolerated(directive, blocked, source):
            violations.append(f"{directive} refused {blocked or 'inline'} on {document} ({source})")

    await context.expose_function("__convene_csp", report)
    await context.add_init_script(CSP_LISTENER)

    def on_console(message) -> None:
        if "Content Security Policy" in message.text and "evaluate a string" not in message.text:
            violations.append(f"console: {message.text}")

    context.on("console", on_console)
    return violations


async def assert_accessible(page, label: str, script: Path) -> None:
    """No axe-core violation of serious or critical impact on the page as it is now."""
    violations = await axe.audit(page, script)
    assert not violations, (
        f"axe-core found serious/critical accessibility violations on {label} "
        f"({page.url}):\n{axe.describe(violations)}"
    )


async def log_in(page, email: str, password: str = PASSWORD) -> None:
    """Set the organizer's console password (in-process: the DB is shared) and log in."""
    await set_password(email, password)
    await page.goto("/console/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url("**/console")
