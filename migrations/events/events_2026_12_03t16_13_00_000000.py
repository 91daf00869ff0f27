"""Organizer password links go through an outbox like every other email: the admin's
"send" records a row, the worker sends it (retrying while the relay is down). The link's
token is made when the email is sent and never stored (password_links: it is an HMAC).

Raw DDL, the same on both databases but for the primary key.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-12-03T16:13:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "organizer invitation outbox"


def _statements(primary_key: str) -> list[str]:
    return [
        f"""CREATE TABLE organizer_invitation (
            id {primary_key},
            organizer INTEGER NOT NULL REFERENCES organizer (id) ON DELETE CASCADE,
            sent_by_name VARCHAR(200) NOT NULL DEFAULT '',
            created_at TIMESTAMPTZ NOT NULL,
            claimed_at TIMESTAMPTZ NULL DEFAULT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            sent_at TIMESTAMPTZ NULL DEFAULT NULL,
            next_attempt_at TIMESTAMPTZ NULL DEFAULT NULL,
            failed_at TIMESTAMPTZ NULL DEFAULT NULL,
            last_error TEXT NULL DEFAULT NULL
        )""",
        "CREATE INDEX organizer_invitation_organizer ON organizer_invitation (organizer, id)",
        "CREATE INDEX organizer_invitation_open ON organizer_invitation (sent_at, failed_at, "
        "created_at)",
        "CREATE INDEX organizer_invitation_retry_due ON organizer_invitation (next_attempt_at) "
        "WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at IS NOT NULL",
    ]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="events", description=DESCRIPTION)

    async def migrate():
        engine = engine_finder()
        postgres = isinstance(engine, PostgresEngine)
        for statement in _statements("SERIAL PRIMARY KEY" if postgres else "INTEGER PRIMARY KEY"):
            await engine.run_ddl(statement)

    manager.add_raw(migrate)
    return manager
