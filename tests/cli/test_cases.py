"""``sociaparis cases`` and ``sociaparis qca --matrix``: the 15-city frame from the
database through a full QCA, evidence, export, errors (SQLite study folder)."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from sociaparis.cli import cli
from sociaparis.compare.matrix.errors import MatrixError
from sociaparis.core.config import get_settings

CITIES = Path(__file__).resolve().parents[2] / "studies" / "sociaparis" / "cities"
DATA = str(CITIES / "cities.csv")
PLAN = str(CITIES / "calibration.toml")
DIMENSIONS = (
    "country, strategy_driver, tool_type, charter_guide, environmental_assessment, "
    "public_chatbot, cio_engagement, cooperation_channel, adoption_score"
)


@pytest.fixture
def study(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("SOCIAPARIS_DATABASE_URL", f"sqlite:///{tmp_path / 'study.db'}")
    monkeypatch.setenv("SOCIAPARIS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SOCIAPARIS_USER", raising=False)
    get_settings.cache_clear()
    for name, role in (("boss", "researcher"), ("ana", "coder")):
        result = CliRunner().invoke(
            cli,
            ["user", "add", name, "--role", role, "--password-stdin"],
            input="a-long-password-123\n",
        )
        assert result.exit_code == 0, result.output
    yield tmp_path
    get_settings.cache_clear()


CITY_NAMES = [
    "Lyon", "Bordeaux", "Nantes", "Lille", "Strasbourg", "Barcelona", "Milano", "Torino",
    "Muenchen", "Rotterdam", "Gent", "Wien", "Helsinki", "Porto", "Lisboa",
]  # fmt: skip


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def qca_json(*args: str) -> dict:
    code, out = run("qca", *args, "--calibration", PLAN, "--json")
    assert code == 0, out
    return json.loads(out)


def error(entry: MatrixError, **context: object) -> str:
    return f"Error: {entry.code}: {entry.format(**context)}\n"


def _import(user: str = "boss") -> tuple[int, str]:
    return run("cases", "import-csv", "cities", DATA, "--user", user)


ANALYSES = [
    ("calibrate",),
    ("truthtable", "--incl-cut", "0.8"),
    ("minimize", "--incl-cut", "0.8", "--include", "?"),
    ("minimize", "--incl-cut", "0.8", "--include", "?", "--dir-exp", "MOD, CIO"),
    ("necessity", "--incl-cut", "0.9", "--cov-cut", "0.6"),
]


def test_full_qca_on_the_stored_15_city_frame(study: Path) -> None:
    assert _import() == (
        0,
        f"cities: 135 cells in 15 cases (15 new), dimensions: {DIMENSIONS}\n",
    )
    # again: the same cells are updated, nothing is duplicated
    assert _import() == (
        0,
        f"cities: 135 cells in 15 cases (0 new), dimensions: {DIMENSIONS}\n",
    )
    # the stored matrix gives exactly what the CSV gives, command by command
    for command, *options in ANALYSES:
        stored = qca_json(command, "--matrix", "cities", *options)
        assert stored == qca_json(command, DATA, *options), command
    sets = qca_json("calibrate", "--matrix", "cities")
    assert sets["cases"][:4] == ["Lyon", "Bordeaux", "Nantes", "Lille"]
    # direct logistic, hand-derived: 1 / (1 + exp(-(x - c) * log(19) / (i - c)))
    expected = 1 / (1 + math.exp(-(8.5 - 5) * math.log(19) / 3))
    assert math.isclose(sets["CIO"][0], expected, rel_tol=1e-12)
    tt = qca_json("truthtable", "--matrix", "cities", "--incl-cut", "0.8")
    assert tt["rows"][0]["cases"] == ["Bordeaux", "Torino"]
    assert sum(row["n"] for row in tt["rows"]) == 15
    res = qca_json(
        "minimize", "--matrix", "cities", "--incl-cut", "0.8", "--include", "?"
    )
    assert len(res["solutions"]) == 3  # the model ambiguity the README describes
    assert all("CHARTER*CIO" in solution for solution in res["solutions"])


def test_a_hand_correction_reaches_the_analysis_with_its_evidence(study: Path) -> None:
    _import()
    assert run("cases", "set", "cities", "lyon", "adoption_score", "40",
               "--user", "boss") == (
        1, error(MatrixError.REASON_REQUIRED, case="Lyon", dimension="adoption_score",
                 old="'82'", new="'40'", limit=2000),
    )  # fmt: skip
    assert run("cases", "set", "cities", "lyon", "adoption_score", "40",
               "--note", "report of March 2026", "--reason", "the March report",
               "--user", "boss") == (
        0, "Lyon / adoption_score = 40\n",
    )  # fmt: skip
    code, out = run("cases", "history", "cities", "--case", "Lyon",
                    "--dimension", "adoption_score")  # fmt: skip
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d boss Lyon / adoption_score: 82 -> 40 "
        r"\(the March report\)",
        lines[0],
    )
    assert lines[1].endswith(
        "boss Lyon / adoption_score: (empty) -> 82 [- -> hand] "
        "(import of cities.csv, row 5)"
    )
    code, out = run("cases", "history", "cities", "--json")
    assert len(json.loads(out)) == 135 + 1
    sets = qca_json("calibrate", "--matrix", "cities")
    expected = 1 / (1 + math.exp(-(40 - 50) * math.log(19) / 25))
    assert math.isclose(sets["ADOPT"][0], expected, rel_tol=1e-12)
    code, out = run("cases", "evidence", "cities", "Lyon", "adoption_score")
    assert code == 0
    lines = out.splitlines()
    assert lines[:2] == ["Lyon / adoption_score = 40", "source: entered by hand"]
    assert re.fullmatch(r"set by boss on \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", lines[2])
    assert lines[3] == "note: report of March 2026"
    code, out = run("cases", "evidence", "cities", "Gent", "country", "--json")
    assert json.loads(out)["cell"]["source"] == {"file": "cities.csv", "row": 15}


def test_show_and_export(study: Path) -> None:
    _import()
    code, out = run("cases", "show", "cities", "--json")
    shown = json.loads(out)
    assert [c["name"] for c in shown["cases"]][:2] == ["Lyon", "Bordeaux"]
    assert len(shown["cells"]) == 135
    assert {d["name"]: d["value_type"] for d in shown["dimensions"]}[
        "cio_engagement"
    ] == ("number")
    code, out = run("cases", "show", "cities", "--sources")
    lyon = next(line for line in out.splitlines() if "Lyon" in line)
    cells = [c.strip() for c in lyon.strip("│ ").split("│")]
    assert cells == ["Lyon", "FR [h]", "modernisation [h]", "semi-generalist [h]",
                     "charter [h]", "yes [h]", "yes [h]", "8.5 [h]", "network [h]",
                     "82 [h]"]  # fmt: skip
    target = study / "matrix.csv"
    assert run("cases", "export", "cities", "--out", str(target)) == (
        0,
        f"case matrix written to {target}\n",
    )
    for command, *options in ANALYSES:
        exported = qca_json(command, str(target), *options)
        assert exported == qca_json(command, DATA, *options), command
    assert run("cases", "export", "cities", "--out", "m.ods") == (
        1,
        error(MatrixError.BAD_OUTPUT, path="m.ods"),
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("cases", "show", "nowhere"),
         (1, error(MatrixError.UNKNOWN_FRAME, frame="nowhere", known="cities"))),
        (("cases", "import-csv", "cities", DATA, "--user", "ana"),
         (1, error(MatrixError.NOT_ALLOWED, user="ana", role="coder",
                   action="import a case matrix"))),
        (("cases", "evidence", "cities", "Paris", "country"),
         (1, error(MatrixError.UNKNOWN_CASE, frame="cities", case="Paris",
                   known=", ".join(CITY_NAMES)))),
        (("cases", "from-survey", "cities", "f", "--case-question", "city_name",
          "--map", "driver", "--user", "boss"),
         (1, error(MatrixError.BAD_MAPPING, item="driver"))),
        (("cases", "set", "cities", "Lyon", "cio_engagement", "high", "--user", "boss"),
         (1, error(MatrixError.TYPE_CONFLICT, dimension="cio_engagement",
                   existing="number", source="this import", new="text"))),
    ],
)  # fmt: skip
def test_errors_are_clean_messages(
    study: Path, args: tuple[str, ...], expected: tuple[int, str]
) -> None:
    _import()
    assert run(*args) == expected


def test_import_a_workbook_and_list_what_changed(study: Path) -> None:
    _import()
    target = study / "matrix.xlsx"
    assert run("cases", "export", "cities", "--out", str(target))[0] == 0
    import openpyxl

    book = openpyxl.load_workbook(target)
    book["case matrix"]["J2"] = 79  # Lyon's adoption_score
    book.save(target)
    code, out = run("cases", "import", "cities", str(target), "--user", "boss")
    assert code == 0, out
    assert out.splitlines()[1:] == [
        "Lyon / adoption_score: 82 -> 79",
        "134 cells kept their value",
    ]
    odt = study / "matrix.ods"
    odt.write_bytes(b"x")
    assert run("cases", "import", "cities", str(odt), "--user", "boss") == (
        1,
        error(MatrixError.BAD_IMPORT_FILE, filename="matrix.ods"),
    )


def test_matrix_and_csv_are_exclusive(study: Path) -> None:
    _import()
    code, out = run("qca", "truthtable", DATA, "--matrix", "cities", "--outcome", "x")
    assert code == 2
    assert "Give DATA.csv or --matrix FRAME (one of them)." in out
    code, out = run("qca", "necessity", "--outcome", "x")
    assert code == 2


TEXT = "La ville a publié une charte. Le chatbot aide les usagers."


def test_codes_from_the_interviews_with_their_segments(study: Path) -> None:
    (study / "lyon.txt").write_text(TEXT, encoding="utf-8")
    steps = [
        ("qual", "import", str(study / "lyon.txt"), "--case", "Lyon",
         "--no-pseudonymization", "--user", "boss"),
        ("qual", "codebook", "add", "Charte", "--user", "boss"),
        ("qual", "code", "1", "Charte", "22", "28", "--user", "boss"),
    ]  # fmt: skip
    for step in steps:
        code, out = run(*step)
        assert code == 0, out
    _import()
    code, out = run("cases", "from-codes", "cities", "--code", "Charte", "--as", "count",
                    "--dimension", "charter_mentions", "--user", "boss")  # fmt: skip
    lines = out.splitlines()
    assert (code, lines[0]) == (
        0, "cities: 1 cells in 1 cases (0 new), dimensions: charter_mentions"
    )  # fmt: skip
    # the 14 other cities have no interviews: one warning each, in frame order
    assert lines[1:] == [
        "warning " + MatrixError.NOT_LINKED.code + ": "
        + MatrixError.NOT_LINKED.format(case=city, dimension="charter_mentions")
        for city in CITY_NAMES[1:]
    ]  # fmt: skip
    code, out = run("cases", "evidence", "cities", "Lyon", "charter_mentions",
                    "--context", "6")  # fmt: skip
    lines = out.splitlines()
    assert lines[0] == "Lyon / charter_mentions = 1"
    assert lines[1].startswith("source: code 'Charte' in qualitative case 'Lyon': ")
    assert lines[-1] == "[lyon.txt 22:28] …é une [charte]. Le c…"
    shown = json.loads(run("cases", "show", "cities", "--json")[1])
    assert {c["name"]: c["qual_case"] for c in shown["cases"]}["Lyon"] == "Lyon"
    assert run("cases", "link", "cities", "Lyon", "--user", "boss") == (
        0,
        "Lyon -> (no qualitative case)\n",
    )
    assert run("cases", "link", "cities", "Nantes", "Lyon", "--user", "boss") == (
        0,
        "Nantes -> Lyon\n",
    )
    shown = json.loads(run("cases", "show", "cities", "--json")[1])
    links = {c["name"]: c["qual_case"] for c in shown["cases"]}
    assert (links["Lyon"], links["Nantes"]) == (None, "Lyon")


def test_from_survey_and_the_answer_behind_a_cell(study: Path) -> None:
    from datetime import date

    from sociaparis.cli.common import database_session
    from sociaparis.survey.fielding.service import Fielding, configure_fielding
    from sociaparis.survey.models import ResponseRecord
    from sociaparis.survey.service import add_instrument
    from sociaparis.survey.synthetic import add_synthetic_responses
    from sociaparis.survey.xlsform import parse_xlsform

    form = CITIES.parent / "cio_city_survey.xlsx"
    with database_session() as session:
        parsed = parse_xlsform(form.read_bytes(), filename=form.name)
        add_instrument(session=session, form=parsed)
        configure_fielding(session=session, fielding=Fielding("sociaparis_cio_cities"))
        (response,) = add_synthetic_responses(session=session, count=1, seed=3,
            form_id="sociaparis_cio_cities", today=date(2026, 3, 1))  # fmt: skip
        record = session.get(ResponseRecord, response)
        record.answers = {**record.answers, "city_name": "Lyon"}
        driver = record.answers["main_driver"]
    _import()
    assert run("cases", "from-survey", "cities", "sociaparis_cio_cities",
               "--case-question", "city_name", "--map", "driver=main_driver",
               "--user", "boss") == (
        0, "cities: 1 cells in 1 cases (0 new), dimensions: driver\n",
    )  # fmt: skip
    code, out = run("cases", "evidence", "cities", "Lyon", "driver", "--json")
    evidence = json.loads(out)
    assert evidence["cell"]["value"] == driver
    assert evidence["cell"]["source"]["response"] == response
    assert evidence["answer"]["answer"] == driver
    code, out = run("cases", "evidence", "cities", "Lyon", "driver")
    assert out.splitlines()[1] == (
        f"source: response {response} to form 'sociaparis_cio_cities', "
        "question 'main_driver'"
    )
