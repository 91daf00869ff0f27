"""Node packages for the tests' independent checkers (ical.js, axe-core, the badge
verifier): installed once into ``<repo>/.cache/node`` with npm. A missing or failing
node/npm fails the tests: nothing is skipped."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache" / "node"


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(f"'{name}' is not on PATH: the tests need Node 20 and npm.")
    return path


def installed_version(package: str, cache: Path = CACHE) -> str | None:
    manifest = cache / "node_modules" / package / "package.json"
    return json.loads(manifest.read_text())["version"] if manifest.exists() else None


def install(packages: dict[str, str], cache: Path = CACHE) -> Path:
    """``packages``: name -> major version. Installs those missing or of another major
    version; returns the folder whose node_modules/ they are in."""
    wanted = [
        f"{name}@{major}"
        for name, major in packages.items()
        if not (installed_version(name, cache) or "").startswith(f"{major}.")
    ]
    if wanted:
        cache.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [tool("npm"), "install", "--no-audit", "--no-fund", "--prefix", str(cache), *wanted],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode != 0 or any(installed_version(n, cache) is None for n in packages):
            raise RuntimeError(
                f"npm install {' '.join(wanted)} failed:\n{done.stdout}\n{done.stderr}"
            )
    return cache


def place_script(script: Path, cache: Path = CACHE) -> Path:
    """ES modules ignore NODE_PATH: a script must sit where node_modules/ resolves."""
    placed = cache / script.name
    if not placed.exists() or placed.read_bytes() != script.read_bytes():
        shutil.copyfile(script, placed)
    return placed
