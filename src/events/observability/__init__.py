"""Operations: structured logs with request ids, and Prometheus metrics (README,
"Operations").

create_app calls ``plugins`` (Litestar plugins: structlog, and the metrics when
METRICS_TOKEN is set) and ``instrument`` (request ids and the access log around the whole
app), once each.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from litestar import Litestar
from litestar.plugins import InitPlugin

from events.config import Settings, task_queue_name
from events.observability.logs import structlog_plugin
from events.observability.requests import RequestLog

if TYPE_CHECKING:
    from litestar.config.app import AppConfig

    from events.observability.readings import MetricsSource


def plugins(settings: Settings, extension_sources: Sequence[MetricsSource]) -> list[InitPlugin]:
    """``extension_sources``: the extensions' gauges (ConvenePlugin.metrics)."""
    found: list[InitPlugin] = [structlog_plugin(settings)]
    if settings.metrics_token:
        found.append(Metrics(settings, extension_sources))
    return found


def instrument(app: Litestar) -> Litestar:
    """Request ids and the access log, outermost: around routing, so that unmatched paths
    get both too (Litestar's own middleware runs only once a route matched)."""
    app.asgi_handler = RequestLog(app.asgi_handler)
    return app


def shared_metrics_directory(settings: Settings) -> Path | None:
    """Where the web processes add up their request counters: PROMETHEUS_MULTIPROC_DIR, or,
    in a process that uvicorn's ``--workers`` started, one directory per supervisor under
    the data directory (the sibling workers share it; another server, or the next start,
    has its own)."""
    if settings.metrics_dir:
        return settings.metrics_dir
    parent = multiprocessing.parent_process()
    if parent is None:  # a single process: its own registry is the whole truth
        return None
    return settings.data_dir / "metrics" / str(parent.pid)


class Metrics(InitPlugin):
    """/metrics behind the token, the request metrics' middleware, the gauges' sources."""

    def __init__(self, settings: Settings, extension_sources: Sequence[MetricsSource]) -> None:
        self.settings = settings
        self.extension_sources = list(extension_sources)

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        directory = shared_metrics_directory(self.settings)
        if directory:
            # prometheus_client reads it when first imported, below.
            os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)
        from events.observability import metrics, readings

        if directory:
            own = not self.settings.metrics_dir
            metrics.prepare_shared_directory(directory, per_supervisor=own)
            app_config.on_shutdown.append(metrics.forget_this_process)
        sources: list[MetricsSource] = [readings.registrations, readings.outboxes]
        if self.settings.redis_url:
            queue = readings.TaskQueue(self.settings.redis_url, task_queue_name())
            sources.append(queue)
            app_config.on_shutdown.append(queue.close)
        reader = readings.GaugeReader(
            [*sources, *self.extension_sources], self.settings.metrics_cache_seconds
        )
        app_config.middleware.append(metrics.http_metrics().middleware)
        app_config.route_handlers.append(
            metrics.metrics_controller(self.settings.metrics_token, reader)
        )
        return app_config
