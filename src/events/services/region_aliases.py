"""Region aliases: the other names members give a region ("Phoenix", "the Valley", "DFW").
Admins keep them in /admin (Coalition → Region alias); the bot, the web filters and the
API's ``q=`` read them through events.services.understanding."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from events.db import fetch, fetch_one
from events.errors import InvalidInput
from events.services.understanding.text import normalize

MAX_ALIAS = 80


def normalized_alias(alias: object) -> str:
    """How aliases are stored and compared: "The Valley!" is "the valley"."""
    text = normalize(str(alias or ""))
    if not text:
        raise InvalidInput("An alias needs a letter or a digit.", reason="invalid_alias")
    if len(text) > MAX_ALIAS:
        raise InvalidInput(f"An alias has at most {MAX_ALIAS} characters.", reason="invalid_alias")
    return text


async def add_missing(aliases: Mapping[str, Sequence[str]]) -> int:
    """Add each region's aliases that are not there yet (regions by slug; unknown slugs
    are skipped). Returns how many were added; a second run adds none."""
    added = 0
    for slug, names in aliases.items():
        region = await fetch_one("SELECT id FROM region WHERE slug = {}", slug)
        if region is None:
            continue
        for name in names:
            row = await fetch_one(
                "INSERT INTO region_alias (region, alias) VALUES ({}, {}) "
                "ON CONFLICT (alias, region) DO NOTHING RETURNING id",
                region["id"],
                normalized_alias(name),
            )
            added += row is not None
    return added


async def aliases_of(slug: str) -> list[str]:
    rows = await fetch(
        "SELECT a.alias FROM region_alias a JOIN region r ON r.id = a.region "
        "WHERE r.slug = {} ORDER BY a.alias",
        slug,
    )
    return [row["alias"] for row in rows]
