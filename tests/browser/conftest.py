"""Browser tests: Debian's Chromium driven by Playwright (async API, on the suite's session
event loop) against the real server of tests/conftest.py.

- ``browser``: one headless Chromium for the session; a missing /usr/bin/chromium fails
  every browser test with a clear message (never a skip);
- ``page``: a fresh context (own cookies) and page per test, its base URL the server's;
  JavaScript errors and Content-Security-Policy violations on its pages fail the test;
  a failing test leaves a screenshot in <artifacts>/screenshots/failed/;
- ``accessible``: ``await accessible(page, "the events list")`` runs axe-core on the page.
"""

from __future__ import annotations

import contextlib
import re
import shutil
from pathlib import Path

import pytest
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import async_playwright

from tests.support import axe
from tests.support.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    assert_accessible,
    missing_chromium_message,
    screenshots_dir,
    watch_csp,
)

_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed
    return report


@pytest.fixture(scope="session")
def chromium() -> str:
    if not CHROMIUM.exists():
        pytest.fail(missing_chromium_message(), pytrace=False)
    return str(CHROMIUM)


@pytest.fixture(scope="session")
async def browser(chromium: str):
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture(scope="session")
def failed_shots() -> Path:
    """Where a failing test leaves its page; emptied at the start of every run."""
    folder = screenshots_dir() / "failed"
    shutil.rmtree(folder, ignore_errors=True)
    return folder


@pytest.fixture(scope="session")
def axe_script():
    return axe.install()


@pytest.fixture
async def page(request, browser, server: str, failed_shots: Path):
    context = await browser.new_context(
        base_url=server, viewport={"width": 1280, "height": 900}, locale="en-US"
    )
    context.set_default_timeout(10_000)
    csp_violations = await watch_csp(context)
    opened = await context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield opened
        if request.node.stash.get(_FAILED, False):
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
            failed_shots.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(PlaywrightError):  # the test's own failure matters
                await opened.screenshot(path=str(failed_shots / f"{name}.png"), full_page=True)
    finally:
        await context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
    assert not csp_violations, f"Content-Security-Policy violations: {csp_violations}"


@pytest.fixture
def accessible(axe_script):
    async def check(page, label: str) -> None:
        await assert_accessible(page, label, axe_script)

    return check
