"""Convene core: configuration, database, domain rules and the HTTP API."""

import os

# Piccolo finds its configuration by module name when it needs the app registry
# (migrations, the engine of a table defined without one). It lives in the package, so any
# process (uvicorn, the taskiq worker, a script) finds it whatever its working directory.
# Set, not defaulted: a PICCOLO_CONF left at Piccolo's own default, ``piccolo_conf``, is
# importable from the repository's root only, and broke the worker's sweep elsewhere.
os.environ["PICCOLO_CONF"] = "events.piccolo_conf"
