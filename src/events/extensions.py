"""Extensions: what a package built on the core (certs, bot) adds to Convene.

The core never imports its extensions. Each one ships a `ConvenePlugin`, a Litestar
`InitPlugin` that adds its own routes and shutdown hooks when the app starts, and that the
core asks for what it assembles itself: console pages and links, Piccolo Admin tables,
sweeps, gauges for /metrics, set-up that the web process and the worker share (the Slack
notifier), and a member's data (the member page's sections, the export, the erasure).

Which extensions exist is said in one place, `pyproject.toml`'s
``[project.entry-points."convene.plugins"]``: each entry names a factory
``(Settings) -> ConvenePlugin``. `create_app(plugins=...)` takes an explicit list instead.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from litestar.plugins import InitPlugin

from events.config import Settings

if TYPE_CHECKING:
    from litestar.config.app import AppConfig
    from piccolo_admin.endpoints import TableConfig

    from events.observability.readings import MetricsSource

ENTRY_POINT_GROUP = "convene.plugins"

Sweep = Callable[[], Awaitable[object]]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ConsoleLink:
    """A link an extension adds to the console.

    ``href`` may hold ``{slug}``: such links are actions on one event's dashboard; the
    others go in the console's navigation. ``staff`` is False for links that check-in
    staff cannot use.
    """

    label: str
    href: str
    staff: bool = True

    @property
    def per_event(self) -> bool:
        return "{slug}" in self.href


@dataclass(frozen=True, slots=True)
class MemberSection:
    """A part of the member page (/me) that an extension shows: its template (in the
    extension's template directory) and what the template needs."""

    template: str
    context: dict[str, Any]


class ConvenePlugin(InitPlugin):
    """The hooks an extension may fill; each defaults to adding nothing."""

    name: str = "extension"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    # -- asked by the Litestar app while it starts --------------------------------------
    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        app_config.route_handlers.extend(self.route_handlers())
        app_config.on_shutdown.extend(self.shutdown_hooks())
        return app_config

    def route_handlers(self) -> list:
        """Routes of the extension's own (outside the console)."""
        return []

    def shutdown_hooks(self) -> list[Callable[[], object]]:
        return []

    # -- asked by the core, which assembles these itself ------------------------------------
    def console_pages(self) -> list:
        """Controllers mounted under /console, behind its session and CSRF guard."""
        return []

    def console_links(self) -> list[ConsoleLink]:
        return []

    def template_directories(self) -> list[Path]:
        """Folders searched after the core's templates (the console's pages of the extension)."""
        return []

    def admin_tables(self) -> list[TableConfig]:
        """Tables shown in Piccolo Admin at /admin."""
        return []

    def sweeps(self) -> list[Sweep]:
        """Re-derivations and purges run by the periodic sweep (worker, or web process)."""
        return []

    def metrics(self) -> list[MetricsSource]:
        """Gauges read when /metrics is scraped: async functions returning
        ``events.observability.readings.Reading``s (an outbox's depth, jobs by state)."""
        return []

    def frequent_sweeps(self) -> list[Sweep]:
        """Cheap sweeps (one indexed query) run every few seconds: an outbox's due retries
        (events.tasks.RetryPoller), stalled jobs to resume."""
        return []

    def start(self) -> None:
        """Set-up shared by the web process and the worker (both may deliver messages)."""

    # -- a member's data (the member page, export, erasure; events.services.member_*) --------
    async def member_sections(self, member_id: int) -> list[MemberSection]:
        """What the member page shows of this extension's data about the member."""
        return []

    async def member_export(self, member_id: int) -> dict[str, Any]:
        """This extension's data about the member, as JSON values (the export's ``name``)."""
        return {}

    async def erase_member(self, member_id: int) -> None:
        """Erase what this extension keeps about the member. Runs inside the erasure's
        transaction, before the core erases the member row (its email is still there)."""


_installed: list[ConvenePlugin] = []


def install(plugins: Iterable[ConvenePlugin]) -> None:
    """The extensions of this process's app (create_app), for the services that ask them
    about a member."""
    _installed[:] = list(plugins)


def installed() -> list[ConvenePlugin]:
    return list(_installed)


def discover(settings: Settings) -> list[ConvenePlugin]:
    """The installed extensions, in the order of their entry points' names."""
    found = sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda point: point.name)
    return [point.load()(settings) for point in found]


def collect(
    plugins: Iterable[ConvenePlugin], hook: Callable[[ConvenePlugin], Sequence[T]]
) -> list[T]:
    """One hook's answers from every plugin, in plugin order."""
    return [item for plugin in plugins for item in hook(plugin)]
