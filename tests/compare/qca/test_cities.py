"""The 15-city frame (studies/sociaparis/cities) runs a full QCA from the CLI."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

from sociaparis.cli import cli

CITIES = Path(__file__).resolve().parents[3] / "studies" / "sociaparis" / "cities"
DATA = str(CITIES / "cities.csv")
PLAN = str(CITIES / "calibration.toml")


def invoke(*args: str) -> dict:
    result = CliRunner().invoke(cli, ["qca", *args, "--calibration", PLAN, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_frame_is_labelled_synthetic() -> None:
    header = (CITIES / "cities.csv").read_text(encoding="utf-8").splitlines()[0]
    assert "SYNTHETIC" in header
    assert "SYNTHETIC" in (CITIES / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("case", "column", "expected"),
    [
        # direct logistic, hand-derived: 1 / (1 + exp(-(x - c) * log(19) / (i - c)))
        (0, "CIO", 1 / (1 + math.exp(-(8.5 - 5) * math.log(19) / 3))),
        (1, "CIO", 1 / (1 + math.exp((3 - 5) * math.log(19) / (2 - 5)))),
        (0, "ADOPT", 1 / (1 + math.exp(-(82 - 50) * math.log(19) / 25))),
        (0, "MOD", 1),
        (3, "CHARTER", 0.67),
        (2, "NET", 0.4),
    ],
)
def test_case_matrix_calibration(case: int, column: str, expected: float) -> None:
    sets = invoke("calibrate", DATA)
    assert sets["cases"][:4] == ["Lyon", "Bordeaux", "Nantes", "Lille"]
    assert math.isclose(sets[column][case], expected, rel_tol=1e-12)


def test_full_qca_from_the_cli() -> None:
    tt = invoke("truthtable", DATA, "--incl-cut", "0.8")
    assert tt["conditions"] == ["MOD", "SEMI", "CHARTER", "ENV", "BOT", "CIO", "NET"]
    # all memberships of Bordeaux and Torino are below 0.5: both in row 1
    assert tt["rows"][0]["rownum"] == 1
    assert tt["rows"][0]["cases"] == ["Bordeaux", "Torino"]
    assert sum(row["n"] for row in tt["rows"]) == 15
    res = invoke("minimize", DATA, "--incl-cut", "0.8", "--include", "?")
    assert res["solutions"]
    positive = {c for row in tt["rows"] if row["OUT"] == "1" for c in row["cases"]}
    for model in res["models"]:
        covered = {c for cases in model["cases"].values() for c in cases}
        assert positive <= covered
    intermediate = invoke(
        "minimize", DATA, "--incl-cut", "0.8", "--include", "?", "--dir-exp", "MOD, CIO"
    )
    assert intermediate["intermediate"]
    nec = invoke("necessity", DATA, "--incl-cut", "0.9", "--cov-cut", "0.6")
    assert [t["term"] for t in nec["pof"]["terms"]][0] == "MOD"
    assert all(t["inclN"] >= 0.9 - 1e-9 for t in nec["superSubset"]["terms"])


def test_case_matrix_exports_to_xlsx(tmp_path: Path) -> None:
    import pandas as pd

    target = tmp_path / "matrix.xlsx"
    result = CliRunner().invoke(
        cli, ["qca", "calibrate", DATA, "--calibration", PLAN, "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    matrix = pd.read_excel(target, sheet_name="case matrix", index_col=0)
    assert list(matrix.columns) == [
        "MOD",
        "SEMI",
        "CHARTER",
        "ENV",
        "BOT",
        "CIO",
        "NET",
        "ADOPT",
    ]
    assert len(matrix) == 15
    assert matrix.loc["Lille", "CHARTER"] == 0.67
