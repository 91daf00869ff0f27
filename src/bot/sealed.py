"""Workspace tokens at rest: what an OAuth install leaves (its bot token) is kept sealed
with AES-256-GCM, under a key derived from SECRET_KEY, so a copy of the database alone does
not let anyone act as the bot. Changing SECRET_KEY means installing the app again."""

from __future__ import annotations

import base64
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from events.config import derived_key, get_settings

PREFIX = "v1:"
CONTEXT = b"slack_installation"  # authenticated with each value: it only opens here


@lru_cache(maxsize=1)
def _cipher(secret_key: str) -> AESGCM:
    return AESGCM(derived_key(secret_key, "convene slack tokens"))


def seal(text: str) -> str:
    nonce = os.urandom(12)
    sealed = _cipher(get_settings().secret_key).encrypt(nonce, text.encode(), CONTEXT)
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal(value: str) -> str | None:
    """The text, or None when it was sealed under another SECRET_KEY (or tampered with)."""
    if not value.startswith(PREFIX):
        return value  # written before sealing
    raw = base64.urlsafe_b64decode(value.removeprefix(PREFIX))
    try:
        return _cipher(get_settings().secret_key).decrypt(raw[:12], raw[12:], CONTEXT).decode()
    except InvalidTag:
        return None
