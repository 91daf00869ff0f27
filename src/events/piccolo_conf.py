"""Piccolo's configuration: the engine comes from DATABASE_URL (see events.db)."""

from piccolo.conf.apps import AppRegistry

APP_REGISTRY = AppRegistry(
    apps=[
        "events.piccolo_app",
        "certs.piccolo_app",
        "bot.piccolo_app",
        # Piccolo Admin's accounts and sessions (events.admin)
        "piccolo.apps.user.piccolo_app",
        "piccolo_api.session_auth.piccolo_app",
    ]
)
