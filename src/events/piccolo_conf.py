"""Piccolo's configuration (PICCOLO_CONF=events.piccolo_conf, set in events/__init__.py).

The engine comes from DATABASE_URL (events.db). The apps: the core's, each installed
extension's (pyproject's ``convene.piccolo_apps`` entry points, so the core names none),
and Piccolo Admin's accounts and sessions (events.admin).
"""

from importlib.metadata import entry_points

from piccolo.conf.apps import AppRegistry

from events.db import DB  # noqa: F401 - Piccolo's engine_finder looks for it here

EXTENSION_APPS = sorted(entry.value for entry in entry_points(group="convene.piccolo_apps"))

APP_REGISTRY = AppRegistry(
    apps=[
        "events.piccolo_app",
        *EXTENSION_APPS,
        "piccolo.apps.user.piccolo_app",
        "piccolo_api.session_auth.piccolo_app",
    ]
)
