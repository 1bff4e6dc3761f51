"""``sociaparis instrument``: check, add, list and simulate from the command line."""
# ruff: noqa: E501 -- markdown XLSForm tables are as wide as the spreadsheets they stand for

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sociaparis.cli import cli
from sociaparis.core.config import get_settings
from sociaparis.survey.errors import SurveyError

FORM = """
| survey |
|   | type            | name  | label::Français (fr) | label::English (en) | relevant       | constraint | constraint_message::Français (fr) | constraint_message::English (en) | calculation     |
|   | select_one yn   | uses  | Utilisez-vous l'IA ? | Do you use AI?      |                |            |                                   |                                  |                 |
|   | integer         | hours | Heures               | Hours               | ${uses} = 'yes' | . <= 60   | 60 au plus                        | 60 at most                       |                 |
|   | calculate       | days  |                      |                     |                |            |                                   |                                  | ${hours} div 8  |
| choices |
|   | list_name | name | label::Français (fr) | label::English (en) |
|   | yn        | yes  | Oui                  | Yes                 |
|   | yn        | no   | Non                  | No                  |
| settings |
|   | form_id | form_title          | default_language |
|   | usage   | Usage de l'IA       | Français (fr)    |
"""


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str):
    """A fresh database (SQLite, then PostgreSQL) configured through the environment."""
    monkeypatch.setenv("SOCIAPARIS_DATABASE_URL", database_url)
    monkeypatch.setenv("SOCIAPARIS_SECRET_KEY", "test-secret-key-0123456789")
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


@pytest.fixture
def form_path(tmp_path: Path) -> Path:
    path = tmp_path / "usage.md"
    path.write_text(FORM, encoding="utf-8")
    return path


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def test_check_prints_a_summary(form_path: Path) -> None:
    result = run("instrument", "check", str(form_path))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "form_id: usage",
        "title: Usage de l'IA",
        "version: (none; numbered when added)",
        "languages: fr, en (default fr)",
        "pages: 2",
        "questions: 3",
        "repeats: 0",
        "OK",
    ]


@pytest.mark.parametrize(
    ("constraint", "code"),
    [
        ("regex(., '^(.)\\1$')", "XPATH_015"),
        ("regex(., '^(?!x).*$')", "XPATH_015"),
    ],
)
def test_check_refuses_a_pattern_that_needs_backtracking(
    tmp_path: Path, constraint: str, code: str
) -> None:
    path = tmp_path / "regex.md"
    path.write_text(FORM.replace("| . <= 60   |", f"| {constraint} |"), encoding="utf-8")
    result = run("instrument", "check", str(path))
    assert result.exit_code == 1
    output = result.output.replace("\n", " ")
    assert output.startswith(
        "Error: SURVEY_006: [sheet 'survey', row 3, column 'constraint'] "
    )
    assert f"{code}: " in output and "Rewrite the pattern" in output


@pytest.mark.parametrize(
    ("calculation", "code"),
    [
        (" + ".join(["${hours}"] * 50_000), "XPATH_016"),
        ("(" * 5_000 + "${hours}" + ")" * 5_000, "XPATH_013"),
        ("1+" * 4_000 + "${hours}", "XPATH_017"),
    ],
    ids=["50,000-term sum", "5,000 brackets", "4,000-term sum"],
)
def test_check_refuses_an_expression_over_the_limits(
    tmp_path: Path, calculation: str, code: str
) -> None:
    path = tmp_path / "huge.md"
    path.write_text(FORM.replace("${hours} div 8", calculation), encoding="utf-8")
    result = run("instrument", "check", str(path))
    assert result.exit_code == 1
    assert result.output.startswith(
        "Error: SURVEY_006: [sheet 'survey', row 4, column 'calculation'] "
    )
    assert f"{code}: " in result.output
    assert len(result.output) < 2_000  # the expression is abbreviated


def test_check_rejects_a_bad_form_with_its_message(tmp_path: Path) -> None:
    path = tmp_path / "bad.md"
    path.write_text(FORM.replace("${hours} div 8", "${hourz} div 8"), encoding="utf-8")
    result = run("instrument", "check", str(path))
    assert result.exit_code == 1
    expected = SurveyError.UNKNOWN_REFERENCE.format(
        expression="${hourz} div 8", reference="hourz"
    )
    assert (
        f"Error: SURVEY_005: [sheet 'survey', row 4, column 'calculation'] {expected}"
        in (result.output.replace("\n", " "))
    )


def test_add_then_unchanged_then_new_version_then_list(env, form_path: Path) -> None:
    first = run("instrument", "add", str(form_path))
    assert first.exit_code == 0, first.output
    assert first.output == "Added usage version 1 (id 1, 2 pages).\n"
    again = run("instrument", "add", str(form_path))
    assert again.output == "Unchanged: usage version 1 (id 1) already holds this form.\n"
    form_path.write_text(FORM.replace("60 au plus", "Pas plus de 60"), encoding="utf-8")
    changed = run("instrument", "add", str(form_path))
    assert changed.output == "Added usage version 2 (id 2, 2 pages).\n"
    listed = run("instrument", "list")
    assert listed.exit_code == 0
    lines = [line.split("\t") for line in listed.output.splitlines()]
    assert [(cols[0], cols[1], cols[2], cols[4]) for cols in lines] == [
        ("1", "usage", "version 1", "Usage de l'IA"),
        ("2", "usage", "version 2", "Usage de l'IA"),
    ]


def test_add_stores_nothing_when_the_form_is_bad(env, tmp_path: Path) -> None:
    path = tmp_path / "bad.md"
    path.write_text(FORM.replace("select_one yn", "select_one ny"), encoding="utf-8")
    result = run("instrument", "add", str(path))
    assert result.exit_code == 1
    assert "SURVEY_008" in result.output
    assert run("instrument", "list").output.startswith("No instruments stored yet")


def _answers(tmp_path: Path, content: str) -> Path:
    path = tmp_path / "answers.json"
    path.write_text(content, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("answers", "lang", "expected"),
    [
        (
            {"uses": "yes", "hours": "70"},
            "en",
            {
                "pages": [
                    {"name": "uses", "questions": ["uses"]},
                    {"name": "hours", "questions": ["hours"]},
                ],
                # 70 div 8 = 8.75
                "values": {"uses": "yes", "hours": "70", "days": "8.75"},
                "errors": [
                    {"question": "hours", "kind": "constraint", "message": "60 at most"}
                ],
            },
        ),
        (
            {"uses": "no", "hours": "70"},
            None,
            {
                "pages": [{"name": "uses", "questions": ["uses"]}],
                # hours is not relevant: blank in the calculation, '' div 8 is NaN
                "values": {"uses": "no", "days": "NaN"},
                "errors": [],
            },
        ),
    ],
)
def test_simulate_prints_the_report(form_path, tmp_path, answers, lang, expected) -> None:
    args = ["instrument", "simulate", str(form_path), "--answers"]
    args.append(str(_answers(tmp_path, json.dumps(answers))))
    if lang:
        args += ["--lang", lang]
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == expected


@pytest.mark.parametrize(
    ("content", "code"),
    [
        ("{not json", "SURVEY_020"),
        ('["uses"]', "SURVEY_021"),
        ('{"hourz": "3"}', "SURVEY_022"),
        ('{"uses": "maybe"}', "SURVEY_023"),
        ('{"days": "3"}', "SURVEY_024"),
        ('{"hours": "three"}', "SURVEY_025"),
    ],
)
def test_simulate_rejects_bad_answers(form_path, tmp_path, content, code) -> None:
    result = run(
        "instrument",
        "simulate",
        str(form_path),
        "--answers",
        str(_answers(tmp_path, content)),
    )
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {code}: ")


BUNDLED = sorted(
    (Path(__file__).resolve().parents[2] / "studies" / "sociaparis").glob("*survey*.xlsx")
)


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_bundled_questionnaires_pass_check(path: Path) -> None:
    result = run("instrument", "check", str(path))
    assert result.exit_code == 0, result.output
    assert result.output.endswith("OK\n")


def test_the_three_questionnaires_are_bundled() -> None:
    assert len(BUNDLED) == 3


def test_check_accepts_a_kobo_form_and_prints_its_warnings(tmp_path: Path) -> None:
    path = tmp_path / "kobo.md"
    path.write_text(
        "| survey |\n| | type | name | label:English | appearance | read_only |\n"
        "| | start | start | | | |\n| | deviceid | deviceid | | | |\n"
        "| | select one from yn | q | Q | horizontal | yes |\n"
        "| choices |\n| | list name | name | label:English |\n| | yn | y | Yes |\n"
        "| settings |\n| | form_id |\n| | kobo |\n",
        encoding="utf-8",
    )
    result = run("instrument", "check", str(path))
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if line.startswith("warning")]
    assert [line.split(":")[1].strip() for line in warnings] == [
        "SURVEY_W03",
        "SURVEY_W03",
        "SURVEY_W04",
        "SURVEY_W05",
    ]
    assert "[sheet 'survey', row 4, column 'read_only']" in warnings[2]
    assert result.output.splitlines()[-1] == "OK"
