"""Health checks: liveness (the process answers) and readiness (it can serve requests).

``/health/live`` touches nothing: a process that answers is alive, so an orchestrator
restarts it only when it hangs. ``/health/ready`` checks the database and, when REDIS_URL
is set, Redis, each within ``CHECK_TIMEOUT_SECONDS``, and answers 503 naming which failed;
``/health`` is the same check (what load balancers and the tests have always asked).
With Redis down the public pages still work (events.stores), but the process is not
fully ready: tasks wait for the sweep, limits are counted per process.
"""

import asyncio

from litestar import Response, get

from events import tasks
from events.config import get_settings
from events.db import database_is_reachable
from events.schemas import Health, Liveness
from events.stores import redis_link

CHECK_TIMEOUT_SECONDS = 2.0


async def _database_ok() -> bool:
    try:
        return await asyncio.wait_for(database_is_reachable(), CHECK_TIMEOUT_SECONDS)
    except TimeoutError:
        return False


async def _redis_ok() -> bool | None:
    url = get_settings().redis_url
    return None if url is None else await redis_link(url).ping()


@get("/health/live", tags=["health"], summary="Is the process up? (no dependency checked)")
async def live() -> Liveness:
    return Liveness(status="ok")


@get(
    ["/health", "/health/ready"],
    tags=["health"],
    summary="Can it serve? The database and Redis (when REDIS_URL is set) answer",
)
async def ready() -> Response[Health]:
    database, redis = await asyncio.gather(_database_ok(), _redis_ok())
    ok = database and redis is not False
    return Response(
        Health(
            status="ok" if ok else "unavailable",
            database=database,
            redis=redis,
            broker="in-process" if tasks.runs_in_process else "redis",
        ),
        status_code=200 if ok else 503,
    )
