"""The core knows nothing of its extensions: `events` imports neither `bot` nor `certs`,
and they reach the app only as plugins (pyproject's ``convene.plugins`` entry points)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

from events.config import get_settings
from events.extensions import ConvenePlugin, discover

CORE = Path(__file__).resolve().parents[2] / "src" / "events"
EXTENSIONS = ("bot", "certs")
MODULE_PATH = re.compile(r"(?:bot|certs)(?:\.\w+)+(?::\w+)?")


def _imported_modules(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Constant) and MODULE_PATH.fullmatch(str(node.value)):
            names.add(node.value)  # importlib.import_module("bot.x") and the like
    return names


def test_no_module_of_the_core_imports_an_extension():
    offenders = {
        f"{path.relative_to(CORE)}: {name}"
        for path in CORE.rglob("*.py")
        for name in _imported_modules(ast.parse(path.read_text()))
        if name.split(".")[0] in EXTENSIONS
    }
    assert not offenders


def test_the_core_runs_without_its_extensions():
    """create_app() with no plugins imports nothing of bot or certs, at start-up or later."""
    probe = (
        "import sys\n"
        "from events.app import create_app\n"
        "app = create_app(plugins=[])\n"
        "paths = {route.path for route in app.routes}\n"
        "assert '/slack/events' not in paths and '/api/events/{slug:str}' in paths, paths\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('bot', 'certs'))\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True)


def test_the_installed_extensions_are_the_bot_and_certificates():
    plugins = discover(get_settings())
    assert [plugin.name for plugin in plugins] == ["bot", "certs"]
    assert all(isinstance(plugin, ConvenePlugin) for plugin in plugins)
