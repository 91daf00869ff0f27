"""Backfill event.published_at for events published before the column existed."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T13:53:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "backfill published_at"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="events", description=DESCRIPTION)

    async def backfill():
        await engine_finder().run_ddl(
            "UPDATE event SET published_at = created_at "
            "WHERE published_at IS NULL AND status IN ('published', 'cancelled')"
        )

    manager.add_raw(backfill)
    return manager
