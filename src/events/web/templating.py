"""The pages' Jinja environment (autoescaped) and the static files under /static."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.datastructures import CacheControlHeader
from litestar.router import Router
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig
from markupsafe import Markup

from events.extensions import ConsoleLink

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"


def _asset_versions() -> dict[str, str]:
    """A content hash per static file: URLs change when the file does, so browsers may
    keep them for a long time."""
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()[:10]
        for path in STATIC.iterdir()
        if path.is_file()
    }


@lru_cache(maxsize=1)
def _versions() -> dict[str, str]:
    return _asset_versions()


def asset_url(name: str) -> str:
    """``/static/<name>?v=<hash of its content>`` (pages and the admin's overrides)."""
    version = _versions().get(name)
    return f"/static/{name}?v={version}" if version else f"/static/{name}"


def environment(
    extra_directories: Sequence[Path] = (), console_links: Sequence[ConsoleLink] = ()
) -> Environment:
    """``extra_directories``: the extensions' templates, searched after the core's;
    ``console_links``: the extensions' links in the console (navigation, event actions)."""
    env = Environment(
        loader=ChoiceLoader(
            [FileSystemLoader(TEMPLATES), *map(FileSystemLoader, extra_directories)]
        ),
        # Everything is escaped except plain-text templates (emails' text parts).
        autoescape=select_autoescape(
            enabled_extensions=("html", "htm", "xml"),
            disabled_extensions=("txt",),
            default_for_string=True,
            default=True,
        ),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates ship with the code
    )

    # A list page is mostly cards, and a card's HTML depends only on the card (a frozen
    # Struct: seats left, dates and all). Remembering it, and joining a list's cards in one
    # call rather than one template call per card, keeps the list page within 0.7 of the
    # JSON list's throughput (docs/benchmarks.md); a changed event is a new key.
    @lru_cache(maxsize=4096)
    def event_card(card: object) -> str:
        return env.get_template("partials/card.html").render(card=card)

    def event_cards(cards: list) -> Markup:
        return Markup("".join([event_card(card) for card in cards]))

    env.globals["asset"] = asset_url
    env.globals["event_cards"] = event_cards
    env.globals["console_nav_links"] = [link for link in console_links if not link.per_event]
    env.globals["console_event_links"] = [link for link in console_links if link.per_event]
    return env


def template_config(
    extra_directories: Sequence[Path] = (), console_links: Sequence[ConsoleLink] = ()
) -> TemplateConfig:
    return TemplateConfig(
        engine=JinjaTemplateEngine.from_environment(environment(extra_directories, console_links)),
    )


def static_files() -> Router:
    return create_static_files_router(
        path="/static",
        directories=[STATIC],
        name="static",
        cache_control=CacheControlHeader(public=True, max_age=86_400),
        include_in_schema=False,
    )
