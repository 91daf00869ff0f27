"""An index on slack_identity (member).

Which channels a member wants (events.services.notifications.wanted) asks whether the
member has a Slack identity; every recorded message, every delivery and every
registration's confirmation asks it. Without an index each asked by scanning the whole
table: with 160,000 linked members the registration race fell to a few requests per
second (docs/benchmarks.md).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T16:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "slack_identity member index"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="events", description=DESCRIPTION)

    async def migrate():
        await engine_finder().run_ddl(
            "CREATE INDEX IF NOT EXISTS slack_identity_member ON slack_identity (member)"
        )

    manager.add_raw(migrate)
    return manager
