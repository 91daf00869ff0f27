"""The sweep asks for unsent confirmation emails every 30 seconds."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T16:13:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unsent email confirmations index"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="events", description=DESCRIPTION)

    async def create_index():
        await engine_finder().run_ddl(
            "CREATE INDEX email_confirmation_unsent ON email_confirmation (sent_at, created_at)"
        )

    manager.add_raw(create_index)
    return manager
