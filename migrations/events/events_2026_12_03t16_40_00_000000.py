"""Sign-in emails still to send are found by an index, as the other outboxes' are: the
sweep (every 30 s) and /metrics ask for them. Partial: most rows are sent (and links handed
out in Slack are sent when made), so the index holds only the few still to send."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T16:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "index of sign-in emails still to send"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="events", description=DESCRIPTION)

    async def create_index():
        await engine_finder().run_ddl(
            "CREATE INDEX member_login_unsent ON member_login (created_at) "
            "WHERE sent_at IS NULL AND failed_at IS NULL"
        )

    manager.add_raw(create_index)
    return manager
