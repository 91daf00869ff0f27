"""create_app(): the one place where Convene is wired together."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator, Sequence

from litestar import Litestar

from events import observability, tasks
from events.admin.mount import admin_route
from events.api import health, openapi
from events.api.announcements import AnnouncementController
from events.api.manage import (
    ManageEventController,
    ManageMemberController,
    ManageRegistrationController,
    ManageSessionController,
)
from events.api.me import MeController, RegistrationController
from events.api.public import CatalogController, EventController
from events.bodies import BodyDecoding
from events.calendar.api import CalendarController, MyCalendarController
from events.config import Settings, get_settings
from events.db import database_lifespan
from events.errors import EXCEPTION_HANDLERS
from events.extensions import ConvenePlugin, Sweep, collect, discover, install
from events.stores import app_stores
from events.web.console.routes import console_router
from events.web.member.routes import member_router
from events.web.pages import PageController
from events.web.registration import EmailRegistrationController
from events.web.security import security_headers
from events.web.templating import static_files, template_config


def _lifespan(settings: Settings, sweeps: Sequence[Sweep], frequent: Sequence[Sweep]):
    @contextlib.asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            await stack.enter_async_context(database_lifespan(settings))
            await tasks.broker.startup()
            stack.push_async_callback(tasks.broker.shutdown)
            # Exits first: in-flight deliveries end before the broker and the pool close.
            await stack.enter_async_context(tasks.in_flight())
            if tasks.runs_in_process:  # no separate worker: sweep the outbox here
                await stack.enter_async_context(tasks.sweeper(sweeps, frequent))
            # What start-up made lives as long as the process: out of the collector's way,
            # or each full collection pauses the event loop 70-170 ms (docs/benchmarks.md).
            gc.collect()
            gc.freeze()
            yield

    return lifespan


def create_app(
    settings: Settings | None = None, plugins: Sequence[ConvenePlugin] | None = None
) -> Litestar:
    """``plugins``: the extensions to wire in; by default those installed (pyproject's
    ``convene.plugins`` entry points: the bot and certificates)."""
    settings = settings or get_settings()
    plugins = discover(settings) if plugins is None else list(plugins)
    for plugin in plugins:
        plugin.start()
    install(plugins)
    handlers: list = [
        health.live,
        health.ready,
        EventController,
        CatalogController,
        MeController,
        RegistrationController,
        ManageEventController,
        ManageSessionController,
        ManageRegistrationController,
        ManageMemberController,
        AnnouncementController,
        CalendarController,
        MyCalendarController,
        PageController,
        EmailRegistrationController,
        static_files(),
        console_router(settings, collect(plugins, lambda plugin: plugin.console_pages())),
        member_router(settings),
        admin_route(settings, collect(plugins, lambda plugin: plugin.admin_tables())),
    ]
    if settings.bench_routes:
        from events.api.bench import ceiling, hello

        handlers.extend([ceiling, hello])
    app = Litestar(
        route_handlers=handlers,
        template_config=template_config(
            collect(plugins, lambda plugin: plugin.template_directories()),
            collect(plugins, lambda plugin: plugin.console_links()),
        ),
        stores=app_stores(settings),
        before_send=[security_headers(settings.base_url)],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        lifespan=[
            _lifespan(
                settings,
                collect(plugins, lambda plugin: plugin.sweeps()),
                collect(plugins, lambda plugin: plugin.frequent_sweeps()),
            )
        ],
        # JSON logs and /metrics, the core's body decoding (strict JSON, clean text, never
        # a 500), then the extensions
        plugins=[
            *observability.plugins(settings, collect(plugins, lambda plugin: plugin.metrics())),
            BodyDecoding(),
            *plugins,
        ],
        openapi_config=openapi.config(),
    )
    return observability.instrument(app)  # request ids and the access log
