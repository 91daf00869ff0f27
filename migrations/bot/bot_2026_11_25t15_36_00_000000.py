"""The FAQ's full-text index: an FTS5 table on SQLite, a GIN expression index on PostgreSQL.

bot.faq queries each engine with exactly the expressions made here: on PostgreSQL the
planner only uses an expression index for the very same expression (FAQ_DOCUMENT).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T15:36:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "faq full-text index"

# An external-content FTS5 table stores only the index; the text stays in faq_entry, and
# the triggers below keep the two in step (FTS5's documented pattern for such tables).
SQLITE_DDL = [
    "CREATE VIRTUAL TABLE faq_entry_fts USING fts5("
    "question, answer, content='faq_entry', content_rowid='id', "
    "tokenize='porter unicode61')",
    "CREATE TRIGGER faq_entry_fts_insert AFTER INSERT ON faq_entry BEGIN "
    "INSERT INTO faq_entry_fts (rowid, question, answer) "
    "VALUES (new.id, new.question, new.answer); END",
    "CREATE TRIGGER faq_entry_fts_delete AFTER DELETE ON faq_entry BEGIN "
    "INSERT INTO faq_entry_fts (faq_entry_fts, rowid, question, answer) "
    "VALUES ('delete', old.id, old.question, old.answer); END",
    "CREATE TRIGGER faq_entry_fts_update AFTER UPDATE OF question, answer ON faq_entry BEGIN "
    "INSERT INTO faq_entry_fts (faq_entry_fts, rowid, question, answer) "
    "VALUES ('delete', old.id, old.question, old.answer); "
    "INSERT INTO faq_entry_fts (rowid, question, answer) "
    "VALUES (new.id, new.question, new.answer); END",
    # Rows written before this migration (none in practice, but cheap to be right).
    "INSERT INTO faq_entry_fts (faq_entry_fts) VALUES ('rebuild')",
]

POSTGRES_DDL = [
    "CREATE INDEX faq_entry_search ON faq_entry "
    "USING GIN (to_tsvector('english', question || ' ' || answer))",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="bot", description=DESCRIPTION)

    async def create_search_index():
        engine = engine_finder()
        for ddl in SQLITE_DDL if engine.engine_type == "sqlite" else POSTGRES_DDL:
            await engine.run_ddl(ddl)

    manager.add_raw(create_search_index)
    return manager
