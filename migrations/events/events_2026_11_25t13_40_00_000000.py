"""The personal calendar token's unique index (SQLite cannot add a UNIQUE column)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T13:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "calendar token index"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="events", description=DESCRIPTION)

    async def create_index():
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX member_calendar_token_hash_key ON member (calendar_token_hash)"
        )

    async def drop_index():
        await engine_finder().run_ddl("DROP INDEX member_calendar_token_hash_key")

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
