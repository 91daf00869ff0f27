"""The benchmark's ceiling: one conditional UPDATE on one row, nothing else.

Mounted only when CONVENE_BENCH_ROUTES is set; bench/registration_race.py compares
registration against it on the same server in the same run.
"""

from litestar import get, post
from litestar.params import FromPath

from events.db import fetch_one


@post("/bench/ceiling/{event_id:int}", tags=["bench"], include_in_schema=False)
async def ceiling(event_id: FromPath[int]) -> dict:
    row = await fetch_one(
        "UPDATE event SET arrivals = arrivals + 1 WHERE id = {} "
        "AND (capacity IS NULL OR arrivals < capacity + 1000000000) RETURNING arrivals",
        event_id,
    )
    return {"arrivals": row["arrivals"] if row else None}


@get("/bench/hello", tags=["bench"], include_in_schema=False)
async def hello() -> dict:
    """The baseline for cached feed serving: the least a request can cost on this server."""
    return {"hello": "world"}
