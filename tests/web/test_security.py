"""The pure parts of web/security.py: proxies, cross-site posts, the links' address."""

from __future__ import annotations

import pytest

from sociaparis.web.security import (
    is_cross_site,
    parse_networks,
    resolve_client,
    served_url,
)


def _scope(peer: str, forwarded: str | None = None, proto: str | None = None) -> dict:
    headers = []
    if forwarded is not None:
        headers.append((b"x-forwarded-for", forwarded.encode()))
    if proto is not None:
        headers.append((b"x-forwarded-proto", proto.encode()))
    return {"client": (peer, 5000), "headers": headers, "scheme": "http"}


@pytest.mark.parametrize(
    ("proxies", "peer", "forwarded", "client"),
    [
        ((), "127.0.0.1", "1.2.3.4", "127.0.0.1"),
        (("10.0.0.0/8",), "127.0.0.1", "1.2.3.4", "127.0.0.1"),
        (("127.0.0.1",), "127.0.0.1", "1.2.3.4", "1.2.3.4"),
        # the client wrote the left part itself: the proxy's addition wins
        (("127.0.0.1",), "127.0.0.1", "6.6.6.6, 1.2.3.4", "1.2.3.4"),
        (("127.0.0.1", "10.0.0.0/8"), "127.0.0.1", "1.2.3.4, 10.1.1.1", "1.2.3.4"),
        (("127.0.0.1",), "127.0.0.1", None, "127.0.0.1"),
        (("::1",), "::1", "2001:db8::1", "2001:db8::1"),
    ],
)
def test_forwarded_for_is_read_only_from_trusted_proxies(
    proxies: tuple[str, ...], peer: str, forwarded: str | None, client: str
) -> None:
    scope = _scope(peer, forwarded)
    resolve_client(scope, parse_networks(proxies))
    assert scope["client"][0] == client


@pytest.mark.parametrize(
    ("headers", "base_url", "cross"),
    [
        ({"host": "a.fr"}, "", False),
        ({"host": "a.fr", "origin": "https://a.fr"}, "", False),
        ({"host": "a.fr", "origin": "https://evil.example"}, "", True),
        ({"host": "a.fr", "origin": "null"}, "", False),
        ({"host": "a.fr", "sec-fetch-site": "cross-site"}, "", True),
        ({"host": "a.fr", "sec-fetch-site": "same-site"}, "", True),
        ({"host": "a.fr", "sec-fetch-site": "same-origin"}, "", False),
        # the browser's own word wins over an Origin a proxy's Host cannot match
        (
            {"host": "x:8000", "origin": "https://a.fr", "sec-fetch-site": "same-origin"},
            "",
            False,
        ),
        (
            {"host": "a.fr", "origin": "https://a.fr", "sec-fetch-site": "cross-site"},
            "",
            True,
        ),
        ({"host": "127.0.0.1:8000", "origin": "https://a.fr"}, "https://a.fr", False),
    ],
)
def test_cross_site_posts_are_told_by_origin_and_sec_fetch_site(
    headers: dict[str, str], base_url: str, cross: bool
) -> None:
    assert is_cross_site(headers, base_url) is cross


@pytest.mark.parametrize(
    ("server", "scheme", "base_url", "expected"),
    [
        (("127.0.0.1", 8000), "http", "", "http://127.0.0.1:8000"),
        (("::1", 8000), "http", "", "http://[::1]:8000"),
        (("10.0.0.5", 443), "https", "", "https://10.0.0.5"),
        (("127.0.0.1", 8000), "http", "https://enquetes.fr", "https://enquetes.fr"),
    ],
)
def test_links_use_the_base_url_or_the_served_address(
    server: tuple[str, int], scheme: str, base_url: str, expected: str
) -> None:
    scope = {"server": server, "scheme": scheme, "headers": [(b"host", b"evil")]}
    assert served_url(scope, base_url) == expected
