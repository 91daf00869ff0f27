"""Composite unique keys and indexes, after the tables exist.

Indexes instead of table constraints because SQLite cannot ALTER TABLE ... ADD CONSTRAINT;
ON CONFLICT works with unique indexes on both databases.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T12:48:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite keys and indexes"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="events", description=DESCRIPTION)
    DB = engine_finder()

    async def create_indexes():
        unique_indexes = [
            ("slack_identity", ("team_id", "user_id")),
            ("organizer_region", ("organizer", "region")),
            ("event_region", ("event", "region")),
            ("event_topic", ("event", "topic")),
            ("registration", ("event", "member")),
            ("event_organization_seats", ("event", "organization")),
            ("attendance", ("registration", "session")),
        ]
        indexes = [
            ("registration_queue", "registration", ("event", "status", "arrival")),
            ("session_event_starts", "event_session", ("event", "starts_at")),
            ("notification_pending", "notification", ("sent_at", "created_at")),
        ]
        # Composite keys as indexes: SQLite cannot ALTER TABLE ... ADD CONSTRAINT.
        for table, columns in unique_indexes:
            name = f"{table}_{'_'.join(columns)}_key"
            await DB.run_ddl(f"CREATE UNIQUE INDEX {name} ON {table} ({', '.join(columns)})")
        for name, table, columns in indexes:
            await DB.run_ddl(f"CREATE INDEX {name} ON {table} ({', '.join(columns)})")

    manager.add_raw(create_indexes)
    return manager
