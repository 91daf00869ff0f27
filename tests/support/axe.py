"""Deque's axe-core as the accessibility checker of the browser tests.

``install()`` puts axe-core 4.x into ``<repo>/.cache/node`` once (npm, like ical.js in
icaljs.py) and returns the path of ``axe.min.js``; ``audit(page)`` injects it into a
Playwright page, runs ``axe.run()`` and returns the violations of serious or critical
impact. A missing or failing npm fails the tests: nothing is skipped.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache" / "node"
PACKAGE = "axe-core@4"
BLOCKING = ("serious", "critical")


def _installed_version(cache: Path) -> str | None:
    manifest = cache / "node_modules" / "axe-core" / "package.json"
    if not manifest.exists() or not (manifest.parent / "axe.min.js").exists():
        return None
    return json.loads(manifest.read_text())["version"]


def install(cache: Path = CACHE) -> Path:
    version = _installed_version(cache)
    if version is None or not version.startswith("4."):
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("'npm' is not on PATH: the browser tests need it for axe-core.")
        cache.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--prefix", str(cache), PACKAGE],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode != 0 or _installed_version(cache) is None:
            raise RuntimeError(f"npm install {PACKAGE} failed:\n{done.stdout}\n{done.stderr}")
    return cache / "node_modules" / "axe-core" / "axe.min.js"


async def audit(page, script: Path) -> list[dict]:
    """The page's serious and critical violations (WCAG 2.x A and AA, and best practices)."""
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.add_script_tag(path=str(script))
    result = await page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({
                    target: n.target.join(" "), html: n.html, summary: n.failureSummary,
                })),
            }));
        }"""
    )
    return [violation for violation in result if violation["impact"] in BLOCKING]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {node['target']}: {node['html'][:200]}")
            lines.append(f"      {(node['summary'] or '').replace(chr(10), ' ')[:300]}")
    return "\n".join(lines)
