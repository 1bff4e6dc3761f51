"""``sociaparis cases from-repeat``, ``sociaparis register`` and a QCA run over the
systems frame through ``sociaparis qca --matrix`` (SQLite study folder)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from click.testing import CliRunner

from sociaparis.cli import cli
from sociaparis.cli.common import database_session
from sociaparis.compare.register.examples import TRANSPORT_FORM_ID, add_example_responses
from sociaparis.survey.fielding.service import Fielding, configure_fielding
from sociaparis.survey.service import add_instrument
from sociaparis.survey.xlsform import parse_xlsform
from tests.cli.test_cases import run, study  # noqa: F401 - the study fixture

FORM = (
    Path(__file__).resolve().parents[2]
    / "studies"
    / "sociaparis"
    / "transport_vision_survey.xlsx"
)


def _examples() -> list[str]:
    with database_session() as session:
        form = parse_xlsform(FORM.read_bytes(), filename=FORM.name)
        add_instrument(session=session, form=form)
        configure_fielding(session=session, fielding=Fielding(form_id=TRANSPORT_FORM_ID))
        return add_example_responses(session=session)


def test_cases_from_a_repeat_with_the_answer_behind_a_cell(study: Path) -> None:  # noqa: F811
    responses = _examples()
    code, out = run(
        "cases", "from-repeat", TRANSPORT_FORM_ID, "tool", "--join", "tool_detail",
        "--frame", "tools", "--question", "mode", "--question", "oversight",
        "--user", "boss",
    )  # fmt: skip
    assert (code, out) == (0, "tools: 16 cells in 8 cases (8 new), dimensions: 2\n")
    case = f"{responses[1]}#1"
    code, out = run("cases", "evidence", "tools", case, "oversight", "--json")
    evidence = json.loads(out)
    assert evidence["cell"]["value"] == "automatic"
    assert evidence["answer"]["repeat"] == "tool_detail"
    assert evidence["answer"]["answer_labels"] == [
        "L'action est automatique (ex. avis de paiement)"
    ]
    code, out = run("cases", "from-repeat", TRANSPORT_FORM_ID, "tool", "--frame", "t",
                    "--user", "ana")  # fmt: skip
    assert code == 1 and "CASES_008" in out


def test_register_show_export_and_rules(study: Path, tmp_path: Path) -> None:  # noqa: F811
    _examples()
    code, out = run("register", "show", "--filter", "biometric=yes", "--lang", "en")
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0].startswith("This screening is not legal advice")
    assert lines[1] == (
        "2 systems counted, 1 of organisations that did not agree to be named "
        "(counted only)."
    )
    assert len(lines) == 3 and "\tLikely prohibited\t" in lines[2]
    assert "Opérateur D" not in out
    target = tmp_path / "register.csv"
    code, out = run(
        "register", "export", "csv", "-o", str(target), "--filter", "mode=metro"
    )
    assert (code, out) == (0, f"3 named systems written to {target}\n")
    with target.open(encoding="utf-8-sig") as handle:
        assert len(list(csv.reader(handle))) == 4
    code, out = run("register", "export", "atrs", "-o", str(tmp_path / "atrs.json"))
    assert (
        code == 0
        and len(json.loads((tmp_path / "atrs.json").read_text())["records"]) == 5
    )
    code, out = run("register", "rules")
    assert code == 0 and len(out.splitlines()) == 8
    code, out = run("register", "show", "--filter", "colour=red")
    assert code == 1 and "REGISTER_022" in out


def test_a_qca_over_the_systems_frame(study: Path) -> None:  # noqa: F811
    _examples()
    code, out = run("register", "frame", "--user", "boss")
    # 8 systems x 12 answers every tool has, + 26 answers about personal data (5 for
    # each of the 5 tools processing some, 1 "other" use case), + 8 x 5 QCA flags
    assert (code, out) == (0, "transport_systems: 162 cells in 8 cases (8 new)\n")
    result = CliRunner().invoke(cli, [
        "qca", "truthtable", "--matrix", "transport_systems",
        "--outcome", "public_information",
        "--conditions", "dpia_done,human_review,evaluated", "--json",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    table = json.loads(result.output)
    rows = {tuple(r["row"]): (r["n"], r["incl"]) for r in table["rows"]}
    # by hand from examples.py (see tests/compare/register/test_register.py)
    assert rows[(1, 1, 1)] == (2, 1.0) and rows[(0, 0, 0)] == (2, 0.5)
    assert rows[(1, 0, 0)] == (1, 0.0) and rows[(0, 1, 0)] == (1, 1.0)
    assert rows[(0, 0, 1)] == (2, 1.0)
    minimized = CliRunner().invoke(cli, [
        "qca", "minimize", "--matrix", "transport_systems",
        "--outcome", "public_information",
        "--conditions", "dpia_done,human_review,evaluated", "--include", "?", "--json",
    ])  # fmt: skip
    assert minimized.exit_code == 0, minimized.output
    assert json.loads(minimized.output)["models"]
