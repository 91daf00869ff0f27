"""create_app(): the one place where Convene is wired together."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator

from litestar import Litestar
from litestar.logging import LoggingConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin

from events import tasks
from events.api.health import health
from events.api.manage import (
    ManageEventController,
    ManageMemberController,
    ManageRegistrationController,
    ManageSessionController,
)
from events.api.me import MeController, RegistrationController
from events.api.public import CatalogController, EventController
from events.calendar.api import CalendarController, MyCalendarController
from events.config import Settings, get_settings
from events.db import database_lifespan
from events.errors import EXCEPTION_HANDLERS
from events.web.console.routes import console_router
from events.web.pages import PageController
from events.web.registration import EmailRegistrationController
from events.web.security import security_headers
from events.web.templating import static_files, template_config


def _lifespan(settings: Settings):
    @contextlib.asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            await stack.enter_async_context(database_lifespan(settings))
            await tasks.broker.startup()
            stack.push_async_callback(tasks.broker.shutdown)
            if tasks.runs_in_process:  # no separate worker: sweep the outbox here
                await stack.enter_async_context(tasks.sweeper())
            # What start-up made lives as long as the process: out of the collector's way,
            # or each full collection pauses the event loop 70-170 ms (docs/benchmarks.md).
            gc.collect()
            gc.freeze()
            yield

    return lifespan


def _stores(settings: Settings) -> dict:
    """Rate-limit counters live in Redis when there is one, so every process shares them."""
    if not settings.redis_url:
        return {}
    from litestar.stores.redis import RedisStore

    return {
        "rate_limit": RedisStore.with_client(url=settings.redis_url, namespace="convene"),
        # console sessions ended by logging out (events.web.console.session)
        "console_sessions": RedisStore.with_client(
            url=settings.redis_url, namespace="convene:console_sessions"
        ),
    }


def certificate_routes() -> list:
    # The composition root is the one place in events that knows the other packages.
    from certs.api import (
        ManageCertificateController,
        MyCertificateController,
        VerificationController,
    )

    return [VerificationController, ManageCertificateController, MyCertificateController]


def slack_routes(settings: Settings) -> list:
    """POST /slack/events: bolt when Slack is configured, a clear 503 when it is not;
    the organizers' FAQ and questions API either way."""
    import bot.tasks  # noqa: F401 - adds the bot's housekeeping to the sweep
    from bot.api import FaqController, QuestionController
    from bot.route import slack_routes as routes
    from bot.slack_app import build_bolt_app

    return [
        *routes(build_bolt_app(settings.slack) if settings.slack else None),
        FaqController,
        QuestionController,
    ]


def console_pages() -> list:
    """The console's certificate and FAQ pages live with their packages."""
    from bot.console import FaqConsoleController
    from certs.console import CertificateConsoleController
    from events.admin.console import AdminHandoffController

    return [CertificateConsoleController, FaqConsoleController, AdminHandoffController]


def admin_route(settings: Settings):
    """Piccolo Admin at /admin, with the bot's FAQ among the core's records."""
    from bot.admin import bot_tables
    from events.admin.mount import admin_route as mount

    return mount(settings, bot_tables())


def install_notifier(settings: Settings) -> None:
    """Notifications go to Slack DMs when Slack is configured; otherwise to the log.
    Both the web process and the worker call this (either may deliver)."""
    if settings.slack:
        from bot.installations import configure_workspaces
        from bot.notify import SlackNotifier
        from bot.slack_app import web_client
        from events.notifier import set_notifier

        client = web_client(settings.slack)
        configure_workspaces(client, settings.slack.installs_with_oauth)
        set_notifier(SlackNotifier(client))


def certificate_shutdown() -> None:
    from certs.documents import shutdown_render_pool

    shutdown_render_pool()


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    handlers: list = [
        health,
        EventController,
        CatalogController,
        MeController,
        RegistrationController,
        ManageEventController,
        ManageSessionController,
        ManageRegistrationController,
        ManageMemberController,
        CalendarController,
        MyCalendarController,
        *certificate_routes(),
        *slack_routes(settings),
        PageController,
        EmailRegistrationController,
        static_files(),
        console_router(settings, console_pages()),
        admin_route(settings),
    ]
    install_notifier(settings)
    if settings.bench_routes:
        from events.api.bench import ceiling, hello

        handlers.extend([ceiling, hello])
    return Litestar(
        route_handlers=handlers,
        template_config=template_config(),
        stores=_stores(settings),
        before_send=[security_headers(settings.base_url)],
        on_shutdown=[certificate_shutdown],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        lifespan=[_lifespan(settings)],
        openapi_config=OpenAPIConfig(
            title="Convene",
            version="0.1.0",
            description="Events, registrations and attendance for the NSCP coalition.",
            path="/schema",
            render_plugins=[SwaggerRenderPlugin()],
        ),
        logging_config=LoggingConfig(
            root={"level": settings.log_level, "handlers": ["queue_listener"]},
            log_exceptions="never",  # errors.internal_error_handler logs 500s
        ),
    )
