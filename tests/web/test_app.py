"""The web app over real HTTP: security headers, login, CSRF, rate limiting."""

from __future__ import annotations

import logging
import re

import httpx
import pytest
from markupsafe import escape

from sociaparis.accounts.service import create_user
from sociaparis.core.db import transaction
from sociaparis.web.i18n import translate
from sociaparis.web.security import CONTENT_SECURITY_POLICY, RateLimiter

PASSWORD = "a long enough password"


@pytest.fixture
def client(live_server, http: httpx.Client) -> httpx.Client:
    with transaction(live_server.app.state.engine) as session:
        create_user(session=session, username="claire", password=PASSWORD)
    return http


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_every_response_carries_the_security_headers(client: httpx.Client) -> None:
    response = client.get("/login")
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    ("target", "path", "lang"),
    [
        # the respondent pages' lean path, then a FastAPI route
        ("sociaparis.survey.fielding.service.invitation_form", "/i/tok", "en"),
        ("sociaparis.survey.fielding.service.invitation_form", "/i/tok", "fr"),
        ("sociaparis.web.routes.auth.session_csrf_token", "/login", "en"),
    ],
)
def test_an_unexpected_error_is_an_error_page_with_a_logged_reference(
    client: httpx.Client, monkeypatch, caplog, target, path, lang
) -> None:
    def broken(*_args, **_kwargs):
        raise RuntimeError("the code is wrong")

    monkeypatch.setattr(target, broken)
    with caplog.at_level(logging.ERROR, logger="sociaparis.web.app"):
        response = client.get(f"{path}?lang={lang}")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"
    assert f'<html lang="{lang}"' in response.text
    assert str(escape(translate("unexpected_error", lang))) in response.text
    error_id = re.search(r'<code class="error-id">([0-9a-f]{8})</code>', response.text)[1]
    assert "RuntimeError" not in response.text
    [record] = [r for r in caplog.records if error_id in r.getMessage()]
    assert record.exc_info[0] is RuntimeError
    assert "tok" not in record.getMessage()  # the path's token is not logged


def test_researcher_pages_need_a_login(client: httpx.Client) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/"


def test_login_then_home_then_logout(client: httpx.Client) -> None:
    token = _csrf(client.get("/login").text)
    response = client.post(
        "/login",
        data={"username": "claire", "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    home = client.get("/")
    assert home.status_code == 200
    assert "claire" in home.text
    assert (
        client.post("/logout", data={"csrf_token": _csrf(home.text)}).status_code == 303
    )
    assert client.get("/", follow_redirects=False).status_code == 303


@pytest.mark.parametrize(
    ("password", "use_token", "status"),
    [
        ("wrong password", True, 401),
        (PASSWORD, False, 403),
    ],
)
def test_bad_login_is_refused(
    client: httpx.Client, password: str, use_token: bool, status: int
) -> None:
    token = _csrf(client.get("/login").text) if use_token else "forged"
    response = client.post(
        "/login",
        data={"username": "claire", "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == status
    assert client.get("/", follow_redirects=False).status_code == 303


def test_login_never_redirects_off_site(client: httpx.Client) -> None:
    token = _csrf(client.get("/login").text)
    response = client.post(
        "/login",
        data={
            "username": "claire",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_rate_limiter_refills_at_its_rate() -> None:
    limiter = RateLimiter(rate=1.0, burst=2)
    assert [limiter.allow("a", now=0.0) for _ in range(3)] == [True, True, False]
    assert limiter.allow("b", now=0.0)
    assert limiter.allow("a", now=1.0)
    assert not limiter.allow("a", now=1.0)


def test_a_full_rate_limiter_never_forgets_a_blocked_client() -> None:
    limiter = RateLimiter(rate=0.001, burst=1, max_clients=3)
    assert limiter.allow("attacker", now=0.0)
    assert not limiter.allow("attacker", now=0.0)
    for n in range(10):
        limiter.allow(f"visitor-{n}", now=1.0 + n)
    assert not limiter.allow("attacker", now=20.0)
    assert len(limiter) <= 3


def test_a_rate_limiter_full_of_blocked_clients_refuses_new_ones() -> None:
    limiter = RateLimiter(rate=0.001, burst=1, max_clients=2)
    for key in ("a", "b"):
        assert limiter.allow(key, now=0.0)
    assert not limiter.allow("c", now=0.0)
    assert not limiter.allow("a", now=0.0)
    assert len(limiter) == 2
