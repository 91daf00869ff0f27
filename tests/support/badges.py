"""Digital Bazaar's verifiable-credential libraries as an independent verifier of the
signed Open Badges: ``install().verify(credential)`` runs ``badge_verify.mjs`` and returns
``{"verified": bool, "errors": [...]}``; ``check_schema(credential)`` validates a badge
against 1EdTech's JSON schema of an OB 3.0 AchievementCredential.

The schema file is 1EdTech's own, as their spec repository's build published it
(openbadges-specification, docs/schema/achievementcredential.json at c73e966, July 2024:
the VC 2.0 form with ``validFrom``), bundled so the tests fetch nothing. It does not say
that a subject needs ``id`` or ``identifier`` (the spec's prose does): ``check_schema``
checks that too."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from jsonschema import Draft201909Validator

from tests.support import node

SCRIPT = Path(__file__).with_name("badge_verify.mjs")
SCHEMA = Path(__file__).with_name("ob_v3p0_achievementcredential_schema.json")
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


def check_schema(credential: dict) -> None:
    """Raises ``jsonschema.ValidationError`` (or AssertionError) unless ``credential`` is
    an OB 3.0 AchievementCredential whose subject is identified."""
    validator = Draft201909Validator(
        json.loads(SCHEMA.read_text()), format_checker=Draft201909Validator.FORMAT_CHECKER
    )
    validator.validate(credential)
    subject = credential["credentialSubject"]
    assert subject.get("id") or subject.get("identifier"), "OB 3.0: id or identifier"
