"""Every survey conformance case (R survey 4.1-1 references) through sociaparis.

The cases and data are copies of ../shared/conformance/survey (see
tests/reference/survey/README.md for versions and the R script).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from sociaparis.analysis.conformance import compare_results, run_case
from sociaparis.cli import cli

CASES = sorted((Path(__file__).parents[1] / "reference" / "survey").glob("*.json"))
RTOL = 1e-6  # the requirement; the cases agree to 1e-9 (single-precision weights)


def test_every_case_is_collected() -> None:
    assert len(CASES) == 32


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case_matches_r(path: Path) -> None:
    reference = json.loads(path.read_text(encoding="utf-8"))
    computed = run_case(path)
    assert set(computed) >= set(reference)
    problems = compare_results(reference["result"], computed["result"], rtol=RTOL)
    if "extra_2x2" in reference:
        problems += compare_results(
            reference["extra_2x2"], computed["extra_2x2"], rtol=RTOL, where="extra_2x2"
        )
    assert problems == []


@pytest.mark.parametrize(
    ("expected", "actual", "n_problems"),
    [
        ({"a": 1.0}, {"a": 1.0 + 1e-7}, 0),
        ({"a": 1.0}, {"a": 1.0 + 1e-5}, 1),
        ({"a": [1, "x"]}, {"a": [1, "y"]}, 1),
        ({"a": {"b": 0.0}}, {"a": {}}, 1),
        ({"a": 2.0}, {"a": float("nan")}, 1),
    ],
)
def test_compare_results_flags_differences(expected, actual, n_problems) -> None:
    assert len(compare_results(expected, actual)) == n_problems


def test_cli_run_prints_the_case_with_result() -> None:
    path = next(p for p in CASES if p.stem == "clus1_ratio_apistu_enroll")
    out = CliRunner().invoke(cli, ["stats", "run", str(path)])
    assert out.exit_code == 0
    printed = json.loads(out.output)
    assert printed["id"] == "clus1_ratio_apistu_enroll"
    assert compare_results({"estimate": 0.849708741724488}, printed["result"]) == []


def test_cli_check_fails_on_a_wrong_reference(tmp_path: Path) -> None:
    src = next(p for p in CASES if p.stem == "clus1_ratio_apistu_enroll")
    case = json.loads(src.read_text(encoding="utf-8"))
    case["result"]["se"] *= 1.01
    case["data"] = str(src.parent / case["data"])
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(case), encoding="utf-8")
    out = CliRunner().invoke(cli, ["stats", "run", "--check", str(bad)])
    assert out.exit_code == 1
    assert "result.se" in out.output
