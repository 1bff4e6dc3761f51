"""Crosstabs, domain ordering, regression and option errors (hand-derived)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from numpy.testing import assert_allclose

from sociaparis.analysis import crosstab, domains, glm
from sociaparis.analysis.design import svydesign
from sociaparis.analysis.errors import AnalysisError
from sociaparis.cli import cli
from sociaparis.core.errors import SociaparisError

DATA = pd.DataFrame(
    {
        "a": ["x", "y", "x", "y", "x", "y"],
        "b": ["u", "u", "v", "v", "v", "u"],
        "y": [1.0, 2, 3, 4, 5, 6],
        "w": [1.0, 2, 3, 1, 2, 3],
    }
)
DES = svydesign(DATA, weights="w")


def test_crosstab_weighted_and_unweighted_counts() -> None:
    res = crosstab.crosstab(DES, row="a", col="b")
    # x: u row0 (1), v rows 2,4 (3+2); y: u rows 1,5 (2+3), v row 3 (1)
    assert_allclose(res.table.to_numpy(), [[1, 5], [5, 1]])
    assert res.counts.to_numpy().tolist() == [[1, 2], [2, 1]]
    assert res.total == 12
    assert list(res.to_frame().columns) == ["a", "b", "weighted_count", "n"]


def test_domains_follow_r_interaction_order() -> None:
    res = domains.by_domain(DES, variables="y", by=["a", "b"])
    # R's interaction(a, b): the first variable varies fastest
    assert list(zip(res.table.a, res.table.b, strict=True)) == [
        ("x", "u"),
        ("y", "u"),
        ("x", "v"),
        ("y", "v"),
    ]
    # x.v: rows 2 and 4, weights 3 and 2 -> (9 + 10) / 5
    assert_allclose(res.table.y.tolist(), [1.0, (4 + 18) / 5, 19 / 5, 4.0])


def test_linear_regression_is_weighted_least_squares() -> None:
    res = glm.glm(DES, response="y", predictors="a")
    # intercept = weighted mean of y in x; slope = difference of weighted means
    mean_x = (1 * 1 + 3 * 3 + 5 * 2) / 6
    mean_y = (2 * 2 + 4 * 1 + 6 * 3) / 6
    assert_allclose(res.coefficients, [mean_x, mean_y - mean_x])
    assert res.names == ("(Intercept)", "ay")
    assert res.df_residual == 5 + 1 - 2


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (
            lambda: crosstab.chisq_test(DES, row="a", col="b", statistic="G"),
            AnalysisError.BAD_OPTION,
        ),
        (
            lambda: domains.by_domain(DES, variables="y", by="a", statistic="median"),
            AnalysisError.BAD_OPTION,
        ),
        (
            lambda: glm.glm(DES, response="y", predictors="a", family="poisson"),
            AnalysisError.BAD_OPTION,
        ),
        (lambda: crosstab.crosstab(DES, row="a", col="zz"), AnalysisError.MISSING_COLUMN),
        (
            lambda: domains.by_domain(DES, variables="y", by="a", nan_policy="drop"),
            AnalysisError.BAD_OPTION,
        ),
    ],
)
def test_option_errors(call, error) -> None:
    with pytest.raises(SociaparisError) as info:
        call()
    assert info.value.error is error


def test_cli_reports_a_bad_case(tmp_path: Path) -> None:
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"analysis": "median_polish", "data": "x.csv"}))
    out = CliRunner().invoke(cli, ["stats", "run", str(case)])
    assert out.exit_code == 1
    assert "ANALYSIS_011" in out.output


def test_chisq_independent_table_has_no_association() -> None:
    data = pd.DataFrame(
        {"r": list("ppqqppqq") * 3, "c": list("mnmnmnmn") * 3, "w": np.ones(24)}
    )
    res = crosstab.chisq_test(svydesign(data, weights="w"), row="r", col="c")
    assert res.pearson == pytest.approx(0.0, abs=1e-12)
    assert res.p_value == pytest.approx(1.0)


REF = Path(__file__).parents[1] / "reference" / "survey"


def test_cli_estimate_prints_r_numbers() -> None:
    out = CliRunner().invoke(
        cli,
        [
            "stats",
            "estimate",
            str(REF / "apistrat.csv"),
            "--strata",
            "stype",
            "--weights",
            "pw",
            "--fpc",
            "fpc",
            "--mean",
            "api00",
            "--json",
        ],
    )
    assert out.exit_code == 0
    result = json.loads(out.output)
    # strat_mean_api00_api99.json: svymean(~api00, dstrat)
    assert result["se"]["api00"] == pytest.approx(9.40894080278458, rel=1e-9)


@pytest.mark.parametrize(
    ("min_count", "exit_code", "expected"),
    [
        ("10", 0, ",a,b,Total\nx,x,x,28\ny,x,x,42\nz,30,18,48\nTotal,53,65,118\n"),
        ("4", 1, "ANALYSIS_010"),
    ],
)
def test_cli_suppress(tmp_path: Path, min_count, exit_code, expected) -> None:
    counts = tmp_path / "counts.csv"
    counts.write_text(",a,b\nx,3,25\ny,20,22\nz,30,18\n", encoding="utf-8")
    out = CliRunner().invoke(
        cli, ["stats", "suppress", str(counts), "--min-count", min_count]
    )
    assert out.exit_code == exit_code
    assert expected in out.output


def test_domains_in_blocks_give_the_same_numbers(monkeypatch) -> None:
    # R: svyby(~api00 + api99, ~sch.wide, dclus1, svymean), one domain per block
    monkeypatch.setattr(domains, "_MAX_CELLS", 1)
    data = pd.read_csv(REF / "apiclus1.csv")
    des = svydesign(data, ids="dnum", weights="pw", fpc="fpc")
    table = domains.by_domain(des, variables=["api00", "api99"], by="sch.wide").table
    assert_allclose(table["se.api00"], [28.9876885413547, 23.4265703991743], rtol=1e-9)
    assert_allclose(table["se.api99"], [30.6978001219998, 24.2827051885779], rtol=1e-9)
