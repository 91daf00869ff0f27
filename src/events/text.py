"""What text may hold when it enters Convene: one policy for every entry point.

The API's JSON bodies and every HTML form (``events.bodies``), Piccolo Admin's edits
(``events.admin.entry``) and registration answers from any channel pass their text here,
keys of free-form objects included:

- NUL is refused (422 ``invalid_value``): PostgreSQL's text and jsonb cannot store it, and
  no person types one, so it is a broken or hostile client;
- lone surrogates are refused for the same reason (they cannot be encoded as UTF-8);
- other control characters (C0 but tab, line feed and carriage return; DEL; C1), which
  text pasted from Word carries (U+000B line breaks, U+0007 cell marks, U+000C page
  breaks), become a space: they are invisible, and strict iCalendar parsers reject a whole
  feed over one of them. Tab and line breaks stay; single-line fields fold them on output.
"""

from __future__ import annotations

import re

from events.errors import InvalidValue, MalformedBody

# The one definition of a control character, shared with what leaves Convene (feeds, mail
# headers): C0 but tab, line feed and carriage return; DEL; C1.
CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Every control, tab and line breaks included: what a one-line value (a header, a URI) drops.
ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# Convene's own documents nest five levels at most; anything deeper is not a request.
MAX_DEPTH = 32


def clean_text(value: str, field: str | None = None) -> str:
    """``value`` with stray control characters replaced by spaces; InvalidValue for NUL."""
    if UNSTORABLE.search(value):
        where = f" in '{field}'" if field else ""
        raise InvalidValue(
            f"Text{where} holds a character that cannot be stored (NUL or a lone surrogate).",
            reason="unstorable_character",
            **({"field": field} if field else {}),
        )
    return CONTROLS.sub(" ", value)  # NUL was refused above


def clean_tree(value: object, field: str | None = None, depth: int = 0) -> object:
    """Every string in a decoded JSON or form value cleaned, dict keys included."""
    if depth > MAX_DEPTH:
        raise MalformedBody(f"The body nests deeper than {MAX_DEPTH} levels.")
    if isinstance(value, str):
        return clean_text(value, field)
    if isinstance(value, dict):
        return {
            clean_text(str(key), field): clean_tree(item, _path(field, key), depth + 1)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [clean_tree(item, field, depth + 1) for item in value]
    return value


def _path(field: str | None, key: object) -> str:
    return f"{field}.{key}" if field else str(key)
