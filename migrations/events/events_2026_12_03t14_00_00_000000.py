"""Region aliases: the other names members give a region (a city, a state, a nickname),
used by the bot, the web filters and the API's ``q=``. Admins edit them in /admin.

Existing databases get the demo coalition's aliases for the regions they already have
(matched by slug); new ones get them from ``convene demo``. The list is copied here, as a
migration must not change when the demo does.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-12-03T14:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "region aliases"

# Normalized as events.services.understanding.text.normalize does: lower case, words
# separated by single spaces, no punctuation.
SEED = {
    "colorado": ["colorado", "co", "denver", "boulder", "front range", "csca"],
    "southern-arizona": [
        "tucson", "southern arizona", "southern az", "south arizona", "pima", "az", "arizona",
    ],
    "the-connective": [
        "phoenix", "the valley", "valley of the sun", "greater phoenix", "phx", "scottsdale",
        "tempe", "mesa", "connective", "az", "arizona",
    ],
    "north-florida": [
        "jacksonville", "jax", "north florida", "northeast florida", "ne florida", "florida",
        "fl",
    ],
    "north-texas": [
        "dallas", "dfw", "fort worth", "ft worth", "dallas fort worth", "north texas",
        "arlington", "texas", "tx",
    ],
    "illinois": ["chicago", "chicagoland", "illinois", "il"],
    "kansas-city": ["kansas city", "kc", "kcmo", "kck", "missouri", "kansas", "mo"],
    "national": ["national", "nationwide", "nscp", "coalition wide"],
}  # fmt: skip


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="events", description=DESCRIPTION)

    async def migrate():
        engine = engine_finder()
        primary_key = (
            "SERIAL PRIMARY KEY" if isinstance(engine, PostgresEngine) else "INTEGER PRIMARY KEY"
        )
        await engine.run_ddl(
            f"""CREATE TABLE region_alias (
                id {primary_key},
                region INTEGER NOT NULL REFERENCES region (id) ON DELETE CASCADE,
                alias VARCHAR(80) NOT NULL DEFAULT ''
            )"""
        )
        await engine.run_ddl(
            "CREATE UNIQUE INDEX region_alias_unique ON region_alias (alias, region)"
        )
        await engine.run_ddl("CREATE INDEX region_alias_region ON region_alias (region)")
        for slug, aliases in SEED.items():  # plain words: safe as literals
            for alias in aliases:
                await engine.run_ddl(
                    "INSERT INTO region_alias (region, alias) "
                    f"SELECT id, '{alias}' FROM region WHERE slug = '{slug}'"
                )

    manager.add_raw(migrate)
    return manager
