from piccolo.conf.apps import AppConfig

from bot.tables import ALL_TABLES
from events.config import PROJECT_ROOT

APP_CONFIG = AppConfig(
    app_name="bot",
    migrations_folder_path=str(PROJECT_ROOT / "migrations" / "bot"),
    table_classes=ALL_TABLES,
    migration_dependencies=["events.piccolo_app"],
)
