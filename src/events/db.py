"""The database engine (SQLite or PostgreSQL), its pool, and the write transaction."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import lru_cache

from asyncpg.exceptions import DataError
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.querystring import QueryString

from events.config import Settings, database_url, is_sqlite_url, sqlite_path


class _PostgresEngine(PostgresEngine):
    """Piccolo connects to ask the server's version when an engine is built, which would
    be I/O at import time (and fails before the database exists). Skip that check."""

    async def check_version(self) -> None:
        return None

    async def fetch_template(self, sql: str, args: tuple) -> list:
        """Piccolo's run_querystring, minus re-parsing the same SQL on every call."""
        query = _numbered_placeholders(sql)
        transaction = self.current_transaction.get()
        if transaction:
            return await transaction.connection.fetch(query, *args)
        if self.pool:
            return await self.pool.fetch(query, *args)
        return await self._run_in_new_connection(query, list(args))


@lru_cache(maxsize=1024)
def _numbered_placeholders(sql: str) -> str:
    """``{}`` placeholders as PostgreSQL's $1, $2, ... (what QueryString compiles them to)."""
    pieces = sql.split("{}")
    return "".join(f"{piece}${n}" for n, piece in enumerate(pieces[:-1], 1)) + pieces[-1]


def build_engine(url: str) -> Engine:
    if is_sqlite_url(url):
        # A generous busy timeout: writers queue up behind BEGIN IMMEDIATE instead of failing.
        return SQLiteEngine(path=str(sqlite_path(url)), timeout=30)
    return _PostgresEngine(config={"dsn": url})


# Tables bind to this engine when they are defined; building it does no I/O.
DB: Engine = build_engine(database_url())


def write_transaction():
    """A transaction for check-then-write work.

    SQLite needs BEGIN IMMEDIATE so that concurrent writers wait for the lock instead of
    failing with "database is locked" when they upgrade from a read.
    """
    if isinstance(DB, SQLiteEngine):
        return DB.transaction(transaction_type=TransactionType.immediate)
    return DB.transaction()


def prepare_sqlite_file(settings: Settings) -> None:
    """Create the folder and switch the file to WAL so readers never block the writer."""
    path = sqlite_path(settings.database_url)
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode=WAL")


async def _keep_session(connection: object) -> None:
    """asyncpg's default reset (RESET ALL, UNLISTEN, unlock advisory locks) costs a round
    trip per released connection. Convene sets no session state, and asyncpg still rolls
    back an open transaction before calling this, so there is nothing more to undo."""


@asynccontextmanager
async def database_lifespan(settings: Settings) -> AsyncIterator[None]:
    if isinstance(DB, PostgresEngine):
        await DB.start_connection_pool(
            min_size=1, max_size=settings.db_pool_size, reset=_keep_session
        )
        try:
            yield
        finally:
            await DB.close_connection_pool()
    else:
        prepare_sqlite_file(settings)
        yield


async def database_is_reachable() -> bool:
    try:
        await DB.run_querystring(QueryString("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means "not reachable" to a health check
        return False
    return True


async def fetch(sql: str, *args: object) -> list[dict]:
    """Run one SQL statement with ``{}`` placeholders; inside a transaction if one is open."""
    if isinstance(DB, _PostgresEngine):
        return await DB.fetch_template(sql, args)
    try:
        return await DB.run_querystring(QueryString(sql, *args))
    except OverflowError as exc:
        # An integer past 64 bits (an id in a path, a number in a body): PostgreSQL's driver
        # refuses it as a DataError, and so does SQLite here, so both answer 422 invalid_value.
        raise DataError(f"a value is out of range: {exc}") from exc


async def fetch_one(sql: str, *args: object) -> dict | None:
    rows = await fetch(sql, *args)
    return rows[0] if rows else None


def is_unique_violation(exc: BaseException) -> bool:
    # asyncpg raises UniqueViolationError, sqlite3 an IntegrityError naming UNIQUE.
    name = type(exc).__name__
    return name == "UniqueViolationError" or (name == "IntegrityError" and "UNIQUE" in str(exc))


def dump_json(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


def load_json(value: object) -> object:
    """JSON columns come back from raw queries as text on both databases."""
    return json.loads(value) if isinstance(value, (str, bytes)) else value
