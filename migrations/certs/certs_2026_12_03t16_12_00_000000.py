"""A certificate job that failed for a temporary reason (a full or read-only disk, a lost
connection) waits for a retry: how many times it was tried, and when it is due again."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T16:12:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "certificate job retries"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="certs", description=DESCRIPTION)

    async def migrate():
        engine = engine_finder()
        await engine.run_ddl(
            "ALTER TABLE certificate_job ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0"
        )
        await engine.run_ddl(
            "ALTER TABLE certificate_job ADD COLUMN next_attempt_at TIMESTAMPTZ NULL DEFAULT NULL"
        )

    manager.add_raw(migrate)
    return manager
