"""Sessions, log-in and proxies (issue #18): the attacks, over real HTTP on the app."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import httpx
import pytest

from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import LOCAL_ADMIN, create_user
from sociaparis.core.db import transaction
from sociaparis.survey.fielding.service import create_invitations
from sociaparis.survey.synthetic import add_synthetic_responses
from tests.factories import field_form

PASSWORD = "a long enough password"
#: generous: a CSV export answered in 2 s alone took over httpx's 5 s beside other
#: test workers
TIMEOUT = 30


def _hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def _log_in(http: httpx.Client, username: str, password: str = PASSWORD):
    login = http.get("/login")
    return http.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": _hidden(login.text, "csrf_token"),
        },
    )


def _researcher_with_a_study(live_server) -> str:
    with transaction(live_server.app.state.engine) as session:
        create_user(
            session=session, username="claire", password=PASSWORD, role=Role.RESEARCHER
        )
        form_id = field_form(session, open_link=True)
        add_synthetic_responses(session=session, form_id=form_id, count=3, seed=1)
    return form_id


def _copy(http: httpx.Client, live_server) -> httpx.Client:
    """Another client (the attacker) holding a copy of ``http``'s cookies."""
    return httpx.Client(
        base_url=live_server.url, cookies=dict(http.cookies), timeout=TIMEOUT
    )


# -- a copied session cookie dies with the session ------------------------------------


def _log_out(http: httpx.Client, _live_server) -> None:
    home = http.get("/")
    assert http.post("/logout", data={"csrf_token": _hidden(home.text, "csrf_token")})


def _demote(_http: httpx.Client, live_server) -> None:
    from sociaparis.accounts.service import set_role

    with transaction(live_server.app.state.engine) as session:
        set_role(session=session, actor=LOCAL_ADMIN, username="claire", role=Role.VIEWER)


def _disable(_http: httpx.Client, live_server) -> None:
    from sociaparis.accounts.service import set_disabled

    with transaction(live_server.app.state.engine) as session:
        set_disabled(session=session, actor=LOCAL_ADMIN, username="claire", disabled=True)


def _reset_password(_http: httpx.Client, live_server) -> None:
    from sociaparis.accounts.service import set_password

    with transaction(live_server.app.state.engine) as session:
        set_password(
            session=session,
            actor=LOCAL_ADMIN,
            username="claire",
            password="another password!",
        )


@pytest.mark.storage
@pytest.mark.parametrize("end", [_log_out, _demote, _disable, _reset_password])
def test_a_copied_session_cookie_stops_working_when_the_session_ends(
    live_server_any, end: Callable
) -> None:
    form_id = _researcher_with_a_study(live_server_any)
    export = f"/fielding/{form_id}/export/csv"
    with httpx.Client(base_url=live_server_any.url, timeout=TIMEOUT) as http:
        assert _log_in(http, "claire").status_code == 303
        assert http.get(export).status_code == 200
        with _copy(http, live_server_any) as attacker:
            assert attacker.get(export).status_code == 200
            end(http, live_server_any)
            refused = attacker.get(export)
            assert refused.status_code == 303
            assert refused.headers["location"].startswith("/login")
            assert attacker.get("/").status_code == 303


@pytest.mark.storage
def test_logging_out_ends_only_that_session(live_server_any) -> None:
    form_id = _researcher_with_a_study(live_server_any)
    with (
        httpx.Client(base_url=live_server_any.url, timeout=TIMEOUT) as office,
        httpx.Client(base_url=live_server_any.url, timeout=TIMEOUT) as laptop,
    ):
        _log_in(office, "claire")
        _log_in(laptop, "claire")
        _log_out(office, live_server_any)
        assert office.get("/").status_code == 303
        assert laptop.get(f"/fielding/{form_id}").status_code == 200


def test_a_disabled_account_cannot_log_in(http: httpx.Client, live_server) -> None:
    _researcher_with_a_study(live_server)
    _disable(http, live_server)
    assert _log_in(http, "claire").status_code == 401


# -- password spraying -----------------------------------------------------------------


def test_spraying_many_user_names_from_one_client_is_limited(
    http: httpx.Client, live_server
) -> None:
    attempts = 40
    limiter = live_server.app.state.login_client_limiter
    limiter.rate = 1e-9  # no refill while the test runs: the counts are exact
    statuses = [
        _log_in(http, f"user-{uuid.uuid4().hex[:8]}", "Password2026!").status_code
        for _ in range(attempts)
    ]
    burst = limiter.burst
    assert burst < attempts
    assert statuses[:burst] == [401] * burst
    assert set(statuses[burst:]) == {429}


def test_a_log_in_finding_every_hashing_slot_taken_is_refused_with_retry_after(
    http: httpx.Client, live_server
) -> None:
    _researcher_with_a_study(live_server)
    slots = live_server.app.state.password_checks
    login = http.get("/login")
    held = [slots.take() for _ in range(slots.size)]
    for slot in held:
        slot.__enter__()
    try:
        refused = http.post(
            "/login",
            data={
                "username": "claire",
                "password": PASSWORD,
                "csrf_token": _hidden(login.text, "csrf_token"),
            },
        )
    finally:
        for slot in held:
            slot.__exit__(None, None, None)
    assert refused.status_code == 503
    assert int(refused.headers["retry-after"]) > 0
    assert _log_in(http, "claire").status_code == 303


# -- X-Forwarded-For -------------------------------------------------------------------


def _open_link_statuses(server, form_id: str, count: int) -> list[int]:
    """POST the open link's consent ``count`` times, each with a new forwarded address."""
    with httpx.Client(base_url=server.url, timeout=TIMEOUT) as client:
        return [
            client.post(
                f"/o/{form_id}",
                data={"csrf_token": "x"},
                headers={"x-forwarded-for": f"203.0.113.{n % 250}, 198.51.100.{n}"},
            ).status_code
            for n in range(count)
        ]


@pytest.mark.parametrize(
    ("trusted_proxies", "limited"),
    [((), True), (("127.0.0.1",), False), (("10.0.0.0/8",), True)],
)
def test_x_forwarded_for_is_believed_only_from_trusted_proxies(
    live_server_with, trusted_proxies: tuple[str, ...], limited: bool
) -> None:
    server = live_server_with(trusted_proxies=trusted_proxies)
    with transaction(server.app.state.engine) as session:
        form_id = field_form(session, open_link=True)
    burst = server.app.state.open_link_limiter.burst
    statuses = _open_link_statuses(server, form_id, burst + 5)
    assert (429 in statuses) is limited


# -- the open link's consent -----------------------------------------------------------


@pytest.fixture
def open_form(live_server) -> str:
    with transaction(live_server.app.state.engine) as session:
        return field_form(session, open_link=True)


def test_each_open_link_visitor_gets_a_token_of_their_own(
    live_server, open_form: str
) -> None:
    with (
        httpx.Client(base_url=live_server.url, timeout=TIMEOUT) as alice,
        httpx.Client(base_url=live_server.url, timeout=TIMEOUT) as mallory,
    ):
        alice_token = _hidden(alice.get(f"/o/{open_form}").text, "csrf_token")
        mallory_token = _hidden(mallory.get(f"/o/{open_form}").text, "csrf_token")
        assert alice_token != mallory_token
        # Mallory's token is worth nothing in Alice's browser, nor without a cookie.
        assert (
            alice.post(f"/o/{open_form}", data={"csrf_token": mallory_token}).status_code
            == 403
        )
        with httpx.Client(base_url=live_server.url, timeout=TIMEOUT) as cookieless:
            assert (
                cookieless.post(
                    f"/o/{open_form}", data={"csrf_token": alice_token}
                ).status_code
                == 403
            )
        assert (
            alice.post(f"/o/{open_form}", data={"csrf_token": alice_token}).status_code
            == 303
        )


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"origin": "https://evil.example"}, 403),
        ({"sec-fetch-site": "cross-site"}, 403),
        ({"sec-fetch-site": "same-site"}, 403),
        # What a browser sends for its own form under Referrer-Policy: no-referrer.
        ({"origin": "null", "sec-fetch-site": "same-origin"}, 303),
        ({"sec-fetch-site": "none"}, 303),
        ({}, 303),
    ],
)
def test_a_cross_site_consent_post_is_refused(
    http: httpx.Client, live_server, open_form: str, headers: dict, status: int
) -> None:
    token = _hidden(http.get(f"/o/{open_form}").text, "csrf_token")
    posted = http.post(f"/o/{open_form}", data={"csrf_token": token}, headers=headers)
    assert posted.status_code == status


def test_a_same_origin_post_names_the_host_it_was_sent_to(
    http: httpx.Client, live_server, open_form: str
) -> None:
    token = _hidden(http.get(f"/o/{open_form}").text, "csrf_token")
    posted = http.post(
        f"/o/{open_form}",
        data={"csrf_token": token},
        headers={"origin": live_server.url},
    )
    assert posted.status_code == 303


def test_a_cross_site_page_post_and_log_in_are_refused(
    http: httpx.Client, live_server
) -> None:
    _researcher_with_a_study(live_server)
    notice = http.get(f"/i/{_invitation(live_server)}")
    started = http.post(
        notice.url.path, data={"csrf_token": _hidden(notice.text, "csrf_token")}
    )
    page_url = started.headers["location"]
    page = http.get(page_url)
    data = {
        "_csrf": _hidden(page.text, "_csrf"),
        "_revision": _hidden(page.text, "_revision"),
    }
    evil = {"origin": "https://evil.example"}
    assert http.post(page_url, data=data, headers=evil).status_code == 403
    login = http.get("/login")
    refused = http.post(
        "/login",
        data={
            "username": "claire",
            "password": PASSWORD,
            "csrf_token": _hidden(login.text, "csrf_token"),
        },
        headers={"origin": "https://evil.example"},
    )
    assert refused.status_code == 403


# -- links are built from the configured address, never from Host ------------------------


def _first_page(client: httpx.Client, token: str, headers: dict | None = None) -> str:
    notice = client.get(f"/i/{token}")
    started = client.post(
        f"/i/{token}", data={"csrf_token": _hidden(notice.text, "csrf_token")}
    )
    return client.get(started.headers["location"], headers=headers).text


def _invitation(server) -> str:
    with transaction(server.app.state.engine) as session:
        form_id = field_form(session)
        [created] = create_invitations(session=session, form_id=form_id, attributes=[{}])
    return created.token


@pytest.mark.parametrize("base_url", ["", "https://enquetes.example.fr"])
def test_the_resume_link_never_comes_from_the_host_header(
    live_server_with, base_url: str
) -> None:
    server = live_server_with(base_url=base_url)
    with httpx.Client(base_url=server.url, timeout=TIMEOUT) as client:
        page = _first_page(client, _invitation(server), {"host": "evil.example"})
    assert "evil.example" not in page
    expected = base_url or server.url
    links = re.findall(r'href="(\w+://[^"]*)"', page)
    assert links and all(link.startswith(f"{expected}/r/") for link in links)


# -- nothing personal is cached ----------------------------------------------------------


def test_every_page_and_download_says_no_store(http: httpx.Client, live_server) -> None:
    form_id = _researcher_with_a_study(live_server)
    token = _invitation(live_server)
    notice = http.get(f"/i/{token}")
    started = http.post(
        f"/i/{token}", data={"csrf_token": _hidden(notice.text, "csrf_token")}
    )
    respondent = [notice, started, http.get(started.headers["location"])]
    respondent.append(http.get(started.headers["location"].rsplit("/", 1)[0]))
    respondent.append(http.get("/r/no-such-token"))
    _log_in(http, "claire")
    researcher = [
        http.get("/"),
        http.get(f"/fielding/{form_id}"),
        http.get(f"/fielding/{form_id}/export/csv"),
        http.get("/login"),
    ]
    for response in respondent + researcher:
        assert response.headers.get("cache-control") == "no-store", response.url
    static = http.get("/static/" + _a_static_file())
    assert static.status_code == 200
    assert "no-store" not in static.headers.get("cache-control", "")


def _a_static_file() -> str:
    from sociaparis.web.app import STATIC_DIR

    return (
        next(p for p in STATIC_DIR.rglob("*") if p.is_file())
        .relative_to(STATIC_DIR)
        .as_posix()
    )
