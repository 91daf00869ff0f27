from litestar import Response, get

from events import tasks
from events.db import database_is_reachable
from events.schemas import Health


@get("/health", tags=["health"], summary="Is the database reachable?")
async def health() -> Response[Health]:
    ok = await database_is_reachable()
    return Response(
        Health(
            status="ok" if ok else "unavailable",
            database=ok,
            broker="in-process" if tasks.runs_in_process else "redis",
        ),
        status_code=200 if ok else 503,
    )
