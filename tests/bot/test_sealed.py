"""Workspace tokens sealed at rest: only this SECRET_KEY opens them."""

from __future__ import annotations

from types import SimpleNamespace

from bot import sealed


def test_a_sealed_token_opens_with_the_same_key_only(monkeypatch):
    token = "xoxb-123-456-secret"
    first, second = sealed.seal(token), sealed.seal(token)
    assert token not in first and first != second  # a fresh nonce each time
    assert sealed.unseal(first) == token
    tampered = first[:-4] + ("AAAA" if not first.endswith("AAAA") else "BBBB")
    assert sealed.unseal(tampered) is None
    monkeypatch.setattr(sealed, "get_settings", lambda: SimpleNamespace(secret_key="another"))
    assert sealed.unseal(first) is None


def test_rows_written_before_sealing_still_read():
    assert sealed.unseal("xoxb-old-plain") == "xoxb-old-plain"
