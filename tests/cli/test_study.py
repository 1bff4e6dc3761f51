"""``sociaparis study check`` and ``sociaparis instrument check`` on the bundled study."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from sociaparis.cli import cli
from sociaparis.survey.study import StudyError

REPO = Path(__file__).resolve().parents[2]
BUNDLED = REPO / "studies" / "sociaparis"
FORMS = ["staff_llm_survey.xlsx", "cio_city_survey.xlsx", "transport_vision_survey.xlsx"]


def run(*args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output.splitlines()


def test_study_check_on_the_bundled_study() -> None:
    code, lines = run("study", "check", str(BUNDLED))
    assert code == 0, lines
    assert lines[0] == (
        "study: sociaparis (SOCIAPARIS : l'intelligence artificielle dans "
        "l'administration parisienne)"
    )
    assert lines[1] == "languages: fr, en; min_cell_count: 10"
    instruments = [line for line in lines if line.startswith("instrument ")]
    assert [line.split(":")[0] for line in instruments] == [
        "instrument staff_llm",
        "instrument cio_cities",
        "instrument transport_vision",
    ]
    assert all(" OK (form_id sociaparis_" in line for line in instruments)
    assert "anonymous, invitation, 2026-10-05 to 2027-01-29)" in instruments[0]
    assert "identified, open, 2026-09-21 to 2027-03-31)" in instruments[2]
    assert (
        "population: 51013 people in 30 cells (directorate x job_category, synthetic)"
        in lines
    )
    assert lines[-1] == "OK"


def test_study_check_json() -> None:
    code, lines = run("study", "check", "--json", str(BUNDLED))
    data = json.loads("\n".join(lines))
    assert (code, data["study"], data["ok"], data["errors"]) == (
        0,
        "sociaparis",
        True,
        [],
    )
    assert [row["instrument"] for row in data["instruments"]] == [
        "staff_llm",
        "cio_cities",
        "transport_vision",
    ]
    assert data["instruments"][1]["errors"] == [] and data["instruments"][1]["pages"] > 0


def test_study_check_accepts_the_toml_file_itself() -> None:
    code, lines = run("study", "check", str(BUNDLED / "study.toml"))
    assert (code, lines[-1]) == (0, "OK")


def test_study_check_fails_on_a_missing_instrument_file(tmp_path: Path) -> None:
    folder = tmp_path / "study"
    shutil.copytree(BUNDLED, folder, ignore=shutil.ignore_patterns("cities"))
    (folder / FORMS[1]).unlink()
    code, lines = run("study", "check", str(folder))
    assert code == 1
    message = StudyError.INSTRUMENT_FILE_MISSING.format(
        instrument="cio_cities", path=str((folder / FORMS[1]).resolve())
    )
    assert "instrument cio_cities: cio_city_survey.xlsx FAILED" in lines
    assert f"  STUDY_030: {message}" in lines
    assert lines[-1] == "Error: the study has problems (listed above)"
    code, lines = run("study", "check", "--json", str(folder))
    data = json.loads("\n".join(lines))
    assert (code, data["ok"]) == (1, False)
    assert data["instruments"][1]["errors"] == [f"STUDY_030: {message}"]


def test_study_check_reports_a_bad_study_file_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "study.toml").write_text('id = "demo"\nmin_cell_count = 3\n', "utf-8")
    code, lines = run("study", "check", str(tmp_path))
    message = StudyError.MIN_CELL_COUNT.format(
        path=str((tmp_path / "study.toml").resolve()), value=3, floor=5
    )
    assert (code, lines) == (1, [f"Error: STUDY_009: {message}"])


def test_study_check_without_a_study_file(tmp_path: Path) -> None:
    code, lines = run("study", "check", str(tmp_path))
    message = StudyError.FILE_MISSING.format(path=str(tmp_path / "study.toml"))
    assert (code, lines) == (1, [f"Error: STUDY_001: {message}"])


@pytest.mark.parametrize("form", FORMS)
def test_instrument_check_passes_on_each_bundled_form(form: str) -> None:
    code, lines = run("instrument", "check", str(BUNDLED / form))
    assert code == 0, lines
    assert lines[0].startswith("form_id: sociaparis_")
    assert "languages: fr, en (default fr)" in lines
    assert lines[-1] == "OK"
