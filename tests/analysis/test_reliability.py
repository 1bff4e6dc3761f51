"""Agreement coefficients against the conformance cases and hand-derived values."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from numpy.testing import assert_allclose

from sociaparis.analysis.reliability import (
    ReliabilityResult,
    cohen_kappa,
    compute,
    fleiss_kappa,
    fleiss_kappa_from_counts,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement,
    run_case,
)
from sociaparis.cli import cli

CASES_DIR = Path(__file__).resolve().parent.parent / "reference" / "reliability"
CASES = sorted(CASES_DIR.glob("*.json"))


def load(name: str) -> dict:
    return json.loads((CASES_DIR / f"{name}.json").read_text(encoding="utf-8"))


def test_every_case_is_there() -> None:
    assert len(CASES) == 13
    assert (CASES_DIR / "README.md").exists()


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_conformance_case(path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    computed = run_case(case)
    assert_allclose(computed["value"], case["value"], rtol=1e-9)
    if "published_value" in case:
        assert round(computed["value"], 3) == round(case["published_value"], 3)
    assert {k: v for k, v in computed.items() if k != "value"} == {
        k: v for k, v in case.items() if k != "value"
    }


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_cli_agreement_prints_the_case_with_our_value(path: Path) -> None:
    result = CliRunner().invoke(cli, ["qual", "agreement", str(path)])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert_allclose(printed["value"], json.loads(path.read_text())["value"], rtol=1e-9)


def test_cli_agreement_rejects_a_bad_case(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"measure": "cohens_d", "data": [[1], [1]]}))
    result = CliRunner().invoke(cli, ["qual", "agreement", str(bad)])
    assert result.exit_code == 1
    assert "case measure must be one of" in result.output


def test_fleiss_from_published_counts_matches_spread_data() -> None:
    case = load("fleiss_kappa_wikipedia_14raters")
    from_counts = run_case({**case, "data": None})
    assert_allclose(from_counts["value"], case["value"], rtol=1e-9)
    result = fleiss_kappa_from_counts(case["counts"])
    # Wikipedia: P-bar = 0.378, P-bar_e = 0.213
    assert round(result.observed_agreement, 3) == 0.378
    assert round(result.chance_agreement, 3) == 0.213


def test_missing_marker_in_case() -> None:
    case = load("kripp2011_alpha_nominal")
    case["data"] = [[-9 if v is None else v for v in row] for row in case["data"]]
    case["missing"] = -9
    assert_allclose(run_case(case)["value"], 0.743421052631579, rtol=1e-9)


# Kappa paradox table (hand-derived): 7 yes/yes, 1 yes/no, 1 no/yes, 1 no/no.
# p_o = 0.8; Cohen p_e = 0.8^2 + 0.2^2 = 0.68 -> 0.12/0.32 = 0.375;
# AC1 pi_yes = 0.8, p_e = 2 * 0.8 * 0.2 / (2 - 1) = 0.32 -> 0.48/0.68.
PARADOX = [[1, 1]] * 7 + [[1, 0], [0, 1], [0, 0]]
# Three coders with missing ratings (hand-derived):
# pairwise: units 1 and 3 agree fully, unit 2 has 1 agreeing pair of 3, unit 4 none:
# (1 + 1/3 + 1 + 0) / 4 = 7/12; "all": 2 of 4 units.
THREE = [[1, 1, 1], [1, 1, 0], [0, 0, 0], [1, 0, None], [1, None, None]]
# AC1 with missing: p_a = (1 + 1/3) / 2 = 2/3; pi_a = (1 + 1/3 + 0) / 3 = 4/9;
# p_e = 2 * 4/9 * 5/9 = 40/81; AC1 = (2/3 - 40/81) / (41/81) = 14/41.
GWET_MISSING = [["a", "a", None], ["a", "b", "b"], ["b", None, None]]
# Scott/Fleiss with 2 coders on PARADOX: p_j = (0.8, 0.2) -> p_e = 0.68, kappa 0.375.

HAND = [
    ("percent_agreement", {}, PARADOX, 0.8),
    ("cohen_kappa", {}, PARADOX, 0.375),
    ("gwet_ac1", {}, PARADOX, 0.48 / 0.68),
    ("fleiss_kappa", {}, PARADOX, 0.375),
    ("percent_agreement", {}, THREE, 7 / 12),
    ("percent_agreement", {"method": "all"}, THREE, 0.5),
    ("gwet_ac1", {}, GWET_MISSING, 14 / 41),
    ("cohen_kappa", {}, [[0, 0], [1, 1], [2, 2]], 1.0),
    # linear weights over 3 categories: w = 1, 0.5, 0; one half-credit unit
    # p_o = (1 + 1 + 0.5) / 3; marginals (1/3, 1/3, 1/3) and (1/3, 0, 2/3):
    # p_e = sum_ij w_ij r_i c_j = 1/3 * (1/3*1 + 2/3*0) + 1/3 * (1/3*.5 + 2/3*.5)
    #       + 1/3 * (1/3*0 + 2/3*1) = 1/3 * (1/3 + 1/2 + 2/3) = 1/2
    (
        "cohen_kappa",
        {"weights": "linear"},
        [[0, 0], [1, 2], [2, 2]],
        (2.5 / 3 - 0.5) / 0.5,
    ),
    # nominal alpha, 2 coders, 3 units (a,a) (a,b) (b,b): o_aa = 2, o_ab = o_ba = 1,
    # o_bb = 2; n = 6, n_a = n_b = 3; D_o = 2/6, D_e = 2*9/30 -> 1 - (1/3)/(3/5) = 4/9
    ("krippendorff_alpha", {}, [["a", "a"], ["a", "b"], ["b", "b"]], 4 / 9),
]


@pytest.mark.parametrize(("function", "options", "table", "expected"), HAND)
def test_hand_derived(function: str, options: dict, table: list, expected: float) -> None:
    funcs = {
        "percent_agreement": percent_agreement,
        "cohen_kappa": cohen_kappa,
        "gwet_ac1": gwet_ac1,
        "fleiss_kappa": fleiss_kappa,
        "krippendorff_alpha": krippendorff_alpha,
    }
    assert_allclose(funcs[function](table, **options).value, expected, rtol=1e-12)


def test_ordinal_labels_with_given_order_equal_numeric_codes() -> None:
    case = load("kripp2011_alpha_ordinal")
    labels = {1: "rare", 2: "parfois", 3: "souvent", 4: "toujours", 5: "partout"}
    table = [
        [None if v is None else labels[v] for v in col]
        for col in zip(*case["data"], strict=True)
    ]
    result = krippendorff_alpha(table, level="ordinal", categories=list(labels.values()))
    assert_allclose(result.value, case["value"], rtol=1e-9)


def test_a_unit_coded_once_does_not_change_alpha() -> None:
    case = load("kripp_alpha_nominal_fleiss1971_complete_6raters")
    table = [list(col) for col in zip(*case["data"], strict=True)]
    table.append([3, None, None, None, None, None])
    assert_allclose(krippendorff_alpha(table).value, case["value"], rtol=1e-9)


def test_dataframe_with_nan_equals_lists_with_none() -> None:
    case = load("wikipedia_alpha_interval")
    frame = pd.DataFrame(case["data"], dtype=float).T
    assert frame.isna().any().any()
    result = krippendorff_alpha(frame, level="interval")
    assert_allclose(result.value, case["value"], rtol=1e-9)
    assert result.n_units == 12 and result.n_coders == 3
    assert_allclose(
        1 - result.observed_disagreement / result.expected_disagreement,
        result.value,
        rtol=1e-12,
    )


def test_nan_policy_omit_drops_incomplete_units() -> None:
    table = [*PARADOX, [1, None]]
    with pytest.raises(ValueError, match="1 unit\\(s\\) have missing ratings"):
        cohen_kappa(table)
    assert_allclose(cohen_kappa(table, nan_policy="omit").value, 0.375, rtol=1e-12)
    assert cohen_kappa(table, nan_policy="omit").n_units == 10


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: cohen_kappa([[1, 2, 3]]), "exactly 2 coders"),
        (lambda: cohen_kappa(PARADOX, weights="cubic"), "weights must be one of"),
        (lambda: krippendorff_alpha(PARADOX, level="binary"), "level must be one of"),
        (lambda: krippendorff_alpha([["a", "b"]], level="interval"), "needs numeric"),
        (lambda: krippendorff_alpha([[-1, 2], [1, 1]], level="ratio"), "values >= 0"),
        (lambda: krippendorff_alpha([[1, None], [None, 2]]), "no unit has values"),
        (lambda: fleiss_kappa([[1, 1], [1, None]]), "missing ratings"),
        (lambda: fleiss_kappa_from_counts([[2, 0], [1, 2]]), "same number"),
        (lambda: percent_agreement([[1], [2]]), "at least 2 coders"),
        (lambda: percent_agreement(PARADOX, method="any"), "method must be"),
        (lambda: gwet_ac1([[1, 2]], categories=[1]), "not in categories"),
        (lambda: compute("scott_pi", PARADOX), "unknown measure"),
        (lambda: run_case({"measure": "cohen_kappa", "data": [[1, 2], [1]]}), "lengths"),
    ],
)
def test_bad_input_is_refused(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize(
    "call",
    [
        lambda: cohen_kappa([[1, 1], [1, 1]]),  # p_e = 1
        lambda: krippendorff_alpha([[1, 1], [1, 1]]),  # D_e = 0
    ],
)
def test_undefined_coefficients_are_nan(call) -> None:
    assert math.isnan(call().value)


def test_result_is_frozen_and_serializable() -> None:
    result = cohen_kappa(PARADOX)
    assert isinstance(result, ReliabilityResult)
    with pytest.raises(AttributeError):
        result.value = 1.0  # type: ignore[misc]
    as_dict = json.loads(json.dumps(result.to_dict()))
    assert as_dict["measure"] == "cohen_kappa" and as_dict["level"] == "unweighted"
    assert as_dict["categories"] == [0, 1]
    frame = result.to_frame()
    assert frame.shape[0] == 1 and "categories" not in frame.columns
    assert_allclose(frame.loc[0, "value"], 0.375, rtol=1e-12)
    assert np.isclose(result.observed_agreement, 0.8)


# Cross-check with missing ratings and labels: Python irrCAC 0.4.4 (Gwet's package),
# `CAC(pd.DataFrame(IRRCAC_TABLE), digits=15)`, `.gwet()` and `.krippendorff()`,
# run on 2026-11-25 with Python 3.11.7.  p_a by hand: (1/3 + 1 + 1 + 1/2 + 1 + 1/6
# + 1) / 7 units with 2+ ratings = 5/7.
IRRCAC_TABLE = [
    ["a", "a", "b", None],
    ["a", "a", "a", "a"],
    ["b", "b", None, "b"],
    ["c", "b", "c", "c"],
    [None, "c", "c", None],
    ["a", "b", "c", "a"],
    ["b", "b", "b", "b"],
    ["a", None, None, None],
]


def test_gwet_and_alpha_with_missing_labels_match_irrcac() -> None:
    ac1 = gwet_ac1(IRRCAC_TABLE)
    assert_allclose(ac1.value, 0.575025361984691, rtol=1e-9)
    assert_allclose(ac1.observed_agreement, 5 / 7, rtol=1e-12)
    assert_allclose(ac1.chance_agreement, 0.327690972222222, rtol=1e-9)
    assert ac1.n_units == 7
    assert_allclose(krippendorff_alpha(IRRCAC_TABLE).value, 0.551418439716312, rtol=1e-9)


def test_integer_and_float_codes_are_one_category() -> None:
    result = krippendorff_alpha([[1, 1.0], [2, 2], [1, 2.0]])
    assert_allclose(result.value, 4 / 9, rtol=1e-12)
    assert len(result.categories) == 2


def test_numeric_labels_sort_as_numbers() -> None:
    # "10" must rank above "9" for the ordinal metric; codes x 10 keep the ranks
    case = load("kripp2011_alpha_ordinal")
    table = [
        [None if v is None else str(v * 10) for v in col]
        for col in zip(*case["data"], strict=True)
    ]
    result = krippendorff_alpha(table, level="ordinal")
    assert result.categories == ("10", "20", "30", "40", "50")
    assert_allclose(result.value, case["value"], rtol=1e-9)


@pytest.mark.parametrize("alias", ["alpha", "krippendorff", "Krippendorff_Alpha"])
def test_case_measure_aliases(alias: str) -> None:
    case = {**load("wikipedia_alpha_nominal"), "measure": alias}
    assert_allclose(run_case(case)["value"], 0.691358024691358, rtol=1e-9)


@pytest.mark.parametrize(
    ("measure", "level", "name"),
    [
        ("cohen_kappa", "quadratic", "cohen_kappa_5point_quadratic"),
        ("cohen_kappa", "linear", "cohen_kappa_5point_linear"),
        ("fleiss_kappa", None, "fleiss_kappa_fleiss1971_diagnoses"),
        ("krippendorff_alpha", "ordinal", "kripp2011_alpha_ordinal"),
        ("gwet_ac1", None, "kripp2011_alpha_nominal"),
    ],
)
def test_label_and_number_paths_agree(measure: str, level, name: str) -> None:
    # numbers take a vectorized path, labels a generic one: same result
    case = load(name)
    numbers = [list(col) for col in zip(*case["data"], strict=True)]
    names = ["un", "deux", "trois", "quatre", "cinq"]
    labels = [[None if v is None else names[v - 1] for v in row] for row in numbers]
    options = {"nan_policy": "omit"} if measure in ("cohen_kappa", "fleiss_kappa") else {}
    by_number = compute(measure, numbers, level=level, **options)
    by_label = compute(measure, labels, level=level, categories=names, **options)
    frame = compute(
        measure, pd.DataFrame(numbers).astype("Int64"), level=level, **options
    )
    assert_allclose(by_label.value, by_number.value, rtol=1e-12)
    assert_allclose(frame.value, by_number.value, rtol=1e-12)
    if name.startswith(("cohen", "fleiss")):
        assert_allclose(by_number.value, case["value"], rtol=1e-9)


def test_unused_scale_level_changes_weighted_kappa() -> None:
    # 2 coders on a 1-3 scale that could go to 4: q = 3 vs q = 4 changes the weights.
    # q = 3, linear w = [[1, .5, 0], [.5, 1, .5], [0, .5, 1]]; q = 4: 1 - |i-j|/3.
    table = [[1, 1], [2, 3], [3, 3], [1, 2]]
    # p_ij: (1,1) (2,3) (3,3) (1,2) each 1/4; rows (1/2, 1/4, 1/4), cols (1/4, 1/4, 1/2)
    # q=3: p_o = (1 + .5 + 1 + .5)/4 = .75; p_e = sum w r c = 0.5*(.25+.125+0)
    #      + .25*(.125+.25+.25) + .25*(0+.125+.5) = .1875 + .15625 + .15625 = .5
    assert_allclose(cohen_kappa(table, weights="linear").value, 0.5, rtol=1e-12)
    # q=4: w = 1 - |i-j|/3, so w(1) = 2/3, w(2) = 1/3: p_o = (2 + 4/3)/4 = 5/6, and
    # p_e = sum_i r_i sum_j w_ij c_j, written out row by row below
    four = cohen_kappa(table, weights="linear", categories=[1, 2, 3, 4])
    p_e = 0.5 * (0.25 + 0.25 * 2 / 3 + 0.5 / 3)
    p_e += 0.25 * (0.25 * 2 / 3 + 0.25 + 0.5 * 2 / 3)
    p_e += 0.25 * (0.25 / 3 + 0.25 * 2 / 3 + 0.5)
    assert_allclose(four.chance_agreement, p_e, rtol=1e-12)
    assert_allclose(four.value, (5 / 6 - p_e) / (1 - p_e), rtol=1e-12)
