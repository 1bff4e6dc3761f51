"""Every R QCA conformance case in tests/reference/qca/ is recomputed and compared.

The reference values come from R QCA 3.23 (see tests/reference/qca/README.md, which
gives the R version, package versions and the exact R call of each case; the larger
intermediate cases in intermediate/ come from make_intermediate_cases.R there).
The runner reads only the call of a case (a copy stripped of R's answers) and its
answers must have exactly the keys of R's, at every level, with models and terms
in R's order; numbers to 1e-6 relative.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from typing import Any

import pytest

from sociaparis.compare.qca.conformance import CALL_KEYS, answers, run_case

REFERENCE = Path(__file__).resolve().parents[2] / "reference" / "qca"
INTERMEDIATE = REFERENCE / "intermediate"
CASES = sorted(REFERENCE.glob("*.json")) + sorted(INTERMEDIATE.glob("*.json"))
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


def _stripped_copy(path: Path, folder: Path) -> Path:
    """The case with only its call (R's answers removed), beside copies of its data."""
    case = json.loads(path.read_text(encoding="utf-8"))
    for data in path.parent.glob("*.csv"):
        shutil.copy(data, folder / data.name)
    call = {key: value for key, value in case.items() if key in CALL_KEYS}
    if case.get("kind") == "calibration":
        call["cases"] = [
            {"input": entry["input"], "r_call": entry["r_call"]}
            for entry in case["cases"]
        ]
    target = folder / path.name
    target.write_text(json.dumps(call), encoding="utf-8")
    return target


def _model_lists(case: dict[str, Any]) -> list[list[list[str]]]:
    lists = [case["solutions"]]
    lists += [i["solutions"] for i in case.get("intermediate", [])]
    if "parsimonious_solutions" in case:
        lists.append(case["parsimonious_solutions"])
    return lists


def test_all_cases_are_present() -> None:
    assert len(sorted(REFERENCE.glob("*.json"))) == 33
    assert len(sorted(INTERMEDIATE.glob("*.json"))) == 9


def test_cases_with_several_models_check_the_order() -> None:
    # R's model order is checked on every case; make sure enough cases have a choice
    several = [
        path.stem
        for path in CASES
        if "solutions" in (case := json.loads(path.read_text(encoding="utf-8")))
        and any(len(models) > 1 for models in _model_lists(case))
    ]
    assert len(several) >= 12, several


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case_agrees_with_r(path: Path, tmp_path: Path) -> None:
    expected = answers(json.loads(path.read_text(encoding="utf-8")))
    got = run_case(_stripped_copy(path, tmp_path))
    # exactly R's keys at every level, R's order of models and terms, R's numbers
    assert_close(got, expected, path.stem)
