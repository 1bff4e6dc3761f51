"""CSRF tokens, security headers and a per-client rate limiter."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    # Token links (invitations, resume links) must never leak through Referer.
    (b"referrer-policy", b"no-referrer"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


def make_csrf_token(secret: str, scope: str) -> str:
    """Return the CSRF token for ``scope`` (a session seed or a response id)."""
    return hmac.new(secret.encode(), f"csrf:{scope}".encode(), hashlib.sha256).hexdigest()


def check_csrf_token(secret: str, scope: str, token: str | None) -> bool:
    """Whether ``token`` is the CSRF token of ``scope`` (constant-time comparison)."""
    if not token:
        return False
    return hmac.compare_digest(make_csrf_token(secret, scope), token)


def hash_token(token: str) -> str:
    """Hash an invitation or resume token for storage (tokens are 256-bit random)."""
    return hashlib.sha256(token.encode()).hexdigest()


def with_security_headers(send: Send) -> Send:
    """Wrap an ASGI ``send`` so that every response carries the security headers.

    A header the response sets itself is kept; the body is never buffered.
    """

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            present = {name.lower() for name, _ in headers}
            headers.extend(h for h in SECURITY_HEADERS if h[0] not in present)
            message["headers"] = headers
        await send(message)

    return send_with_headers


class RateLimiter:
    """A token bucket per client key: ``rate`` requests per second, ``burst`` at once.

    Kept in the memory of one worker process: with N workers a client gets at most
    N times the rate, which is what this guard needs (it stops floods, not people).
    """

    def __init__(self, *, rate: float, burst: int, max_clients: int = 100_000) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError(f"rate must be > 0 and burst >= 1, got {rate=} {burst=}")
        self.rate = rate
        self.burst = burst
        self.max_clients = max_clients
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, *, now: float | None = None) -> bool:
        """Take one token from ``key``'s bucket; False when it is empty."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            allowed = tokens >= 1.0
            self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
            if len(self._buckets) > self.max_clients:
                self._buckets.clear()
            return allowed
