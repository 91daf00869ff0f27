"""The worker polls the Slack post outbox for due retries every few seconds: a partial
index on the open rows' next attempt keeps that query cheap."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T16:11:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "slack post retry index"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="bot", description=DESCRIPTION)

    async def migrate():
        await engine_finder().run_ddl(
            "CREATE INDEX slack_post_retry_due ON slack_post (next_attempt_at) "
            "WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at IS NOT NULL"
        )

    manager.add_raw(migrate)
    return manager
