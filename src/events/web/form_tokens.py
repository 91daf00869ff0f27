"""Per-form CSRF tokens: ``<issued>.<nonce>.<HMAC-SHA256(SECRET_KEY, purpose, nonce, issued)>``.

Why not Litestar's CSRFConfig: it is app-wide, so the JSON API (bearer tokens), Slack's
signed POSTs and the calendar and certificate routes would all need excluding, and each
route added later would be protected or broken by accident. Its double-submit cookie also
needs a cookie-setting GET before every form. These forms carry no ambient authority
(no session or login cookie), so what a token must prove is only that the POST comes from
a page this server rendered for this purpose, recently: a stateless HMAC does that, works
on every process that shares SECRET_KEY, and stays local to the forms that use it.
The capability links (confirm, manage) hold their own secret in the URL as well.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

from events.config import get_settings

TOKEN_LIFETIME = 6 * 3600  # seconds a rendered form stays usable
CLOCK_SKEW = 300  # processes' clocks may differ a little


def _mac(purpose: str, nonce: str, issued: int) -> str:
    key = get_settings().secret_key.encode()
    digest = hmac.new(key, f"form:{purpose}:{nonce}:{issued}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def issue(purpose: str, now: float | None = None) -> str:
    issued = int(time.time() if now is None else now)
    nonce = secrets.token_urlsafe(12)
    return f"{issued}.{nonce}.{_mac(purpose, nonce, issued)}"


def is_valid(purpose: str, token: str | None, now: float | None = None) -> bool:
    issued_text, _, rest = (token or "").partition(".")
    nonce, _, mac = rest.partition(".")
    if not (issued_text.isdigit() and nonce and mac):
        return False
    issued = int(issued_text)
    now = time.time() if now is None else now
    if not (now - TOKEN_LIFETIME <= issued <= now + CLOCK_SKEW):
        return False
    return hmac.compare_digest(_mac(purpose, nonce, issued), mac)
