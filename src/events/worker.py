"""Start-up and shutdown of the separate worker process (Procfile ``worker:``)."""

from __future__ import annotations

import contextlib

from taskiq import TaskiqState

from events.config import get_settings
from events.db import database_lifespan
from events.extensions import collect, discover, install
from events.observability.logs import configure_worker_logging
from events.tasks import sweeper


async def start_worker(state: TaskiqState) -> None:
    settings = get_settings()
    configure_worker_logging(settings)  # JSON lines, like the web process's
    plugins = discover(settings)
    for plugin in plugins:
        plugin.start()  # e.g. the bot's Slack notifier: the worker delivers messages too
    install(plugins)  # the sweep that finishes erasures asks them too
    stack = contextlib.AsyncExitStack()
    await stack.enter_async_context(database_lifespan(settings))
    sweeps = collect(plugins, lambda plugin: plugin.sweeps())
    frequent = collect(plugins, lambda plugin: plugin.frequent_sweeps())
    await stack.enter_async_context(sweeper(sweeps, frequent))
    state.exit_stack = stack


async def stop_worker(state: TaskiqState) -> None:
    await state.exit_stack.aclose()
