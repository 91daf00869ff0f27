from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support import icaljs


@pytest.fixture(scope="session")
def parse_ics() -> Callable[[str | bytes], dict]:
    """ical.js (installed once into .cache/node) reading a calendar: text in, dict out."""
    return icaljs.install().parse
