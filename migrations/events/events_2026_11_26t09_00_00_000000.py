"""Session and registration-window times in whole seconds, as the services now store them.

Times entered before could keep a fraction (``.750``) that the API showed while feeds and
calendar links cut it. PostgreSQL truncates with ``date_trunc``; SQLite keeps the ISO text
that Piccolo writes (``2026-03-04 09:00:00.750000+00:00``), so the fraction is cut from it.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-11-26T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "event and session times in whole seconds"

COLUMNS = {
    "event_session": ("starts_at", "ends_at"),
    "event": ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"),
}


def _postgres(table: str, column: str) -> str:
    return (
        f"UPDATE {table} SET {column} = date_trunc('second', {column}) "
        f"WHERE {column} <> date_trunc('second', {column})"
    )


def _sqlite(table: str, column: str) -> str:
    return (
        f"UPDATE {table} SET {column} = substr({column}, 1, 19) || substr({column}, 27) "
        f"WHERE {column} LIKE '____-__-__ __:__:__.______%'"
    )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="events", description=DESCRIPTION)

    async def truncate():
        engine = engine_finder()
        statement = _postgres if isinstance(engine, PostgresEngine) else _sqlite
        for table, columns in COLUMNS.items():
            for column in columns:
                await engine.run_ddl(statement(table, column))

    manager.add_raw(truncate)
    return manager
