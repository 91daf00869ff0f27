"""A notification with a dedupe key is recorded once, ever (reminders, certificates)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T15:35:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique notification dedupe key"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="events", description=DESCRIPTION)

    async def create_index():
        # NULLs do not collide (SQLite and PostgreSQL): only keyed rows are unique.
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX notification_dedupe ON notification (dedupe_key)"
        )
        # The sweep asks "was this registration told this already?" every 30 seconds.
        await engine_finder().run_ddl(
            "CREATE INDEX notification_registration_kind ON notification (registration, kind)"
        )

    manager.add_raw(create_index)
    return manager
