"""Mozilla's ical.js as an independent iCalendar reader for the feed tests.

``install()`` puts ical.js 2.x into ``<repo>/.cache/node`` once (npm) and copies
``icaljs.mjs`` next to it, so Node resolves ``import ICAL from "ical.js"`` from there.
``IcalJs.parse(text)`` runs the script and returns what ical.js read, as a dict.
A missing or failing node/npm fails the tests: nothing is skipped.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.support import node

SCRIPT = Path(__file__).with_name("icaljs.mjs")


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


def install(cache: Path = node.CACHE) -> IcalJs:
    node.install({"ical.js": "2"}, cache)
    return IcalJs(node=node.tool("node"), script=node.place_script(SCRIPT, cache))
