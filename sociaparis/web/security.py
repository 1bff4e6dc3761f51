"""CSRF tokens, security headers, the client's address and a per-client rate limiter."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from typing import Any
from urllib.parse import urlsplit

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
# Every page and download holds personal data (answers, exports): no cache keeps it.
NO_STORE = (b"cache-control", b"no-store")


def make_csrf_token(secret: str, scope: str) -> str:
    """Return the CSRF token for ``scope`` (a session seed or a response id)."""
    return hmac.new(secret.encode(), f"csrf:{scope}".encode(), hashlib.sha256).hexdigest()


def check_csrf_token(secret: str, scope: str, token: str | None) -> bool:
    """Whether ``token`` is the CSRF token of ``scope`` (constant-time comparison)."""
    if not token:
        return False
    return hmac.compare_digest(make_csrf_token(secret, scope), token)


def with_security_headers(send: Send, *, no_store: bool = True) -> Send:
    """Wrap an ASGI ``send`` so that every response carries the security headers.

    With ``no_store`` (every response but the static files), the response also
    says ``Cache-Control: no-store``. A header the response sets itself is kept;
    the body is never buffered.
    """
    added = [*SECURITY_HEADERS, NO_STORE] if no_store else SECURITY_HEADERS

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            present = {name.lower() for name, _ in headers}
            headers.extend(h for h in added if h[0] not in present)
            message["headers"] = headers
        await send(message)

    return send_with_headers


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(addresses: Iterable[str]) -> tuple[Network, ...]:
    """The networks of ``addresses`` (single addresses or CIDR networks)."""
    return tuple(ipaddress.ip_network(a, strict=False) for a in addresses)


def _trusted(host: str, proxies: tuple[Network, ...]) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in proxies)


def resolve_client(scope: Scope, proxies: tuple[Network, ...]) -> None:
    """Put the real client's address in ``scope`` when a trusted proxy sent it.

    Only a peer in ``proxies`` is believed: its ``X-Forwarded-For`` is read from
    the right, skipping the trusted proxies, and the first other address is the
    client (the left part of the header is whatever the client wrote). Its
    ``X-Forwarded-Proto`` gives the scheme. From any other peer the headers are
    ignored, so that a client cannot pick a new address per request.
    """
    client = scope.get("client")
    if not proxies or not client or not _trusted(client[0], proxies):
        return
    forwarded_for = forwarded_proto = None
    for name, value in scope["headers"]:
        if name == b"x-forwarded-for":
            forwarded_for = value.decode("latin-1")
        elif name == b"x-forwarded-proto":
            forwarded_proto = value.decode("latin-1").strip().lower()
    if forwarded_for:
        hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
        for hop in reversed(hops):
            if not _trusted(hop, proxies):
                scope["client"] = (hop, 0)
                break
        else:
            if hops:
                scope["client"] = (hops[0], 0)
    if forwarded_proto in {"http", "https"}:
        scope["scheme"] = forwarded_proto


def served_url(scope: Scope, base_url: str) -> str:
    """The address to write into links: ``base_url``, else the one served on.

    The ``Host`` header is never used: anyone can write any host into it.
    """
    if base_url:
        return base_url
    server = scope.get("server")
    if not server:
        return ""
    host, port = server[0], server[1]
    host = f"[{host}]" if ":" in host else host
    scheme = scope.get("scheme", "http")
    default = {"http": 80, "https": 443}.get(scheme)
    return (
        f"{scheme}://{host}" if port in (None, default) else f"{scheme}://{host}:{port}"
    )


def is_cross_site(headers: Mapping[str, str], base_url: str) -> bool:
    """Whether a form post comes from another site, by the headers browsers add.

    A browser's ``Sec-Fetch-Site`` decides when present: only ``same-origin`` and
    ``none`` (typed by the person) are this site. Without it, an ``Origin`` is
    compared, host and port, with the ``Host`` the browser addressed (and with
    ``base_url``); ``Origin: null``, which browsers send under
    ``Referrer-Policy: no-referrer``, proves nothing either way. A request with
    neither header (not a browser's form) is left to the CSRF token.
    """
    site = headers.get("sec-fetch-site")
    if site is not None:
        return site.lower() not in {"same-origin", "none"}
    origin = headers.get("origin")
    if origin is None or origin == "null":
        return False
    origin_host = urlsplit(origin).netloc.lower()
    own = {headers.get("host", "").lower()}
    if base_url:
        own.add(urlsplit(base_url).netloc.lower())
    return origin_host not in own


class RateLimiter:
    """A token bucket per client key: ``rate`` requests per second, ``burst`` at once.

    Kept in the memory of one worker process: with N workers a client gets at most
    N times the rate, which is what this guard needs (it stops floods, not people).

    At most ``max_clients`` keys are kept. When a new key finds the table full,
    the least recently seen key that still has a token goes (forgetting it at
    worst gives that client its burst again); a blocked client (no token left) is
    never forgotten. When every kept key is blocked, the new key is refused
    without being kept.
    """

    def __init__(self, *, rate: float, burst: int, max_clients: int = 100_000) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError(f"rate must be > 0 and burst >= 1, got {rate=} {burst=}")
        if max_clients < 1:
            raise ValueError(f"max_clients must be 1 or more, got {max_clients}")
        self.rate = rate
        self.burst = burst
        self.max_clients = max_clients
        # Least recently seen first.
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._buckets)

    def _tokens(self, bucket: tuple[float, float], now: float) -> float:
        tokens, last = bucket
        return min(float(self.burst), tokens + (now - last) * self.rate)

    def allow(self, key: str, *, now: float | None = None) -> bool:
        """Take one token from ``key``'s bucket; False when it is empty."""
        now = time.monotonic() if now is None else now
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                if len(self._buckets) >= self.max_clients and not self._evict(now):
                    return False
                tokens = float(self.burst)
            else:
                tokens = self._tokens(bucket, now)
                self._buckets.move_to_end(key)
            allowed = tokens >= 1.0
            self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
            return allowed

    def _evict(self, now: float) -> bool:
        """Forget the least recently seen key that is not blocked; False if none."""
        for key, bucket in self._buckets.items():
            if self._tokens(bucket, now) >= 1.0:
                del self._buckets[key]
                return True
        return False
