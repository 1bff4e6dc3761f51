"""Post-stratification, raking, calibration, trimming and the weight report."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from sociaparis.analysis import estimators as est
from sociaparis.analysis import weights as wt
from sociaparis.analysis.design import svydesign
from sociaparis.analysis.errors import AnalysisError
from sociaparis.core.errors import SociaparisError

REF = Path(__file__).parents[1] / "reference" / "survey"
TYPES = {"E": 4421, "H": 755, "M": 1018}
SCHWIDE = {"No": 1072, "Yes": 5122}


@pytest.fixture(scope="module")
def dclus1():
    data = pd.read_csv(REF / "apiclus1.csv")
    return svydesign(data, ids="dnum", weights="pw", fpc="fpc")


def margin(design, var):
    return pd.Series(design.weights).groupby(design.data[var].to_numpy()).sum()


def test_poststratify_reproduces_the_counts(dclus1) -> None:
    post = wt.poststratify(dclus1, variable="stype", population=TYPES)
    assert_allclose(margin(post, "stype").to_numpy(), [4421, 755, 1018], rtol=1e-12)
    assert post.steps[-1].method == "poststratify"


@pytest.mark.parametrize(
    ("epsilon", "maxit", "max_off"),
    [
        # R's default stops when no joint cell moved by 1 or more: margins ~1 off
        (1.0, 10, 1.0),
        (1e-10, 100, 1e-6),
    ],
)
def test_rake_stopping_rule(dclus1, epsilon, maxit, max_off) -> None:
    raked = wt.rake(
        dclus1,
        margins={"stype": TYPES, "sch.wide": SCHWIDE},
        epsilon=epsilon,
        maxit=maxit,
    )
    off = np.abs(margin(raked, "stype").to_numpy() - [4421, 755, 1018]).max()
    assert off < max_off
    # the last margin raked is always exact
    assert_allclose(margin(raked, "sch.wide").to_numpy(), [1072, 5122], rtol=1e-12)
    assert raked.steps[-1].converged


def test_rake_reports_no_convergence(dclus1) -> None:
    raked = wt.rake(
        dclus1, margins={"stype": TYPES, "sch.wide": SCHWIDE}, epsilon=1e-12, maxit=1
    )
    assert not raked.steps[-1].converged
    assert raked.steps[-1].iterations == 1


def test_calibrate_hits_the_totals(dclus1) -> None:
    pop = {"(Intercept)": 6194, "stypeH": 755, "stypeM": 1018, "api99": 3914069}
    cal = wt.calibrate(dclus1, terms=["stype", "api99"], population=pop)
    assert_allclose(cal.weights.sum(), 6194, rtol=1e-12)
    assert_allclose(est.total(cal, variables="api99").estimate[0], 3914069, rtol=1e-12)
    # a calibration variable is estimated without error
    assert est.total(cal, variables="api99").se[0] < 1e-6


@pytest.mark.parametrize(
    ("variable", "population", "error"),
    [
        ("stype", {"E": 1, "H": 2}, AnalysisError.POPULATION_MISMATCH),
        ("stype", {"E": 1, "H": 2, "M": 3, "X": 4}, AnalysisError.POPULATION_MISMATCH),
        ("nope", {"E": 1}, AnalysisError.MISSING_COLUMN),
        (["stype", "sch.wide"], {"E": 1}, AnalysisError.POPULATION_MISMATCH),
        (
            ["stype", "sch.wide"],
            {("E", "No"): 1, ("E", "Yes"): 2},
            AnalysisError.POPULATION_MISMATCH,
        ),
        (
            ["stype", "sch.wide"],
            pd.DataFrame({"stype": ["E"], "Freq": [1]}),
            AnalysisError.MISSING_COLUMN,
        ),
    ],
)
def test_poststratify_errors(dclus1, variable, population, error) -> None:
    with pytest.raises(SociaparisError) as info:
        wt.poststratify(dclus1, variable=variable, population=population)
    assert info.value.error is error


def test_poststratify_on_crossed_cells(dclus1) -> None:
    cells = pd.read_csv(REF / "apipop.csv").groupby(["stype", "sch.wide"]).size()
    as_mapping = {key: int(n) for key, n in cells.items()}
    as_frame = cells.rename("Freq").reset_index()  # R's layout
    for population in (as_mapping, as_frame):
        post = wt.poststratify(
            dclus1, variable=["stype", "sch.wide"], population=population
        )
        got = pd.Series(post.weights).groupby(
            [post.data["stype"].to_numpy(), post.data["sch.wide"].to_numpy()]
        )
        assert_allclose(got.sum().to_numpy(), cells.to_numpy(), rtol=1e-12)
        assert post.steps[-1].variables == ("stype", "sch.wide")


def test_trim_weights_as_r() -> None:
    # R trimWeights: cut to the bound, share the excess equally among the others
    data = pd.DataFrame({"w": [1.0, 2.0, 3.0, 10.0]})
    trimmed = wt.trim_weights(svydesign(data, weights="w"), upper=6)
    assert_allclose(trimmed.weights, [1 + 4 / 3, 2 + 4 / 3, 3 + 4 / 3, 6])
    assert trimmed.steps[-1].n_trimmed == 1


@pytest.mark.parametrize("upper", [60.0, 65.0])
def test_rake_with_trimming_meets_margins_and_bounds(dclus1, upper) -> None:
    untrimmed = wt.rake(
        dclus1, margins={"stype": TYPES, "sch.wide": SCHWIDE}, epsilon=1e-10, maxit=100
    )
    assert untrimmed.weights.max() > upper  # the bound binds
    raked = wt.rake(
        dclus1,
        margins={"stype": TYPES, "sch.wide": SCHWIDE},
        epsilon=1e-10,
        maxit=1000,
        trim=(0, upper),
    )
    assert raked.steps[-1].converged
    assert raked.weights.max() <= upper + 1e-6
    assert_allclose(margin(raked, "stype").to_numpy(), [4421, 755, 1018], rtol=1e-8)
    assert_allclose(margin(raked, "sch.wide").to_numpy(), [1072, 5122], rtol=1e-8)


def test_rake_with_infeasible_trimming_does_not_converge(dclus1) -> None:
    # the 14 high schools must weigh 755 in all (53.9 each on average): a bound
    # of 50 cannot be met together with the margins
    assert (dclus1.data["stype"] == "H").sum() == 14
    raked = wt.rake(
        dclus1, margins={"stype": TYPES}, epsilon=1e-10, maxit=50, trim=(0, 50)
    )
    assert not raked.steps[-1].converged


def test_weight_report_hand_values() -> None:
    data = pd.DataFrame({"w": [1.0, 1.0, 2.0, 4.0]})
    report = wt.weight_report(svydesign(data, weights="w"))
    # n sum(w^2) / (sum w)^2 = 4 * 22 / 64
    assert_allclose(report.deff_kish, 1.375)
    assert_allclose(report.n_effective, 64 / 22)
    assert (report.min_weight, report.max_weight, report.ratio) == (1.0, 4.0, 4.0)
    assert_allclose(report.deff_kish, 1 + report.cv**2)
    assert list(report.to_frame().columns)[:3] == ["n", "sum_weights", "min_weight"]
