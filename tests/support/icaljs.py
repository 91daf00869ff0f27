"""Mozilla's ical.js as an independent iCalendar reader for the feed tests.

``install()`` puts ical.js 2.x into ``<repo>/.cache/node`` once (npm) and copies
``icaljs.mjs`` next to it, so Node resolves ``import ICAL from "ical.js"`` from there.
``IcalJs.parse(text)`` runs the script and returns what ical.js read, as a dict.
A missing or failing node/npm fails the tests: nothing is skipped.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache" / "node"
SCRIPT = Path(__file__).with_name("icaljs.mjs")
PACKAGE = "ical.js@2"


def _installed_version(cache: Path) -> str | None:
    manifest = cache / "node_modules" / "ical.js" / "package.json"
    if not manifest.exists():
        return None
    return json.loads(manifest.read_text())["version"]


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(f"'{name}' is not on PATH: the calendar tests need Node 20 and npm.")
    return path


@dataclass(frozen=True)
class IcalJs:
    node: str
    script: Path

    def parse(self, text: str | bytes) -> dict:
        data = text.encode() if isinstance(text, str) else text
        done = subprocess.run(
            [self.node, str(self.script)],
            input=data,
            cwd=self.script.parent,
            capture_output=True,
            timeout=60,
        )
        if done.returncode != 0:
            raise AssertionError(
                f"ical.js could not parse the calendar:\n{done.stderr.decode()}\n"
                f"--- input ---\n{data.decode(errors='replace')}"
            )
        return json.loads(done.stdout)


def install(cache: Path = CACHE) -> IcalJs:
    node = _tool("node")
    version = _installed_version(cache)
    if version is None or not version.startswith("2."):
        cache.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [_tool("npm"), "install", "--no-audit", "--no-fund", "--prefix", str(cache), PACKAGE],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode != 0 or _installed_version(cache) is None:
            raise RuntimeError(f"npm install {PACKAGE} failed:\n{done.stdout}\n{done.stderr}")
    # ES modules ignore NODE_PATH: the script must sit where node_modules/ resolves.
    script = cache / SCRIPT.name
    if not script.exists() or script.read_bytes() != SCRIPT.read_bytes():
        shutil.copyfile(SCRIPT, script)
    return IcalJs(node=node, script=script)
