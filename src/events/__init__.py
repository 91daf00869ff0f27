"""Convene core: configuration, database, domain rules and the HTTP API."""

import os

# Piccolo finds its configuration by module name when it needs the app registry (the
# admin's session tables, migrations). It lives in the package, so any process (uvicorn,
# the taskiq worker, a script) finds it whatever its working directory.
os.environ.setdefault("PICCOLO_CONF", "events.piccolo_conf")
