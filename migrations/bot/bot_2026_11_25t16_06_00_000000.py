"""One installation per workspace (or per org for an org-wide install)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T16:06:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique slack installation per team"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="bot", description=DESCRIPTION)

    async def create_index():
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX slack_installation_team "
            "ON slack_installation (COALESCE(enterprise_id, ''), COALESCE(team_id, ''))"
        )

    manager.add_raw(create_index)
    return manager
