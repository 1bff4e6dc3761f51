"""The survey explorer over real HTTP: the page's numbers are the CLI's, downloads,
what each role may see, and the viewer's cross-table refusal.

The explorer has no POST form (it only reads), so it has no CSRF token to check:
every page and download is a GET.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import httpx
import openpyxl
import pytest
from click.testing import CliRunner

from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import create_user
from sociaparis.cli import cli
from sociaparis.core.config import get_settings
from sociaparis.core.db import transaction
from sociaparis.survey.fielding.service import configure_fielding, get_fielding
from sociaparis.survey.fielding.study import load_study_into_database
from sociaparis.survey.study import load_study
from sociaparis.survey.synthetic import add_synthetic_responses
from tests.conftest import HTTP_TIMEOUT

STUDY_DIR = Path(__file__).resolve().parents[2] / "studies" / "sociaparis"
FORM = "sociaparis_staff_llm"
PASSWORD = "a long enough password"
USERS = {"ana": Role.RESEARCHER, "vic": Role.VIEWER, "cody": Role.CODER}
TABLE = "q=ai_use&by1=_attr_job_category&weighting=raked&test=1"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from sociaparis.core.config import Settings
    from tests.conftest import serve

    data_dir = tmp_path_factory.mktemp("explorer") / "data"
    settings = Settings(
        data_dir=data_dir, secret_key="test-secret-key-0123456789", study_dir=STUDY_DIR
    )
    live = serve(settings)
    study = load_study(STUDY_DIR)
    with transaction(live.app.state.engine) as session:
        for item in load_study_into_database(session=session, study=study):
            fielding = get_fielding(session=session, form_id=item.form_id)
            configure_fielding(
                session=session,
                fielding=dataclasses.replace(fielding, opens_on=None, closes_on=None),
            )
        add_synthetic_responses(
            session=session,
            form_id=FORM,
            count=150,
            seed=11,
            attribute_cells=study.population,
            today=date(2026, 11, 2),
        )
        for name, role in USERS.items():
            create_user(session=session, username=name, password=PASSWORD, role=role)
    live.data_dir = data_dir
    yield live
    live.stop()
    live.app.state.engine.dispose()


@contextmanager
def _client(server: object, username: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, follow_redirects=False, timeout=60) as client:
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]*)"', page.text)[1]
        reply = client.post(
            "/login",
            data={"username": username, "password": PASSWORD, "csrf_token": token},
        )
        assert reply.status_code == 303
        yield client


def _cli_json(server: object, monkeypatch: pytest.MonkeyPatch, *args: str) -> dict:
    monkeypatch.setenv("SOCIAPARIS_DATA_DIR", str(server.data_dir))
    monkeypatch.setenv("SOCIAPARIS_SECRET_KEY", "test-secret-key-0123456789")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["stats", "table", FORM, *args, "--json"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _csv_rows(client: httpx.Client, query: str) -> list[dict[str, str]]:
    reply = client.get(f"/analysis/{FORM}/table.csv?{query}")
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(reply.content.decode("utf-8-sig"))))


def test_the_page_shows_the_numbers_of_the_cli(
    server: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli_result = _cli_json(
        server,
        monkeypatch,
        "ai_use",
        "--by",
        "_attr_job_category",
        "--weighting",
        "raked",
        "--test",
        "--study",
        str(STUDY_DIR),
    )
    with _client(server, "ana") as client:
        page = client.get(f"/analysis/{FORM}?{TABLE}")
        assert page.status_code == 200
        rows = _csv_rows(client, TABLE)
    assert len(rows) == len(cli_result["rows"])
    for mine, theirs in zip(rows, cli_result["rows"], strict=True):
        assert mine["level"] == theirs["level"]
        if theirs["estimate"] is None:
            assert mine["estimate"] == "" and mine["suppressed"] == theirs["suppressed"]
            continue
        assert float(mine["estimate"]) == pytest.approx(theirs["estimate"], rel=1e-12)
        assert float(mine["se"]) == pytest.approx(theirs["se"], rel=1e-12)
        assert int(float(mine["n"])) == theirs["n"]
    # the page prints the same estimates (as percentages) and the same test
    first = next(r for r in cli_result["rows"] if r["estimate"] is not None)
    assert f"{first['estimate'] * 100:.1f} %" in page.text
    assert f"F = {cli_result['test']['statistic']:.4f}" in page.text
    deff = cli_result["weights"]["deff_kish"]
    assert f"<dd>{deff:.3f}</dd>" in page.text
    assert "svyby(~factor(`ai_use`), ~`_attr_job_category`" in page.text


def test_downloads_and_charts(server: object) -> None:
    with _client(server, "ana") as client:
        xlsx = client.get(f"/analysis/{FORM}/table.xlsx?{TABLE}")
        assert xlsx.status_code == 200
        sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
        header = [c.value for c in next(sheet.iter_rows(max_row=1))]
        assert header[:4] == ["question", "question_label", "level", "level_label"]
        svg = client.get(f"/analysis/{FORM}/chart/0.svg?{TABLE}&download=1")
        assert svg.status_code == 200
        assert svg.headers["content-type"].startswith("image/svg+xml")
        assert "attachment" in svg.headers["content-disposition"]
        assert 'xmlns="http://www.w3.org/2000/svg"' in svg.text
        png = client.get(f"/analysis/{FORM}/chart/0.png?{TABLE}")
        assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
        assert client.get(f"/analysis/{FORM}/chart/9.svg?{TABLE}").status_code == 404
        assert client.get(f"/analysis/{FORM}/table.ods?{TABLE}").status_code == 404


def test_a_researcher_fits_a_logistic_model(server: object) -> None:
    query = (
        "response=manager&event=yes&predictor=_attr_job_category&model_weighting=raked"
    )
    with _client(server, "ana") as client:
        page = client.get(f"/analysis/{FORM}?{query}")
    assert page.status_code == 200
    assert 'id="explorer-model-table"' in page.text
    assert "_attr_job_categoryB" in page.text
    assert "family = quasibinomial()" in page.text


def _leaking_pair(client: httpx.Client, questions: list[str]) -> tuple[str, str] | None:
    """Two table queries where, by hand, the first's count of a directorate minus the
    second's visible cells of that directorate is a group of 1 to 9 respondents
    (read from a researcher's downloads, which the audit does not restrict)."""
    for question in questions:
        first = f"q={question}&by1=_attr_directorate"
        second = f"{first}&by2=_attr_job_category"
        one, two = _csv_rows(client, first), _csv_rows(client, second)
        directorate = next(k for k in one[0] if k not in _FIXED)
        for row in one:
            if not row["n"]:
                continue
            cells = [
                r
                for r in two
                if r[directorate] == row[directorate] and r["level"] == row["level"]
            ]
            visible = sum(int(float(r["n"])) for r in cells if r["n"])
            if any(not r["n"] for r in cells) and 0 < int(float(row["n"])) - visible < 10:
                return first, second
    return None


_FIXED = {
    "question",
    "question_label",
    "level",
    "level_label",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "n",
    "suppressed",
}


def test_a_viewer_sees_suppressed_tables_and_cannot_subtract_them(
    server: object,
) -> None:
    with _client(server, "ana") as researcher:
        pair = _leaking_pair(researcher, ["manager", "public_contact", "ai_use"])
    assert pair is not None, "the synthetic data hold no leaking pair"
    first, second = pair
    with _client(server, "vic") as viewer:
        page = viewer.get(f"/analysis/{FORM}?{first}")
        assert page.status_code == 200
        assert 'id="explorer-table"' in page.text
        assert "masqué (moins de 10 répondants)" in page.text
        assert 'id="explorer-model"' not in page.text  # no models for viewers
        refused = viewer.get(f"/analysis/{FORM}?{second}")
        assert refused.status_code == 200
        assert 'id="explorer-error"' in refused.text
        assert "Ce tableau est refusé" in refused.text
        assert 'id="explorer-table"' not in refused.text
        # nor through the downloads
        assert viewer.get(f"/analysis/{FORM}/table.csv?{second}").status_code == 400
        model = viewer.get(
            f"/analysis/{FORM}?response=manager&predictor=_attr_job_category"
        )
        assert 'id="explorer-model-table"' not in model.text
    with _client(server, "ana") as researcher:  # researchers are not audited across
        assert researcher.get(f"/analysis/{FORM}?{second}").status_code == 200


def test_coders_and_strangers_are_refused(server: object) -> None:
    with _client(server, "cody") as coder:
        assert coder.get(f"/analysis/{FORM}?{TABLE}").status_code == 403
        assert coder.get("/analysis").status_code == 403
    with httpx.Client(base_url=server.url, timeout=HTTP_TIMEOUT) as anonymous:
        reply = anonymous.get(f"/analysis/{FORM}")
        assert reply.status_code in (303, 401)
    with _client(server, "ana") as client:
        assert client.get("/analysis/nope").status_code == 404
        forms = client.get("/analysis?lang=en")
        assert f'href="/analysis/{FORM}?lang=en"' in forms.text
        assert "Explore survey results" in forms.text


def _cli(server: object, monkeypatch: pytest.MonkeyPatch, *args: str) -> object:
    monkeypatch.setenv("SOCIAPARIS_DATA_DIR", str(server.data_dir))
    monkeypatch.setenv("SOCIAPARIS_SECRET_KEY", "test-secret-key-0123456789")
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(cli, ["stats", *args])
    finally:
        get_settings.cache_clear()


def test_the_cli_twins_model_code_and_errors(
    server: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    study = ("--study", str(STUDY_DIR))
    model = _cli(
        server, monkeypatch, "model", FORM, "manager", "_attr_job_category",
        "--event", "yes", "--json", *study,
    )  # fmt: skip
    assert model.exit_code == 0, model.output
    fitted = json.loads(model.output)["model"]
    query = "response=manager&event=yes&predictor=_attr_job_category"
    with _client(server, "ana") as client:
        page = client.get(f"/analysis/{FORM}?{query}")
    b = fitted["coefficients"]["_attr_job_categoryB"]
    assert f'<td class="number">{b:.4f}</td>' in page.text
    code = _cli(server, monkeypatch, "table", FORM, "ai_use", "--r")
    assert code.exit_code == 0 and code.output.startswith("library(survey)\n")
    assert "svymean(~factor(`ai_use`), des, na.rm = TRUE)" in code.output
    unknown = _cli(server, monkeypatch, "table", FORM, "nope")
    assert unknown.exit_code == 1
    assert unknown.output.startswith("Error: EXPLORE_003: ")
    monkeypatch.delenv("SOCIAPARIS_STUDY_DIR", raising=False)
    raked = _cli(server, monkeypatch, "table", FORM, "ai_use", "--weighting", "raked")
    assert raked.output.startswith("Error: EXPLORE_007: ")  # no study, no margins
