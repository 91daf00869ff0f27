"""An index on slack_identity (member), and one fewer on notification.

Which channels a member wants (events.services.notifications.wanted) asks whether the
member has a Slack identity; every recorded message, every delivery and every
registration's confirmation asks it. Without an index each asked by scanning the whole
table: with 160,000 linked members the registration race fell to a few requests per
second (docs/benchmarks.md).

``notification_registration`` (registration) is the prefix of
``notification_registration_kind`` (registration, kind), which serves the same lookups;
every registration writes two outbox rows while it holds its event's row lock, and each
index is one more to update there.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T16:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "slack_identity member index; no duplicate notification index"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="events", description=DESCRIPTION)

    async def migrate():
        engine = engine_finder()
        await engine.run_ddl(
            "CREATE INDEX IF NOT EXISTS slack_identity_member ON slack_identity (member)"
        )
        await engine.run_ddl("DROP INDEX IF EXISTS notification_registration")

    manager.add_raw(migrate)
    return manager
