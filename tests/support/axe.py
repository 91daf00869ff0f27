"""Deque's axe-core as the accessibility checker of the browser tests.

``install()`` puts axe-core 4.x into ``<repo>/.cache/node`` once (npm, like ical.js in
icaljs.py) and returns the path of ``axe.min.js``; ``audit(page)`` injects it into a
Playwright page, runs ``axe.run()`` and returns the violations of serious or critical
impact. A missing or failing npm fails the tests: nothing is skipped.
"""

from __future__ import annotations

from pathlib import Path

from tests.support import node

BLOCKING = ("serious", "critical")


def install(cache: Path = node.CACHE) -> Path:
    return node.install({"axe-core": "4"}, cache) / "node_modules" / "axe-core" / "axe.min.js"


async def audit(page, script: Path) -> list[dict]:
    """The page's serious and critical violations (WCAG 2.x A and AA, and best practices)."""
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through DevTools rather than added as a <script>: the pages'
        # Content-Security-Policy refuses inline scripts, and the tests fail on a violation.
        await page.evaluate(f"{script.read_text()}\n;undefined")
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
        for element in violation["nodes"][:5]:
            lines.append(f"    {element['target']}: {element['html'][:200]}")
            lines.append(f"      {(element['summary'] or '').replace(chr(10), ' ')[:300]}")
    return "\n".join(lines)
