from piccolo.conf.apps import AppConfig

from events.config import PROJECT_ROOT
from events.tables import ALL_TABLES

APP_CONFIG = AppConfig(
    app_name="events",
    migrations_folder_path=str(PROJECT_ROOT / "migrations" / "events"),
    table_classes=ALL_TABLES,
)
