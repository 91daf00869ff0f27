"""Members reached beyond Slack: channels and delivery state on the outbox, the member's
choices, region mailboxes, announcements and one-time sign-in links to /me.

Raw DDL, the same on both databases but for the primary key: Piccolo's SQLite engine
reads TIMESTAMPTZ, BOOLEAN and JSON columns by their declared type names.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-12-03T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "email channel, member page, announcements"

OUTBOX_COLUMNS = (
    "next_attempt_at TIMESTAMPTZ NULL DEFAULT NULL",
    "failed_at TIMESTAMPTZ NULL DEFAULT NULL",
    "last_error TEXT NULL DEFAULT NULL",
)

COLUMNS = {
    "region": ("mailbox VARCHAR(320) NULL DEFAULT NULL",),
    "member": (
        "notify_channels VARCHAR(10) NOT NULL DEFAULT 'auto'",
        "reminder_emails BOOLEAN NOT NULL DEFAULT TRUE",
        "announcement_emails BOOLEAN NOT NULL DEFAULT TRUE",
        "erased_at TIMESTAMPTZ NULL DEFAULT NULL",
    ),
    # Every row so far was a Slack DM.
    "notification": (
        "channel VARCHAR(10) NOT NULL DEFAULT 'slack'",
        *OUTBOX_COLUMNS,
        "outcome VARCHAR(10) NULL DEFAULT NULL",
    ),
    "email_confirmation": OUTBOX_COLUMNS,
}


def _tables(primary_key: str) -> list[str]:
    return [
        f"""CREATE TABLE announcement (
            id {primary_key},
            event INTEGER NOT NULL REFERENCES event (id) ON DELETE CASCADE,
            sent_by INTEGER NULL REFERENCES organizer (id) ON DELETE SET NULL,
            subject VARCHAR(200) NOT NULL DEFAULT '',
            body TEXT NOT NULL DEFAULT '',
            audience JSON NOT NULL DEFAULT '{{}}',
            recipients INTEGER NOT NULL DEFAULT 0,
            created_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP
        )""",
        f"""CREATE TABLE member_login (
            id {primary_key},
            member INTEGER NOT NULL REFERENCES member (id) ON DELETE CASCADE,
            via VARCHAR(10) NOT NULL DEFAULT 'email',
            token_hash VARCHAR(64) NULL DEFAULT NULL UNIQUE,
            created_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
            expires_at TIMESTAMPTZ NOT NULL,
            used_at TIMESTAMPTZ NULL DEFAULT NULL,
            claimed_at TIMESTAMPTZ NULL DEFAULT NULL,
            sent_at TIMESTAMPTZ NULL DEFAULT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            {", ".join(OUTBOX_COLUMNS)}
        )""",
        "CREATE INDEX announcement_event ON announcement (event, created_at)",
        "CREATE INDEX member_login_member ON member_login (member, created_at)",
        # the outbox is read per registration (undelivered_for, the delivery log)
        "CREATE INDEX notification_registration ON notification (registration)",
    ]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="events", description=DESCRIPTION)

    async def migrate():
        engine = engine_finder()
        postgres = isinstance(engine, PostgresEngine)
        for table, columns in COLUMNS.items():
            for column in columns:
                await engine.run_ddl(f"ALTER TABLE {table} ADD COLUMN {column}")
        for statement in _tables("SERIAL PRIMARY KEY" if postgres else "INTEGER PRIMARY KEY"):
            await engine.run_ddl(statement)

    manager.add_raw(migrate)
    return manager
