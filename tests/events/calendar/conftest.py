from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support import icaljs, strict_ical


@pytest.fixture(scope="session")
def parse_ics() -> Callable[[str | bytes], dict]:
    """ical.js (installed once into .cache/node) reading a calendar: text in, dict out.
    The strict `ical` reader must accept it first (no control characters, RFC 5545)."""
    read = icaljs.install().parse

    def parse(text: str | bytes) -> dict:
        strict_ical.parse(text)
        return read(text)

    return parse
