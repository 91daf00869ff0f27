"""How many wrong passwords the console's login takes, and from whom.

Three counters of failures, 15 minutes each (limits in ``config.RateLimits``):

- per client, any accounts: one client cannot try many accounts;
- per client and account: the classic lockout, but only for the client that failed, so
  someone typing wrong passwords for an organizer's address locks out themselves, not
  the organizer;
- per account, from all clients: guessing spread over many addresses stops too, except
  for browsers that have logged in to that account before. A successful login leaves a
  device cookie (an HMAC of the address under SECRET_KEY, scoped to the login form), so
  the organizer's own browser keeps working while an attack goes on.

Refused attempts check no password and count nothing more. Every checked failure takes
the same argon2 time (``organizers.check_password``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from litestar import Request
from litestar.datastructures import Cookie

from events.config import derived_key, get_settings
from events.ratelimit import Limit, client_of, limiter

WINDOW = 15 * 60
DEVICE_COOKIE = "convene_device"
DEVICE_AGE = 365 * 24 * 3600
LOCKED = "Too many failed attempts. Wait 15 minutes and try again."


def _limits() -> tuple[Limit, Limit, Limit]:
    limits = get_settings().rate_limits
    return (
        Limit("login:client", limits.login_failures_per_client, WINDOW),
        Limit("login:client-account", limits.login_failures_per_account, WINDOW),
        Limit("login:account", limits.login_failures_per_account_all, WINDOW),
    )


def _mac(account: str, nonce: str) -> str:
    key = derived_key(get_settings().secret_key, "convene login device")
    return hmac.new(key, f"{account}\0{nonce}".encode(), hashlib.sha256).hexdigest()


class LoginThrottle:
    def __init__(self, request: Request, email: str) -> None:
        self.request = request
        self.account = email.strip().lower()
        self.client = client_of(request)
        self.per_client, self.per_pair, self.per_account = _limits()

    def _known_device(self) -> bool:
        nonce, _, mac = (self.request.cookies.get(DEVICE_COOKIE) or "").partition(".")
        return bool(nonce) and hmac.compare_digest(mac, _mac(self.account, nonce))

    async def locked(self) -> bool:
        limits = limiter()
        if await limits.exceeded(self.per_client, self.client):
            return True
        if await limits.exceeded(self.per_pair, f"{self.client}\0{self.account}"):
            return True
        return await limits.exceeded(self.per_account, self.account) and not self._known_device()

    async def failed(self) -> None:
        limits = limiter()
        await limits.hit(self.per_client, self.client)
        await limits.hit(self.per_pair, f"{self.client}\0{self.account}")
        await limits.hit(self.per_account, self.account)

    async def succeeded(self) -> Cookie:
        """Forget this client's failures for the account; the device cookie to set."""
        await limiter().clear(self.per_pair, f"{self.client}\0{self.account}")
        nonce = secrets.token_urlsafe(16)
        return Cookie(
            key=DEVICE_COOKIE,
            value=f"{nonce}.{_mac(self.account, nonce)}",
            path="/console/login",
            max_age=DEVICE_AGE,
            httponly=True,
            samesite="strict",
            secure=get_settings().base_url.startswith("https://"),
        )
