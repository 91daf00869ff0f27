"""The worker polls every outbox for due retries every few seconds: a partial index on the
open rows' next attempt keeps that one cheap query however large the table grows."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T16:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "outbox retry indexes"

TABLES = ("notification", "email_confirmation", "member_login")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="events", description=DESCRIPTION)

    async def migrate():
        engine = engine_finder()
        for table in TABLES:
            await engine.run_ddl(
                f"CREATE INDEX {table}_retry_due ON {table} (next_attempt_at) "
                "WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at IS NOT NULL"
            )

    manager.add_raw(migrate)
    return manager
