"""Reports of a stored form: the service on every backend, and ``sociaparis report``."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session

from sociaparis.accounts.service import LOCAL_ADMIN
from sociaparis.cli import cli
from sociaparis.cli.common import database_session
from sociaparis.core.config import get_settings
from sociaparis.reports.errors import ReportError
from sociaparis.reports.service import form_report
from sociaparis.survey.errors import SurveyError
from sociaparis.survey.fielding.service import configure_fielding, get_fielding
from sociaparis.survey.fielding.study import load_study_into_database
from sociaparis.survey.io.errors import ExportError
from sociaparis.survey.study import load_study
from sociaparis.survey.synthetic import add_synthetic_responses
from tests.reports.conftest import STUDY_DIR

FORM = "sociaparis_staff_llm"
COUNT = 60


def _load_demo(session: Session) -> None:
    """The bundled study with COUNT synthetic responses to the staff survey."""
    study = load_study(STUDY_DIR)
    for item in load_study_into_database(session=session, study=study):
        fielding = get_fielding(session=session, form_id=item.form_id)
        configure_fielding(
            session=session,
            fielding=dataclasses.replace(fielding, opens_on=None, closes_on=None),
        )
    add_synthetic_responses(
        session=session,
        form_id=FORM,
        count=COUNT,
        seed=5,
        attribute_cells=study.population,
        today=date(2026, 11, 2),
    )


@pytest.mark.storage
def test_form_report_from_the_database(session: Session) -> None:
    _load_demo(session)
    weighted = form_report(
        session=session, actor=LOCAL_ADMIN, form_id=FORM, study=load_study(STUDY_DIR)
    )
    assert weighted.n_responses == weighted.n_synthetic == COUNT
    respondents = weighted.section("participation").tables[0]
    assert respondents.rows[-1][-1] == COUNT
    assert [t.kind for t in weighted.section("weighting").tables] == [
        "weights",
        "margins",
        "margins",
    ]
    plain = form_report(session=session, actor=LOCAL_ADMIN, form_id=FORM, lang="en")
    assert plain.section("weighting").tables == ()
    assert plain.min_cell_count == 10  # the fielding's threshold


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("SOCIAPARIS_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite'}")
    monkeypatch.setenv("SOCIAPARIS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SOCIAPARIS_SECRET_KEY", "test-secret-key-0123456789")
    get_settings.cache_clear()
    with database_session() as session:
        _load_demo(session)
    yield tmp_path
    get_settings.cache_clear()


def test_cli_report_html(env: Path) -> None:
    out = env / "rapport.html"
    result = CliRunner().invoke(
        cli, ["report", FORM, "--out", str(out), "--study", str(STUDY_DIR)]
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == (
        f"Report of {COUNT} responses (HTML, fr): {out}"
    )
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and 'id="weighting"' in html


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["report", "nope", "--out", "r.html"], SurveyError.INSTRUMENT_NOT_FOUND.code),
        (["report", FORM, "--out", "r.docx"], ReportError.BAD_SUFFIX.code),
        (
            ["report", "sociaparis_cio_cities", "--out", "r.html"],
            ExportError.NOTHING_TO_EXPORT.code,
        ),
        (
            ["report", FORM, "--out", "r.html", "--compare", "open_city_role"],
            ReportError.UNKNOWN_QUESTION.code,
        ),
    ],
)
def test_cli_report_errors(env: Path, args: list[str], code: str) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {code}: "), result.output
