"""Structured logs: one JSON object per line (or readable lines with LOG_FORMAT=console).

The standard library's loggers (the app's ``logging.getLogger("convene.…")``, Litestar's,
uvicorn's, taskiq's) go through one structlog ``ProcessorFormatter``; structlog's own
loggers (the access line) render the same fields themselves. structlog's context variables
are merged into every line, from either side: a request's ``request_id`` (events.observability.
requests) reaches the lines its handler, its services and the tasks it starts write.

The web process is set up by Litestar's StructlogPlugin (``structlog_plugin``); the worker,
which has no Litestar app, by ``configure_worker_logging``.
"""

from __future__ import annotations

import logging
import logging.config
import os
import sys
from typing import Any

import msgspec
import structlog
from litestar.logging.config import LoggingConfig, StructLoggingConfig
from litestar.plugins.structlog import StructlogConfig, StructlogPlugin
from structlog.stdlib import ProcessorFormatter

from events.config import Settings


def _add_pid(_: object, __: str, event: dict) -> dict:
    """Which process wrote the line: there are several web processes and workers."""
    event["pid"] = os.getpid()
    return event


# What every line gets, whether it was written through structlog or the standard library.
_COMMON = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    _add_pid,
]
# Standard library records: their logger's name, and their ``extra={...}`` as fields.
_FOREIGN = [*_COMMON, structlog.stdlib.add_logger_name, structlog.stdlib.ExtraAdder()]


def _json(value: Any, **_: Any) -> str:
    return msgspec.json.encode(value, enc_hook=str).decode()


def _rendering(log_format: str) -> list:
    """The last steps: the exception as text, then the line itself."""
    if log_format == "console":
        return [structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())]
    return [
        structlog.processors.format_exc_info,
        # "message" rather than structlog's "event": in Convene an event is a training
        structlog.processors.EventRenamer("message"),
        structlog.processors.JSONRenderer(serializer=_json),
    ]


def formatter(log_format: str) -> dict[str, Any]:
    """The ``logging.config`` entry of the one formatter every handler uses."""
    return {
        "()": ProcessorFormatter,
        "foreign_pre_chain": _FOREIGN,
        "processors": [ProcessorFormatter.remove_processors_meta, *_rendering(log_format)],
    }


def supervisor_formatter() -> ProcessorFormatter:
    """For uvicorn's ``--log-config`` (uvicorn_logging.json): the lines of the supervisor
    that starts the web processes (``--workers``), before any app exists, in the same form."""
    from events.config import log_format

    options = formatter(log_format())
    return ProcessorFormatter(
        foreign_pre_chain=options["foreign_pre_chain"], processors=options["processors"]
    )


def _structlog_options(log_format: str, level: int) -> dict[str, Any]:
    """structlog's own loggers (the access line, once per request) write their line at
    once, in the same form, without the standard library's records and queue: a few
    microseconds, and nothing at all below the level."""
    return {
        "processors": [*_COMMON, *_rendering(log_format)],
        "logger_factory": structlog.WriteLoggerFactory(file=sys.stderr),
        "wrapper_class": structlog.make_filtering_bound_logger(level),
        "cache_logger_on_first_use": True,
    }


# uvicorn's loggers write through the same handler. Its access log is left off: it prints
# the raw path and query, where Convene's capability tokens live; events.observability.
# requests writes one line per request with the route's template instead.
_UVICORN_LOGGERS = {
    "uvicorn": {"handlers": ["queue_listener"], "propagate": False},
    "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
}


def structlog_plugin(settings: Settings) -> StructlogPlugin:
    """Litestar's structlog plugin, with Convene's processors and levels. Exceptions are
    not logged by Litestar (``log_exceptions="never"``): events.errors logs 500s, once."""
    standard_library = LoggingConfig(
        formatters={"standard": formatter(settings.log_format)},
        root={"level": settings.log_level, "handlers": ["queue_listener"]},
        loggers={
            "litestar": {"level": "INFO", "handlers": ["queue_listener"], "propagate": False},
            **_UVICORN_LOGGERS,
        },
        log_exceptions="never",
    )
    options = _structlog_options(settings.log_format, logging.getLevelName(settings.log_level))
    return StructlogPlugin(
        StructlogConfig(
            structlog_logging_config=StructLoggingConfig(
                processors=options["processors"],
                logger_factory=options["logger_factory"],
                wrapper_class=options["wrapper_class"],
                standard_lib_logging_config=standard_library,
                log_exceptions="never",
            ),
            # Litestar's request logging prints headers, cookies, query and body: personal
            # data and tokens. events.observability.requests logs requests instead.
            enable_middleware_logging=False,
        )
    )


def configure_worker_logging(settings: Settings) -> None:
    """The taskiq worker's logs in the web process's form. The level stays the one the
    worker command gave (the Procfile's ``--log-level``)."""
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {"standard": formatter(settings.log_format)},
            "handlers": {
                "stderr": {
                    "class": "logging.StreamHandler",
                    "stream": "ext://sys.stderr",
                    "formatter": "standard",
                }
            },
            "root": {"handlers": ["stderr"]},
        }
    )
    level = logging.getLogger().getEffectiveLevel()
    structlog.configure(**_structlog_options(settings.log_format, level))
