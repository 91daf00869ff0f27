"""Reading the console's forms: posted fields as text, typed text as values.

Pure: no database, no HTTP. Every field is read as text, so nothing a browser sends fails
before its form can be shown again with each problem next to its field (``FormInvalid``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import msgspec
from msgspec import Struct

from events import schemas
from events.errors import InvalidInput
from events.web import format
from events.zones import is_known_zone

LOCAL_INPUT = "%Y-%m-%dT%H:%M"  # what datetime-local inputs send and show
MAX_SEATS = schemas.MAX_SEATS
S = TypeVar("S", bound=Struct)


class FormInvalid(InvalidInput):
    """Fields that could not be read; ``errors`` maps a field's name to what is wrong."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("Some fields need correcting.", reason="invalid_form")
        self.errors = errors


def posted_values(data: Mapping[str, Any], key: str) -> list[str]:
    value = data.get(key)
    items = value if isinstance(value, list) else [] if value is None else [value]
    # NUL is refused by PostgreSQL's text columns; no form field needs it.
    return [str(item).replace("\x00", "") for item in items]


def posted_text(data: Mapping[str, Any], key: str, *, multiline: bool = False) -> str:
    found = posted_values(data, key)
    typed = found[-1] if found else ""
    return typed.replace("\r\n", "\n").strip() if multiline else " ".join(typed.split())


def posted_ticked(data: Mapping[str, Any], key: str) -> bool:
    return any(value not in ("", "0", "off", "false") for value in posted_values(data, key))


def local_input(moment: datetime | None, timezone: str) -> str:
    return moment.astimezone(format.zone(timezone)).strftime(LOCAL_INPUT) if moment else ""


class FieldReader:
    """Reads typed text into values, collecting one message per field; ``order``: the
    fields in page order, which the list of problems follows."""

    def __init__(self, order: Sequence[str] = ()) -> None:
        self.errors: dict[str, str] = {}
        self.order = {field: n for n, field in enumerate(order)}

    def fail(self, field: str, message: str) -> None:
        self.errors.setdefault(field, message)

    def title(self, field: str, text: str, what: str) -> str:
        if not text:
            self.fail(field, f"Give the {what} a title.")
        elif len(text) > 200:
            self.fail(field, "Keep the title to 200 characters.")
        return text

    def short(self, field: str, text: str, limit: int = 200) -> str | None:
        if len(text) > limit:
            self.fail(field, f"Keep this to {limit} characters.")
        return text or None

    def seats(self, field: str, text: str) -> int | None:
        if not text:
            return None
        try:
            seats = int(text)
        except ValueError:
            seats = 0
        if not 1 <= seats <= MAX_SEATS:
            self.fail(field, f"Enter a whole number from 1 to {MAX_SEATS:,}, or leave it empty.")
            return None
        return seats

    def decimal(self, field: str, text: str, low: float, high: float, message: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and low <= value <= high):
            self.fail(field, message)
            return low
        return value

    def zone(self, text: str) -> ZoneInfo | None:
        if not text:
            self.fail("timezone", "Give the time zone the event happens in, e.g. America/Denver.")
            return None
        if not is_known_zone(text):
            self.fail("timezone", f"“{text}” is not a time zone name we know, e.g. America/Denver.")
            return None
        return ZoneInfo(text)

    def moment(self, field: str, text: str, zone: ZoneInfo | None) -> datetime | None:
        """A local date-time in ``zone`` as an aware datetime."""
        if not text or zone is None:
            return None
        try:
            typed = datetime.fromisoformat(text)
            if typed.tzinfo is not None:
                raise ValueError("an offset")
            local = typed.replace(tzinfo=zone, second=0, microsecond=0)
            # A time the clocks skip (spring forward) comes back different from UTC.
            exists = local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == local.replace(
                tzinfo=None
            )
        except (ValueError, OverflowError):
            self.fail(field, "Enter a date and time, e.g. 2026-03-04 09:00.")
            return None
        if not exists:
            self.fail(field, f"This time does not exist in {zone.key}: the clocks skip it.")
            return None
        return local

    def done(self) -> None:
        if self.errors:
            order = sorted(self.errors, key=lambda field: self.order.get(field, len(self.order)))
            raise FormInvalid({field: self.errors[field] for field in order})


def convert(values: dict[str, Any], kind: type[S]) -> S:
    """The API's own Struct, with its limits checked (a constructor would not check them)."""
    try:
        return msgspec.convert(values, kind)
    except msgspec.ValidationError as exc:
        # "... - at `$.venue.name`" is about the field venue_name.
        found = re.search(r"at `\$\.([\w.]+)`", str(exc))
        field = found[1].replace(".", "_") if found else "form"
        message = str(exc).split(" - ")[0]
        raise FormInvalid({field: f"This value is not accepted: {message}."}) from None
