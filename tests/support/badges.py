"""Digital Bazaar's verifiable-credential libraries as an independent verifier of the
signed Open Badges: ``install().verify(credential)`` runs ``badge_verify.mjs`` and returns
``{"verified": bool, "errors": [...]}``."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.support import node

SCRIPT = Path(__file__).with_name("badge_verify.mjs")
OPEN_BADGES_CONTEXT = node.ROOT / "src" / "certs" / "contexts" / "ob-v3p0-context-3.0.3.json"
PACKAGES = {
    "@digitalbazaar/vc": "7",
    "@digitalbazaar/data-integrity": "2",
    "@digitalbazaar/eddsa-rdfc-2022-cryptosuite": "1",
    "@digitalbazaar/security-document-loader": "3",
}


@dataclass(frozen=True)
class BadgeVerifier:
    node: str
    script: Path

    def verify(self, credential: dict) -> dict:
        done = subprocess.run(
            [self.node, str(self.script), str(OPEN_BADGES_CONTEXT)],
            input=json.dumps(credential).encode(),
            cwd=self.script.parent,
            capture_output=True,
            timeout=60,
        )
        if done.returncode != 0:
            raise AssertionError(f"the badge verifier failed:\n{done.stderr.decode()}")
        return json.loads(done.stdout)


def install(cache: Path = node.CACHE) -> BadgeVerifier:
    node.install(PACKAGES, cache)
    return BadgeVerifier(node=node.tool("node"), script=node.place_script(SCRIPT, cache))
