"""Linked Slack accounts are checked again after a while (bot.identity.IDENTITY_TTL): when
each one's profile email was last read."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T14:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "slack identity checked_at"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="events", description=DESCRIPTION)

    async def migrate():
        await engine_finder().run_ddl(
            "ALTER TABLE slack_identity ADD COLUMN checked_at TIMESTAMPTZ NULL DEFAULT NULL"
        )

    manager.add_raw(migrate)
    return manager
