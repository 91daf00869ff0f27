"""Signed Open Badges: a Data Integrity proof (``eddsa-rdfc-2022``) on each credential.

Each region issues with its own Ed25519 key, derived from SECRET_KEY (HKDF, the region's
slug as context), and is named by the matching ``did:key``: a verifier reads the public key
from the identifier itself, with nothing to fetch from Convene. The proof follows the W3C
EdDSA Cryptosuites v1.0: RDF-canonicalize the proof options and the credential (the JSON-LD
contexts are bundled in ``contexts/``), hash each with SHA-256, sign the two hashes
together, encode the signature as base58btc multibase.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import base58
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from pyld import jsonld

from events.config import get_settings

CONTEXTS_DIR = Path(__file__).parent / "contexts"
CONTEXT_FILES = {
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-v3p0-context-3.0.3.json",
}
ED25519_PUBLIC_KEY = b"\xed\x01"  # multicodec prefix of a did:key's Ed25519 public key


class UnknownContext(Exception):
    """A credential named a context that is not bundled: nothing is fetched from the web."""


@lru_cache(maxsize=len(CONTEXT_FILES))
def _context(url: str) -> dict:
    return json.loads((CONTEXTS_DIR / CONTEXT_FILES[url]).read_text())


def _load_document(url: str, options: dict | None = None) -> dict:
    if url not in CONTEXT_FILES:
        raise UnknownContext(url)
    return {"contextUrl": None, "documentUrl": url, "document": _context(url)}


def _canonical(document: dict) -> bytes:
    options = {
        "algorithm": "URDNA2015",  # RDFC-1.0
        "format": "application/n-quads",
        "documentLoader": _load_document,
        "safe": True,  # a term no context defines is an error, not silently dropped
    }
    return jsonld.normalize(document, options).encode()


@lru_cache(maxsize=64)
def _key(secret_key: str, region_slug: str) -> Ed25519PrivateKey:
    seed = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=b"convene open badges signing key\0" + region_slug.encode(),
    ).derive(secret_key.encode())
    return Ed25519PrivateKey.from_private_bytes(seed)


def _multibase(raw: bytes) -> str:
    return "z" + base58.b58encode(raw).decode()


def issuer_did(region_slug: str) -> str:
    """The region's issuer identifier: ``did:key`` of its public key."""
    public = _key(get_settings().secret_key, region_slug).public_key()
    return "did:key:" + _multibase(
        ED25519_PUBLIC_KEY + public.public_bytes(Encoding.Raw, PublicFormat.Raw)
    )


def sign(credential: dict, region_slug: str, created: datetime) -> dict:
    """The credential with its proof; ``credential["issuer"]["id"]`` must be the region's
    ``issuer_did``, and ``created`` fixes the proof (one credential, one signature: Ed25519
    is deterministic, so a signed credential is remembered rather than canonicalized again)."""
    stamp = created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    text = _signed(json.dumps(credential, sort_keys=True), region_slug, stamp)
    return json.loads(text)


@lru_cache(maxsize=1024)
def _signed(credential_json: str, region_slug: str, created: str) -> str:
    credential = json.loads(credential_json)
    did = issuer_did(region_slug)
    options = {
        "@context": credential["@context"],
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": created,
        "verificationMethod": f"{did}#{did.removeprefix('did:key:')}",
        "proofPurpose": "assertionMethod",
    }
    signed_bytes = (
        hashlib.sha256(_canonical(options)).digest()
        + hashlib.sha256(_canonical(credential)).digest()
    )
    signature = _key(get_settings().secret_key, region_slug).sign(signed_bytes)
    proof = {key: value for key, value in options.items() if key != "@context"}
    # A set of one: OB 3.0's JSON schema takes ``proof`` as an array only (Data Integrity
    # allows either form, and the signature covers the credential without it).
    return json.dumps({**credential, "proof": [{**proof, "proofValue": _multibase(signature)}]})
