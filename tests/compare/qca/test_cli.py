"""The ``sociaparis qca`` commands: exit codes, exact messages, JSON and plots."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from sociaparis.cli import cli
from sociaparis.compare.qca.conformance import run_case
from sociaparis.compare.qca.errors import QCAError

REFERENCE = Path(__file__).resolve().parents[2] / "reference" / "qca"
LC = str(REFERENCE / "LC.csv")


def run(*args: str):
    return CliRunner().invoke(cli, ["qca", *args])


def test_run_prints_the_recomputed_case() -> None:
    case = REFERENCE / "LC-parsimonious.json"
    result = run("run", str(case))
    assert result.exit_code == 0
    assert json.loads(result.output) == json.loads(json.dumps(run_case(case)))
    assert json.loads(result.output)["solutions"] == [["DEV*STB"]]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["minimize", LC, "--outcome", "FOO"],
            QCAError.UNKNOWN_COLUMN.format(
                column="FOO", available="DEV, URB, LIT, IND, STB, SURV"
            ),
        ),
        (
            ["truthtable", LC, "--outcome", "SURV", "--incl-cut", "x"],
            QCAError.BAD_INCL_CUT.format(value="x"),
        ),
        (
            ["minimize", LC, "--outcome", "SURV", "--include", "!"],
            QCAError.BAD_INCLUDE.format(value="!"),
        ),
        (
            ["minimize", "missing.csv", "--outcome", "SURV"],
            "QCA_016: Cannot read missing.csv",
        ),
    ],
)
def test_errors_are_clean_messages(args: list[str], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_minimize_json_and_table() -> None:
    result = run("minimize", LC, "--outcome", "SURV", "--include", "?", "--json")
    assert result.exit_code == 0
    payload = json.loads(result.output)
    assert payload["solutions"] == [["DEV*STB"]]
    assert payload["truth_table"]["rows"][0]["cases"] == ["GR", "PT", "ES"]
    table = run("minimize", LC, "--outcome", "SURV", "--include", "?")
    assert "parsimonious M1: DEV*STB" in table.output


@pytest.mark.parametrize(
    ("command", "suffix", "magic"),
    [
        ("truthtable", ".png", b"\x89PNG"),
        ("minimize", ".svg", b"<?xml"),
        ("necessity", ".png", b"\x89PNG"),
    ],
)
def test_plots_are_written(
    tmp_path: Path, command: str, suffix: str, magic: bytes
) -> None:
    target = tmp_path / f"plot{suffix}"
    result = run(command, LC, "--outcome", "SURV", "--plot", str(target))
    assert result.exit_code == 0, result.output
    assert target.read_bytes().startswith(magic)


def test_calibrate_single_column(tmp_path: Path) -> None:
    out = tmp_path / "sets.csv"
    raw = str(REFERENCE / "LR.csv")
    result = run(
        "calibrate",
        raw,
        "--column",
        "DEV",
        "--thresholds",
        "550",
        "--type",
        "crisp",
        "-o",
        str(out),
    )
    assert result.exit_code == 0, result.output
    expected = json.loads(
        (REFERENCE / "LR-crisp-calibrated-parsimonious.json").read_text()
    )
    assert out.read_text().splitlines()[1:] == [
        f"{case},{value}"
        for case, value in zip(
            expected["calibration"]["case_order"],
            expected["calibration"]["calibrated"]["DEV"],
            strict=True,
        )
    ]
