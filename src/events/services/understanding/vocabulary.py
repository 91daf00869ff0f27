"""The names the linker knows: regions (their names, slugs and the aliases admins keep in
``region_alias``), topics (names, slugs and the synonyms below), kinds of event and time
zones. Regions and topics come from the database, so a new one is understood at once."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import StrEnum

from events.config import get_settings
from events.db import fetch
from events.services.understanding.text import normalize


class Kind(StrEnum):
    region = "region"
    topic = "topic"
    kind = "kind"
    zone = "zone"


@dataclass(frozen=True, slots=True)
class Entity:
    kind: Kind
    values: frozenset[str]  # region slugs (an alias may name several), a topic slug...

    @property
    def value(self) -> str:
        return min(self.values)


# Words members use for a topic, by the topic's slug. Used only for topics the database
# has; a topic's own name and slug are always understood.
TOPIC_SYNONYMS: dict[str, tuple[str, ...]] = {
    "cybersecurity": (
        "cyber", "cyber security", "cybersec", "infosec", "information security", "security",
        "ransomware", "zero trust", "scada", "ot security", "cyber hygiene",
    ),
    "transportation": (
        "transport", "mobility", "transit", "traffic", "ev", "evs", "electric vehicle",
        "electric vehicles", "ev charging", "curb", "curbs", "autonomous", "av", "avs",
        "shuttles", "transportation and mobility", "micromobility",
    ),
    "connectivity": (
        "broadband", "internet", "wifi", "wi fi", "fiber", "fibre", "digital equity",
        "digital divide", "digital inclusion", "5g", "iot", "internet of things",
    ),
    "environment": (
        "environmental", "climate", "sustainability", "sustainable", "air quality", "water",
        "emissions", "green",
    ),
    "resilience": (
        "resilient", "resiliency", "emergency", "emergency management", "disaster",
        "disasters", "hurricane", "hurricanes", "flood", "flooding", "heat", "preparedness",
    ),
}  # fmt: skip

KIND_WORDS: dict[str, str] = {
    **dict.fromkeys(("workshop", "workshops", "hands on", "tabletop", "tabletops"), "workshop"),
    **dict.fromkeys(
        ("conference", "conferences", "summit", "summits", "forum", "forums", "convening"),
        "conference",
    ),
    **dict.fromkeys(("webinar", "webinars", "web seminar", "online seminar"), "webinar"),
    # "Trainings" and "classes" are what members call any event that teaches: only a
    # "track" is the multi-session kind.
    **dict.fromkeys(
        ("training track", "training tracks", "track", "tracks", "training_track"),
        "training_track",
    ),
}  # fmt: skip

MEMBER_ZONE = "member"  # "my time": the zone in the member's Slack profile
ZONE_WORDS: dict[str, str] = {
    **dict.fromkeys(("pacific", "pt", "pst", "pdt", "west coast"), "America/Los_Angeles"),
    **dict.fromkeys(("mountain", "mt", "mst", "mdt"), "America/Denver"),
    **dict.fromkeys(("arizona time", "az time", "phoenix time"), "America/Phoenix"),
    **dict.fromkeys(("central", "ct", "cst", "cdt"), "America/Chicago"),
    **dict.fromkeys(("eastern", "et", "est", "edt", "east coast"), "America/New_York"),
    **dict.fromkeys(("utc", "gmt", "zulu"), "UTC"),
    **dict.fromkeys(
        ("my time", "my timezone", "my time zone", "my tz", "local time", "my local time"),
        MEMBER_ZONE,
    ),
}

# Words of a region's name too common to name it on their own ("north", "smart").
GENERIC_NAME_WORDS = frozenset(
    [
        "the",
        "of",
        "and",
        "a",
        "an",
        "smart",
        "city",
        "cities",
        "region",
        "regions",
        "regional",
        "network",
        "networks",
        "alliance",
        "association",
        "coalition",
        "coalitions",
        "partnership",
        "innovation",
        "north",
        "south",
        "southern",
        "northern",
        "east",
        "west",
        "digital",
        "drive",
        "county",
        "counties",
        "state",
    ]
)
# Two-letter aliases ("CO", "IL", "MO") are also everyday words or parts of them
# ("co-host", "mo"): in a sentence they count only when typed in capitals.
SHORT_ALIAS = 2


@dataclass(frozen=True, slots=True)
class Region:
    slug: str
    name: str
    timezone: str


@dataclass(frozen=True, slots=True)
class Vocabulary:
    regions: dict[str, Region]
    topic_names: dict[str, str]  # slug -> name
    phrases: dict[tuple[str, ...], list[Entity]] = field(default_factory=dict)
    longest: int = 1
    single_words: dict[str, Entity] = field(default_factory=dict)  # for slips: "tuscon"

    def region_name(self, slug: str) -> str:
        region = self.regions.get(slug)
        return region.name if region else slug

    def topic_name(self, slug: str) -> str:
        return self.topic_names.get(slug, slug)


def build(regions: list[dict], aliases: list[dict], topics: list[dict]) -> Vocabulary:
    """From rows: regions (slug, name, timezone), aliases (slug, alias), topics (slug, name)."""
    by_phrase: dict[tuple[str, ...], dict[Kind, set[str]]] = {}

    def add(phrase: str, kind: Kind, value: str) -> None:
        key = tuple(normalize(phrase).split())
        if key:
            by_phrase.setdefault(key, {}).setdefault(kind, set()).add(value)

    name_words: dict[str, set[str]] = {}
    for row in regions:
        add(row["name"], Kind.region, row["slug"])
        add(row["slug"].replace("-", " "), Kind.region, row["slug"])
        for word in normalize(row["name"]).split():
            name_words.setdefault(word, set()).add(row["slug"])
    for word, slugs in name_words.items():  # "connective", "colorado": one region's word
        if len(slugs) == 1 and word not in GENERIC_NAME_WORDS and len(word) > 3:
            add(word, Kind.region, next(iter(slugs)))
    for row in aliases:
        add(row["alias"], Kind.region, row["slug"])
        if row["alias"].startswith("the "):  # "the Valley", "Valley"
            add(row["alias"][4:], Kind.region, row["slug"])
    for row in topics:
        add(row["name"], Kind.topic, row["slug"])
        add(row["slug"].replace("-", " "), Kind.topic, row["slug"])
        for synonym in TOPIC_SYNONYMS.get(row["slug"], ()):
            add(synonym, Kind.topic, row["slug"])
    for word, kind in KIND_WORDS.items():
        add(word.replace("_", " "), Kind.kind, kind)
    for word, zone in ZONE_WORDS.items():
        add(word, Kind.zone, zone)
    phrases = {
        key: [Entity(kind, frozenset(values)) for kind, values in kinds.items()]
        for key, kinds in by_phrase.items()
    }
    return Vocabulary(
        regions={r["slug"]: Region(r["slug"], r["name"], r["timezone"]) for r in regions},
        topic_names={t["slug"]: t["name"] for t in topics},
        phrases=phrases,
        longest=max((len(key) for key in phrases), default=1),
        single_words={
            key[0]: entities[0]
            for key, entities in phrases.items()
            if len(key) == 1 and len(entities) == 1
        },
    )


_cached: tuple[float, Vocabulary] | None = None


async def load() -> Vocabulary:
    """The vocabulary as of at most CALENDAR_STATE_TTL seconds ago (0 in the tests): an
    admin's new alias is understood within a second, and a burst of questions reads the
    three small tables once."""
    global _cached
    now = time.monotonic()
    if _cached is None or now - _cached[0] >= get_settings().calendar_state_ttl:
        regions = await fetch("SELECT slug, name, timezone FROM region ORDER BY id")
        aliases = await fetch(
            "SELECT r.slug, a.alias FROM region_alias a JOIN region r ON r.id = a.region"
        )
        topics = await fetch("SELECT slug, name FROM topic ORDER BY id")
        _cached = (now, build(regions, aliases, topics))
    return _cached[1]
