"""Prometheus metrics at /metrics, behind a bearer token (METRICS_TOKEN).

- Requests: Litestar's Prometheus plugin (``PrometheusConfig``'s middleware), labelled by
  the route's template (``group_path=True``), so that slugs, codes and tokens in paths make
  no new series: ``convene_http_requests_total``, ``convene_http_request_duration_seconds``,
  ``convene_http_requests_in_progress``, ``convene_http_requests_error_total``.
- The deployment's state, read at scrape time: events.observability.readings.

Several web processes (uvicorn ``--workers``, the Procfile's WEB_CONCURRENCY) each count
their own requests: prometheus_client's multiprocess mode adds them up, so that a scrape,
whichever process answers it, sees all of them. Its directory is PROMETHEUS_MULTIPROC_DIR,
or one of Convene's own per uvicorn supervisor. This module must be imported after that
variable is set: prometheus_client chooses how to keep values when it is first imported.
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path

from litestar import Response, get
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController
from litestar.plugins.prometheus.middleware import PrometheusMiddleware
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)

from events.observability.readings import GaugeReader, families

PATH = "/metrics"

# Counters' ``_created`` series: noise, and absent in multiprocess mode anyway.
disable_created_metrics()


def http_metrics() -> PrometheusConfig:
    return PrometheusConfig(
        app_name="convene",
        prefix="convene_http",
        group_path=True,  # /api/events/{slug:str}/registration, not one series per event
        exclude=[f"^{PATH}$"],  # the scrapes themselves
    )


def _bearer(token: str):
    expected = f"Bearer {token}".encode()

    def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        given = connection.headers.get("Authorization", "").encode()
        if not secrets.compare_digest(given, expected):
            raise NotAuthorizedException(
                "Metrics need the bearer token METRICS_TOKEN.",
                headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
            )

    return guard


class _ThisProcess:
    """prometheus_client's default registry (this process's own metrics), as a collector."""

    def collect(self):
        return REGISTRY.collect()


def _request_metrics(registry: CollectorRegistry) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())


class _Readings:
    def __init__(self, readings) -> None:
        self.readings = readings

    def collect(self):
        return families(self.readings)


def metrics_controller(token: str, reader: GaugeReader) -> type[PrometheusController]:
    class MetricsController(PrometheusController):
        """The plugin's controller, behind the token, with the gauges read at scrape time."""

        path = PATH
        include_in_schema = False
        guards = [_bearer(token)]

        @get()
        async def get(self) -> Response:
            registry = CollectorRegistry(auto_describe=False)
            _request_metrics(registry)
            registry.register(_Readings(await reader.read()))
            return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return MetricsController


def prepare_shared_directory(directory: Path, per_supervisor: bool) -> None:
    """Create the multiprocess directory, and remove the files of processes that have
    exited (an earlier run's, a crashed worker's): their in-progress gauges would count
    forever, and a new process with a reused pid would add to their counters.
    ``per_supervisor``: the directory is Convene's own, named by the supervisor's pid; those
    of supervisors gone go too."""
    directory.mkdir(parents=True, exist_ok=True)
    started_counting = bool(PrometheusMiddleware._metrics)
    for file in directory.glob("*.db"):
        pid = _pid_in(file.stem.rsplit("_", 1)[-1])
        if pid and ((pid == os.getpid() and not started_counting) or not _alive(pid)):
            file.unlink(missing_ok=True)
    for sibling in directory.parent.iterdir() if per_supervisor else ():
        pid = _pid_in(sibling.name)
        if pid and sibling != directory and not _alive(pid):
            shutil.rmtree(sibling, ignore_errors=True)


def _pid_in(name: str) -> int | None:
    return int(name) if name.isdigit() else None


def forget_this_process() -> None:
    """At shutdown: this process's in-progress gauges stop counting."""
    if directory := os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(os.getpid(), directory)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
