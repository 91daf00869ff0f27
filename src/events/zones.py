"""Time zone names: only the IANA zones this system knows are accepted anywhere.

``ZoneInfo()`` is not a validator: it opens tzdata's folders ("America", "US") and fails
with IsADirectoryError, and very long names with OSError. Checking membership of
``available_timezones()`` (read once: it walks the tzdata tree) refuses them all the same way.
"""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from events.errors import InvalidInput


@lru_cache(maxsize=1)
def known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def is_known_zone(name: object) -> bool:
    return isinstance(name, str) and name in known_zones()


def require_zone(name: str) -> ZoneInfo:
    """The zone, or InvalidInput (422, reason ``invalid_timezone``)."""
    if not is_known_zone(name):
        shown = name if len(name) <= 80 else name[:80] + "…"
        raise InvalidInput(f"'{shown}' is not an IANA time zone.", reason="invalid_timezone")
    return ZoneInfo(name)
