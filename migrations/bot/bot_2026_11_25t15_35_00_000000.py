"""One link per channel; questions found again from the organizers' escalation message."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T15:35:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "bot indexes"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="bot", description=DESCRIPTION)

    async def create_indexes():
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX channel_link_channel ON channel_link (team_id, channel_id)"
        )
        await engine_finder().run_ddl(
            "CREATE INDEX question_thread ON question (channel_id, thread_ts)"
        )

    manager.add_raw(create_indexes)
    return manager
