"""Every R QCA conformance case in tests/reference/qca/ is recomputed and compared.

The reference values come from R QCA 3.23 (see tests/reference/qca/README.md, which
gives the R version, package versions and the exact R call of each case).
Models are compared as sets (R orders terms and models by its own rules); numbers
to 1e-6 relative.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from sociaparis.compare.qca.conformance import run_case

REFERENCE = Path(__file__).resolve().parents[2] / "reference" / "qca"
CASES = sorted(p for p in REFERENCE.glob("*.json"))
RTOL = 1e-6


def assert_close(got: Any, expected: Any, where: str) -> None:
    """Recursive comparison: floats to RTOL, everything else exactly."""
    if isinstance(expected, dict):
        assert isinstance(got, dict), where
        assert set(got) == set(expected), f"{where}: keys {set(got) ^ set(expected)}"
        for key in expected:
            assert_close(got[key], expected[key], f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(got, list) and len(got) == len(expected), where
        for i, (g, e) in enumerate(zip(got, expected, strict=True)):
            assert_close(g, e, f"{where}[{i}]")
    elif isinstance(expected, float) or isinstance(got, float):
        assert got is not None and expected is not None, f"{where}: {got} vs {expected}"
        assert math.isclose(got, expected, rel_tol=RTOL, abs_tol=1e-12), (
            f"{where}: {got} vs {expected}"
        )
    else:
        assert got == expected, f"{where}: {got!r} vs {expected!r}"


def _key(terms: list[str]) -> frozenset[str]:
    return frozenset(terms)


def assert_models(
    got: dict[str, Any], expected: dict[str, Any], solutions: str, fit: str
):
    """Same set of models; fit of each model matched by its terms."""
    exp_models = [_key(m) for m in expected[solutions]]
    got_models = [_key(m) for m in got[solutions]]
    assert set(got_models) == set(exp_models)
    assert len(got_models) == len(exp_models)
    where = {m: i for i, m in enumerate(got_models)}
    for i, model in enumerate(exp_models):
        j = where[model]
        assert_close(got[fit]["solution"][j], expected[fit]["solution"][i], f"{fit}.M{i}")
        if "per_model" in expected[fit]:
            assert_close(
                got[fit]["per_model"][j], expected[fit]["per_model"][i], f"{fit}.pm{i}"
            )
    assert_close(got[fit]["terms"], expected[fit]["terms"], f"{fit}.terms")


def check_minimization(got: dict[str, Any], expected: dict[str, Any]) -> None:
    assert_close(got["truth_table"], expected["truth_table"], "truth_table")
    assert_models(got, expected, "solutions", "fit")
    for key in ("essential", "prime_implicants"):
        if key in expected:
            assert sorted(got[key]) == sorted(expected[key]), key
    if expected.get("simplifying_assumptions"):
        got_models = [_key(m) for m in got["solutions"]]
        got_sa = list(got["simplifying_assumptions"].values())
        for i, model in enumerate(expected["solutions"]):
            exp_sa = list(expected["simplifying_assumptions"].values())[i]
            assert got_sa[got_models.index(_key(model))] == exp_sa, f"SA of M{i + 1}"
    if "intermediate" in expected:
        assert [i["key"] for i in got["intermediate"]] == [
            i["key"] for i in expected["intermediate"]
        ]
        for g, e in zip(got["intermediate"], expected["intermediate"], strict=True):
            assert_models(g, e, "solutions", "fit")
            assert sorted(g["essential"]) == sorted(e["essential"])
            assert sorted(g["easy_counterfactuals"]) == sorted(e["easy_counterfactuals"])
        assert_models(got, expected, "parsimonious_solutions", "parsimonious_fit")
    if expected.get("calibration"):
        assert_close(
            got["calibration"]["calibrated"], expected["calibration"]["calibrated"], "cal"
        )


def check_necessity(got: dict[str, Any], expected: dict[str, Any]) -> None:
    for key in ("superSubset", "pof"):
        if key in expected:
            by_term = {t["term"]: t for t in got[key]}
            assert set(by_term) == {t["term"] for t in expected[key]}, key
            for term in expected[key]:
                assert_close(by_term[term["term"]], term, f"{key}.{term['term']}")


def check_calibration(got: dict[str, Any], expected: dict[str, Any]) -> None:
    for g, e in zip(got["cases"], expected["cases"], strict=True):
        assert_close(
            [float(v) for v in g["values"]], [float(v) for v in e["values"]], e["r_call"]
        )


def test_all_cases_are_present() -> None:
    assert len(CASES) == 33


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case_agrees_with_r(path: Path) -> None:
    expected = json.loads(path.read_text(encoding="utf-8"))
    got = run_case(path)
    if expected.get("kind") == "calibration":
        check_calibration(got, expected)
    elif expected.get("analysis") == "necessity":
        check_necessity(got, expected)
    else:
        check_minimization(got, expected)
