"""Announcements' outbox rows found by their announcement: the delivery log counts them
per announcement (``notification.subject``), and the fan-out lists the unsent ones."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T13:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "index the outbox by subject"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="events", description=DESCRIPTION)

    async def migrate():
        await engine_finder().run_ddl(
            "CREATE INDEX notification_subject ON notification (subject, kind)"
        )

    manager.add_raw(migrate)
    return manager
