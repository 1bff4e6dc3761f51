"""People and access over real HTTP on the real app: the admin pages answer 403
to a researcher, accounts are managed from the browser, a locked account looks
like a wrong password and is unlocked by an admin, the audit log is written,
filtered and downloaded safely; cookies, CSRF and idle sessions."""

from __future__ import annotations

import csv
import io
import re
from contextlib import closing
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from sociaparis.accounts.models import AuditEntry
from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import LOCKOUT_FAILURES, create_user
from sociaparis.core.db import transaction
from tests.conftest import HTTP_TIMEOUT

PASSWORD = "a long enough password"
TEMPLATES = Path(__file__).resolve().parents[2] / "sociaparis" / "web" / "templates"


def _hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def _add(server, username: str, role: Role) -> None:
    with transaction(server.app.state.engine) as session:
        create_user(session=session, username=username, password=PASSWORD, role=role)


def _log_in(http: httpx.Client, username: str, password: str = PASSWORD):
    token = _hidden(http.get("/login").text, "csrf_token")
    return http.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
    )


def _client(server, username: str, role: Role) -> httpx.Client:
    _add(server, username, role)
    http = httpx.Client(base_url=server.url, follow_redirects=False, timeout=HTTP_TIMEOUT)
    assert _log_in(http, username).status_code == 303
    return http


def _csrf(http: httpx.Client) -> str:
    return _hidden(http.get("/").text, "csrf_token")


def _audit(server) -> list[tuple[str, str, str]]:
    with transaction(server.app.state.engine) as session:
        return [
            (e.actor, e.action, e.target)
            for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]


ADMIN_POSTS = [
    ("/admin/people", {"username": "newbie", "role": "coder"}),
    ("/admin/people/claire/role", {"role": "viewer"}),
    ("/admin/people/claire/password", {"password": ""}),
    ("/admin/people/claire/disable", {}),
    ("/admin/people/claire/enable", {}),
    ("/admin/people/claire/unlock", {}),
    ("/admin/people/claire/logout", {}),
]


@pytest.mark.parametrize("role", [Role.RESEARCHER, Role.CODER, Role.VIEWER])
def test_the_admin_pages_refuse_every_other_role(live_server, role: Role) -> None:
    _add(live_server, "claire", Role.RESEARCHER)
    with closing(_client(live_server, "someone", role)) as http:
        for path in ("/admin/people", "/admin/audit", "/admin/audit.csv"):
            assert http.get(path).status_code == 403, path
        token = _csrf(http)
        for path, data in ADMIN_POSTS:
            answer = http.post(path, data={**data, "csrf_token": token})
            assert answer.status_code == 403, path
        # The home page offers no link to the people page.
        assert 'href="/admin/people' not in http.get("/").text
    assert [a for _, a, _ in _audit(live_server)] == ["login.success"]


def test_an_admin_manages_an_account_from_the_browser(live_server) -> None:
    with closing(_client(live_server, "boss", Role.ADMIN)) as http:
        home = http.get("/").text
        assert 'href="/admin/people?lang=fr"' in home
        token = _csrf(http)
        created = http.post(
            "/admin/people",
            data={"username": "claire", "role": "coder", "csrf_token": token},
        )
        assert created.status_code == 200
        generated = re.search(
            r'<code class="password-value">([^<]+)</code>', created.text
        ).group(1)
        assert len(generated) == 24
        # The one-time password is on that answer only.
        assert generated not in http.get("/admin/people").text
        steps = [
            ("/admin/people/claire/role", {"role": "viewer"}, "role"),
            ("/admin/people/claire/disable", {}, "disable"),
            ("/admin/people/claire/enable", {}, "enable"),
            ("/admin/people/claire/logout", {}, "logout"),
        ]
        for path, data, done in steps:
            answer = http.post(path, data={**data, "csrf_token": token})
            assert answer.status_code == 303
            assert answer.headers["location"] == (
                f"/admin/people?lang=fr&done={done}&who=claire"
            )
        typed = http.post(
            "/admin/people/claire/password",
            data={"password": "a typed new password", "csrf_token": token},
        )
        assert typed.status_code == 303
        short = http.post(
            "/admin/people/claire/password",
            data={"password": "short", "csrf_token": token},
        )
        assert short.status_code == 422
        assert "ACCOUNT_003" in short.text
        last = http.post(
            "/admin/people/boss/role", data={"role": "viewer", "csrf_token": token}
        )
        assert last.status_code == 422 and "ACCOUNT_011" in last.text
    with httpx.Client(base_url=live_server.url, timeout=HTTP_TIMEOUT) as claire:
        assert _log_in(claire, "claire", generated).status_code == 401
        assert _log_in(claire, "claire", "a typed new password").status_code == 303
    assert _audit(live_server) == [
        ("boss", "login.success", "boss"),
        ("boss", "account.create", "claire"),
        ("boss", "account.role", "claire"),
        ("boss", "account.disable", "claire"),
        ("boss", "account.enable", "claire"),
        ("boss", "account.logout", "claire"),
        ("boss", "account.password", "claire"),
        ("", "login.failure", "claire"),
        ("claire", "login.success", "claire"),
    ]


def test_a_locked_account_looks_like_a_wrong_password_until_unlocked(
    live_server,
) -> None:
    # The per-name rate limit (10 at once) would answer 429 first: widened here
    # so that the lockout itself is seen.
    live_server.app.state.login_limiter.burst = 100
    _add(live_server, "claire", Role.RESEARCHER)
    with httpx.Client(base_url=live_server.url, timeout=HTTP_TIMEOUT) as attacker:
        wrong = [
            _log_in(attacker, "claire", f"guess-{n}") for n in range(LOCKOUT_FAILURES)
        ]
        assert {a.status_code for a in wrong} == {401}
        right = _log_in(attacker, "claire", PASSWORD)
        assert right.status_code == 401
        # Same page as a wrong password: nothing tells the attacker.
        strip = re.compile(r'name="csrf_token" value="[^"]*"')
        assert strip.sub("", right.text) == strip.sub("", wrong[-1].text)
    with closing(_client(live_server, "boss", Role.ADMIN)) as admin:
        people = admin.get("/admin/people").text
        assert re.search(r"verrouillé jusqu(&#39;|')à .* après 10 échecs", people)
        assert 'action="/admin/people/claire/unlock' in people
        unlocked = admin.post(
            "/admin/people/claire/unlock", data={"csrf_token": _csrf(admin)}
        )
        assert unlocked.status_code == 303
        assert "verrouillé" not in admin.get("/admin/people").text
    with httpx.Client(base_url=live_server.url, timeout=HTTP_TIMEOUT) as claire:
        assert _log_in(claire, "claire", PASSWORD).status_code == 303
    actions = [a for _, a, _ in _audit(live_server)]
    assert actions == [
        *["login.failure"] * LOCKOUT_FAILURES,
        "login.locked",
        "login.failure",  # the right password, refused while locked
        "login.success",  # boss
        "account.unlock",
        "login.success",  # claire
    ]


def test_the_audit_log_is_filtered_and_downloaded_without_formulas(
    live_server,
) -> None:
    with httpx.Client(base_url=live_server.url, timeout=HTTP_TIMEOUT) as stranger:
        _log_in(stranger, "=HYPERLINK(1)", "nothing")
    with closing(_client(live_server, "boss", Role.ADMIN)) as http:
        page = http.get("/admin/audit", params={"action": "login.failure"})
        assert page.status_code == 200
        rows = re.findall(r"<tr>\s*<td><time", page.text)
        assert len(rows) == 1
        assert "=HYPERLINK(1)" in page.text
        assert 'href="/admin/audit.csv?lang=fr&amp;person=&amp;action=login.failure' in (
            page.text
        )
        download = http.get("/admin/audit.csv", params={"action": "login.failure"})
        assert download.headers["content-type"] == "text/csv; charset=utf-8"
        assert "attachment" in download.headers["content-disposition"]
        table = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
        assert [row[1:4] for row in table] == [
            ["actor", "action", "target"],
            ["", "login.failure", "'=HYPERLINK(1)"],
        ]
        bad = http.get(
            "/admin/audit", params={"since": "2026-12-05", "until": "2026-12-01"}
        )
        assert bad.status_code == 422 and "ACCOUNT_014" in bad.text
        assert http.get("/admin/audit", params={"since": "yesterday"}).status_code == 400
    assert ("boss", "export.audit", "") in _audit(live_server)


def test_logging_out_is_in_the_audit_log(live_server) -> None:
    with closing(_client(live_server, "claire", Role.RESEARCHER)) as http:
        answer = http.post("/logout", data={"csrf_token": _csrf(http)})
        assert answer.status_code == 303
    assert _audit(live_server)[-1] == ("claire", "logout", "claire")


@pytest.mark.parametrize(("path", "data"), ADMIN_POSTS)
def test_every_admin_form_needs_the_csrf_token(live_server, path, data) -> None:
    _add(live_server, "claire", Role.RESEARCHER)
    with closing(_client(live_server, "boss", Role.ADMIN)) as http:
        assert http.post(path, data=data).status_code == 403
        assert http.post(path, data={**data, "csrf_token": "x"}).status_code == 403
    assert [a for _, a, _ in _audit(live_server)] == ["login.success"]


def test_every_post_form_of_every_template_carries_a_csrf_token() -> None:
    forms = [
        (str(template.relative_to(TEMPLATES)), form)
        for template in TEMPLATES.rglob("*.html")
        for form in re.findall(
            r"<form\b[^>]*>.*?</form>", template.read_text(encoding="utf-8"), re.S
        )
    ]
    assert len([f for f in forms if 'method="post"' in f[1]]) >= 15
    assert [
        name
        for name, form in forms
        if 'method="post"' in form and not re.search(r'name="(csrf_token|_csrf)"', form)
    ] == []


@pytest.mark.parametrize(("mode", "secure"), [("single", False), ("server", True)])
def test_the_session_cookie_is_http_only_same_site_and_secure_in_server_mode(
    live_server_with, mode: str, secure: bool
) -> None:
    server = live_server_with(mode=mode, secret_key="k" * 48)
    cookie = httpx.get(f"{server.url}/login").headers["set-cookie"]
    flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"httponly", "samesite"} <= flags
    assert "samesite=lax" in cookie.lower()
    assert ("secure" in flags) is secure


def test_the_audit_log_is_paged_and_the_pages_speak_english(live_server) -> None:
    from sociaparis.accounts.audit import record_audit
    from sociaparis.accounts.service import LOCAL_ADMIN

    with transaction(live_server.app.state.engine) as session:
        for n in range(60):
            record_audit(
                session=session, actor=LOCAL_ADMIN, action="form.add", target=f"f{n}"
            )
    with closing(_client(live_server, "boss", Role.ADMIN)) as http:
        people = http.get("/admin/people", params={"lang": "en"}).text
        assert "<h1>People and access</h1>" in people
        first = http.get("/admin/audit", params={"lang": "en"}).text
        assert "61 entries; page 1 of 2." in first
        assert len(re.findall(r"<tr>\s*<td><time", first)) == 50
        assert 'rel="next"' in first and 'rel="prev"' not in first
        second = http.get("/admin/audit", params={"lang": "en", "page": 2}).text
        assert len(re.findall(r"<tr>\s*<td><time", second)) == 11
        assert ">f0<" in second  # the oldest entry is on the last page
        # The command line's implicit administrator, named in the page's language.
        assert "<td>(command line)</td>" in first
        french = http.get("/admin/audit").text
        assert "<td>(ligne de commande)</td>" in french
        assert "(command line)" not in french
