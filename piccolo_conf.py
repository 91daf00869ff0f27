"""For Piccolo's own command line run from the project root (``piccolo migrations ...``):
the configuration lives in the package, where every process finds it."""

from events.piccolo_conf import APP_REGISTRY, DB  # noqa: F401
