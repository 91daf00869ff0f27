"""The demo coalition's vocabulary, built without a database: regions, aliases, topics."""

from __future__ import annotations

from datetime import UTC, datetime

from events.demo import NATIONAL, REGION_ALIASES, REGIONS, TOPICS
from events.services.understanding.vocabulary import Vocabulary, build

# A Thursday in December, 10:00 in Denver: "this week" ends Sunday night, "next month" is
# January of the next year.
NOW = datetime(2026, 12, 3, 17, 0, tzinfo=UTC)


def demo_vocabulary() -> Vocabulary:
    return build(
        [{"slug": s, "name": n, "timezone": tz} for s, n, tz in [*REGIONS, NATIONAL]],
        [{"slug": slug, "alias": a} for slug, names in REGION_ALIASES.items() for a in names],
        [{"slug": s, "name": n} for s, n in TOPICS],
    )
