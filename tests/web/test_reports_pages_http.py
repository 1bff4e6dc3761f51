"""The reports and open answers pages over real HTTP: a report built from the
page with chosen sections and weighting is the CLI's file byte for byte, kept
with its parameters after its job is swept, downloadable again; roles and
CSRF; the themes page shows what ``sociaparis stats themes`` computes."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from html import unescape
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import create_user
from sociaparis.analysis.errors import AnalysisError
from sociaparis.cli import cli
from sociaparis.core.config import get_settings
from sociaparis.core.db import transaction
from sociaparis.core.errors import SociaparisError
from sociaparis.jobs.service import sweep_jobs
from sociaparis.web.i18n import error_text
from tests.factories import job_workers
from tests.reports.conftest import STUDY_DIR
from tests.reports.test_service import FORM, _load_demo

PASSWORD = "a long enough password"
USERS = {"ana": Role.RESEARCHER, "bob": Role.RESEARCHER, "vic": Role.VIEWER}


@pytest.fixture
def server(live_server_with) -> object:
    """The bundled study with 60 synthetic staff responses; the server rakes to
    the study's margins (``SOCIAPARIS_STUDY_DIR``)."""
    started = live_server_with(study_dir=STUDY_DIR)
    with transaction(started.app.state.engine) as session:
        _load_demo(session)
        for name, role in USERS.items():
            create_user(session=session, username=name, password=PASSWORD, role=role)
    return started


@contextmanager
def _client(server, username: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, follow_redirects=False, timeout=120) as client:
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]*)"', page.text)[1]
        reply = client.post(
            "/login",
            data={"username": username, "password": PASSWORD, "csrf_token": token},
        )
        assert reply.status_code == 303
        yield client


def _csrf(page: httpx.Response) -> str:
    return re.search(r'name="csrf_token" value="([^"]*)"', page.text)[1]


def _until_over(client: httpx.Client, job_id: int) -> dict:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status = client.get(f"/jobs/{job_id}/status").json()
        if not status["active"]:
            return status
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not end")


def _cli_report(server, out: Path, *args: str) -> str:
    """The CLI's report on the live server's database."""
    settings = server.app.state.settings
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOCIAPARIS_DATABASE_URL", settings.database_url)
        patch.setenv("SOCIAPARIS_DATA_DIR", str(settings.data_dir))
        patch.setenv("SOCIAPARIS_SECRET_KEY", settings.secret_key)
        get_settings.cache_clear()
        try:
            result = CliRunner().invoke(cli, ["report", FORM, "--out", str(out), *args])
        finally:
            get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def test_build_a_report_from_the_page(server, tmp_path: Path) -> None:
    with _client(server, "ana") as ana:
        page = ana.get(f"/reports/{FORM}?lang=fr")
        assert page.status_code == 200
        for section in ("participation", "q-use", "comparisons", "methods"):
            assert f'id="section-{section}" checked' in page.text
        assert 'id="weighting-raked" checked' in page.text
        assert 'id="no-builds"' in page.text
        fields = {
            "csrf_token": _csrf(page),
            "section": ["q-use", "methods"],
            "weighting": "raked",
            "report_lang": "en",
            "fmt": "html",
        }
        refused = ana.post(f"/reports/{FORM}", data={**fields, "csrf_token": "x"})
        assert refused.status_code == 403
        reply = ana.post(f"/reports/{FORM}?lang=fr", data=fields)
        assert reply.status_code == 303
        assert reply.headers["location"] == f"/reports/{FORM}?lang=fr"
        page = ana.get(f"/reports/{FORM}?lang=fr")
        job_id = int(re.search(r'data-status-url="/jobs/(\d+)/status', page.text)[1])
        assert '<progress id="job-progress" max="100" value="0">' in page.text
        with job_workers(server):
            assert _until_over(ana, job_id)["status"] == "done"
        page = ana.get(f"/reports/{FORM}?lang=fr")
        assert 'id="job"' not in page.text
        row = re.search(r'<tr id="build-(\d+)">(.*?)</tr>', page.text, re.S)
        build_id, cells = int(row[1]), row[2]
        for shown in ("ana", "HTML", "Anglais", "Calée sur les marges", "Vos usages"):
            assert shown in cells, shown
        assert "Notes de méthode" in cells and "Participation" not in cells
        built = ana.get(f"/reports/builds/{build_id}/download")
        assert built.status_code == 200
        assert built.headers["content-type"].startswith("text/html")
        html = built.text
        assert 'id="q-use"' in html and 'id="methods"' in html
        assert 'id="participation"' not in html and 'id="q-profile"' not in html

    # The CLI's twin gives the same file; the design weights give other figures.
    same = _cli_report(
        server,
        tmp_path / "cli.html",
        *("--study", str(STUDY_DIR), "--lang", "en", "--weighting", "raked"),
        *("--section", "q-use", "--section", "methods"),
    )
    assert same == html
    design = _cli_report(
        server,
        tmp_path / "design.html",
        *("--study", str(STUDY_DIR), "--lang", "en", "--weighting", "design"),
        *("--section", "q-use", "--section", "methods"),
    )
    assert design != html

    # The build outlives its job.
    with transaction(server.app.state.engine) as session:
        swept = sweep_jobs(
            session=session,
            data_dir=server.app.state.settings.data_dir,
            retention=timedelta(0),
        )
    assert job_id in swept.removed
    with _client(server, "bob") as bob:
        listed = bob.get("/reports?lang=fr")
        assert f'id="build-{build_id}"' in listed.text
        assert bob.get(f"/reports/builds/{build_id}/download").text == html
        # bob sees no remove button for ana's build, and may not remove it
        assert f"/reports/builds/{build_id}/remove" not in listed.text
        removal = bob.post(
            f"/reports/builds/{build_id}/remove", data={"csrf_token": _csrf(listed)}
        )
        assert removal.status_code == 403
    with _client(server, "ana") as ana:
        listed = ana.get("/reports?lang=fr")
        reply = ana.post(
            f"/reports/builds/{build_id}/remove?lang=fr",
            data={"csrf_token": _csrf(listed), "form_id": FORM},
        )
        assert reply.status_code == 303
        assert reply.headers["location"] == f"/reports/{FORM}?lang=fr"
        assert ana.get(f"/reports/builds/{build_id}/download").status_code == 404


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"section": ["q-nothing"]}, "« q-nothing » n'est pas une section du rapport"),
        ({"weighting": "both"}, "both"),
    ],
)
def test_refused_choices_say_why(server, fields: dict, said: str) -> None:
    with _client(server, "ana") as ana:
        page = ana.get(f"/reports/{FORM}")
        data = {"csrf_token": _csrf(page), "fmt": "html", "weighting": "design"}
        reply = ana.post(f"/reports/{FORM}", data={**data, **fields})
        assert reply.status_code == 400
        assert said in unescape(reply.text)


def test_raking_needs_the_study(live_server_with) -> None:
    started = live_server_with()  # no SOCIAPARIS_STUDY_DIR
    with transaction(started.app.state.engine) as session:
        _load_demo(session)
        create_user(session=session, username="ana", password=PASSWORD)
    with _client(started, "ana") as ana:
        page = ana.get(f"/reports/{FORM}")
        assert 'id="weighting-raked" disabled' in page.text
        assert 'id="weighting-design" checked' in page.text
        reply = ana.post(
            f"/reports/{FORM}",
            data={
                "csrf_token": _csrf(page),
                "fmt": "html",
                "weighting": "raked",
                "section": "methods",
            },
        )
        assert reply.status_code == 400
        assert "ne peut pas être calé (aucune étude n'est indiquée)" in unescape(
            reply.text
        )


def test_viewers_get_no_report_and_no_quote(server) -> None:
    with _client(server, "vic") as vic:
        for url in (
            "/reports",
            f"/reports/{FORM}",
            "/reports/builds/1/download",
            f"/analysis/{FORM}/open",
            f"/analysis/{FORM}/open/open_city_role",
        ):
            assert vic.get(url).status_code == 403, url
        token = _csrf(vic.get("/jobs"))
        reply = vic.post(f"/reports/{FORM}", data={"csrf_token": token, "fmt": "html"})
        assert reply.status_code == 403
    with _client(server, "ana") as ana:
        assert ana.get("/reports/nope").status_code == 404
        assert ana.get("/reports/builds/999/download").status_code == 404


def test_themes_page_shows_the_cli_themes(server) -> None:
    settings = server.app.state.settings
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOCIAPARIS_DATABASE_URL", settings.database_url)
        patch.setenv("SOCIAPARIS_SECRET_KEY", settings.secret_key)
        get_settings.cache_clear()
        try:
            result = CliRunner().invoke(
                cli,
                ["stats", "themes", FORM, "open_city_role", "--json", "--min-count", "5"],
            )
        finally:
            get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    expected = json.loads(result.output)
    assert any(theme["quotes"] for theme in expected["themes"])
    url = f"/analysis/{FORM}/open/open_city_role"
    with _client(server, "ana") as ana:
        listing = ana.get(f"/analysis/{FORM}/open?lang=fr")
        assert f'href="{url}?lang=fr"' in listing.text
        page = ana.get(f"{url}?lang=fr&min_count=5")
        assert 'id="themes-not-yet"' in page.text and "<q>" not in page.text
        refused = ana.post(f"{url}?lang=fr", data={"csrf_token": "x", "min_count": "5"})
        assert refused.status_code == 403
        reply = ana.post(
            f"{url}?lang=fr", data={"csrf_token": _csrf(page), "min_count": "5"}
        )
        assert reply.status_code == 303
        assert reply.headers["location"] == f"{url}?lang=fr&n_themes=&min_count=5"
        page = ana.get(reply.headers["location"])
        job_id = int(re.search(r'data-status-url="/jobs/(\d+)/status', page.text)[1])
        with job_workers(server):
            assert _until_over(ana, job_id)["status"] == "done"
        page = ana.get(reply.headers["location"])
        rows = re.findall(
            r'<tr><th scope="row">(.*?)</th><td>(.*?)</td><td class="number">(\d+)</td>',
            page.text,
        )
        assert [int(size) for _, _, size in rows] == [
            t["size"] for t in expected["themes"]
        ]
        for theme in expected["themes"]:
            for quote in theme["quotes"]:
                assert f"<q>{_escaped(quote)}</q>" in page.text
        bars = re.findall(r'<text class="chart-value"[^>]*>(\d+)</text>', page.text)
        assert [int(b) for b in bars] == [t["size"] for t in expected["themes"]]
        assert f"{expected['n_answers']} réponses" in page.text
        # at the default threshold (10) the same answers are another computation
        assert 'id="themes-not-yet"' in ana.get(f"{url}?lang=fr").text
        # the small-cell rule is never lowered under 5
        low = ana.get(f"{url}?min_count=4")
        assert low.status_code == 400
        assert error_text(
            SociaparisError(AnalysisError.MIN_COUNT_TOO_LOW, value=4, floor=5), "fr"
        ) in unescape(low.text)
        assert ana.get(f"/analysis/{FORM}/open/open_nothing").status_code == 404


def _escaped(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))
