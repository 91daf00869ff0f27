"""Verification codes: 140 random bits as 28 characters of Crockford base32, printed
in seven groups of four."""

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # no I, L, O, U: nothing to misread
LENGTH = 28


def new_code() -> str:
    value = secrets.randbits(LENGTH * 5)
    return "".join(ALPHABET[(value >> (5 * i)) & 31] for i in range(LENGTH))


def normalize(text: str) -> str | None:
    """Accept what people type: any case, dashes and spaces, O for 0, I and L for 1."""
    cleaned = text.upper().replace("-", "").replace(" ", "")
    cleaned = cleaned.translate(str.maketrans("OIL", "011"))
    if len(cleaned) != LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return None
    return cleaned
