"""At most one valid certificate per registration (history rows may be many)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T13:58:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one valid certificate per registration"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="certs", description=DESCRIPTION)

    async def create_index():
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX certificate_one_valid ON certificate (registration) "
            "WHERE status = 'valid'"
        )
        await engine_finder().run_ddl(
            "CREATE INDEX certificate_event_status ON certificate (event, status)"
        )

    manager.add_raw(create_index)
    return manager
