"""The outbox of posts into channels (bot.posts): answers in members' threads, escalations
to the organizers and their answers back are claimed, retried and re-derived like DMs.

Raw DDL, the same on both databases but for the primary key.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-12-03T14:11:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "slack post outbox"


def _statements(primary_key: str) -> list[str]:
    return [
        f"""CREATE TABLE slack_post (
            id {primary_key},
            team_id VARCHAR(32) NOT NULL DEFAULT '',
            channel_id VARCHAR(32) NOT NULL,
            method VARCHAR(10) NOT NULL DEFAULT 'post',
            text TEXT NOT NULL DEFAULT '',
            blocks TEXT NULL DEFAULT NULL,
            thread_ts VARCHAR(32) NULL DEFAULT NULL,
            update_ts VARCHAR(32) NULL DEFAULT NULL,
            follows INTEGER NULL REFERENCES slack_post (id) ON DELETE CASCADE,
            question INTEGER NULL REFERENCES question (id) ON DELETE CASCADE,
            purpose VARCHAR(20) NOT NULL,
            dedupe_key VARCHAR(64) NULL DEFAULT NULL UNIQUE,
            posted_ts VARCHAR(32) NULL DEFAULT NULL,
            created_at TIMESTAMPTZ NOT NULL,
            claimed_at TIMESTAMPTZ NULL DEFAULT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            sent_at TIMESTAMPTZ NULL DEFAULT NULL,
            next_attempt_at TIMESTAMPTZ NULL DEFAULT NULL,
            failed_at TIMESTAMPTZ NULL DEFAULT NULL,
            last_error TEXT NULL DEFAULT NULL
        )""",
        # the sweep reads the open rows; a delivery reads the posts that follow one
        "CREATE INDEX slack_post_open ON slack_post (sent_at, failed_at, created_at)",
        "CREATE INDEX slack_post_follows ON slack_post (follows)",
        "CREATE INDEX slack_post_question ON slack_post (question, purpose)",
    ]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="bot", description=DESCRIPTION)

    async def migrate():
        engine = engine_finder()
        postgres = isinstance(engine, PostgresEngine)
        for statement in _statements("SERIAL PRIMARY KEY" if postgres else "INTEGER PRIMARY KEY"):
            await engine.run_ddl(statement)

    manager.add_raw(migrate)
    return manager
