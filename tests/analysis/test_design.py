"""Survey designs and estimators on small hand-derived cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from sociaparis.analysis import estimators as est
from sociaparis.analysis.design import svydesign
from sociaparis.analysis.errors import AnalysisError
from sociaparis.core.errors import SociaparisError

SRS = pd.DataFrame({"y": [1.0, 2, 3, 4, 5, 6], "N": 60, "f": 0.1, "w": 10.0})
STRAT = pd.DataFrame(
    {
        "h": ["a"] * 3 + ["b"] * 4,
        "y": [1.0, 2, 6, 10, 12, 14, 16],
        "w": [5.0] * 3 + [2.0] * 4,  # N_a = 15, N_b = 8
    }
)
CLUS = pd.DataFrame(
    {"c": [1, 1, 2, 2, 3, 3], "y": [1.0, 3, 2, 2, 5, 7], "w": 4.0}  # totals 16, 16, 48
)


@pytest.mark.parametrize(
    ("data", "kwargs", "stat", "expected", "se"),
    [
        # SRS without replacement: var(mean) = (1 - n/N) s^2 / n, s^2 = 3.5
        (SRS, {"fpc": "N"}, "mean", 3.5, np.sqrt(0.9 * 3.5 / 6)),
        (SRS, {"fpc": "f"}, "mean", 3.5, np.sqrt(0.9 * 3.5 / 6)),
        (SRS, {"fpc": "N"}, "total", 210.0, np.sqrt(60**2 * 0.9 * 3.5 / 6)),
        # with replacement, weights given: var(total) = n/(n-1) sum (w y - mean)^2
        (SRS, {"weights": "w"}, "total", 210.0, np.sqrt(100 * 3.5 * 6)),
        # stratified: var(total) = sum N_h^2 s_h^2 / n_h (s_a^2 = 7, s_b^2 = 20/3)
        (STRAT, {"strata": "h", "weights": "w"}, "total", 45 + 104, None),
        # one-stage clusters: PSU totals 16, 16, 48 -> var = 3/2 * sum (t - 80/3)^2
        (CLUS, {"ids": "c", "weights": "w"}, "total", 80.0, np.sqrt(1.5 * 2048 / 3)),
    ],
)
def test_hand_derived_estimates(data, kwargs, stat, expected, se) -> None:
    if se is None:
        se = np.sqrt(15**2 * 7 / 3 + 8**2 * (20 / 3) / 4)
    des = svydesign(data, **kwargs)
    res = getattr(est, stat)(des, variables="y")
    assert_allclose(res.estimate[0], expected, rtol=1e-12)
    assert_allclose(res.se[0], se, rtol=1e-12)
    assert_allclose(res.ci_high[0] - res.ci_low[0], 2 * 1.959963984540054 * se)


def test_degrees_of_freedom() -> None:
    assert svydesign(STRAT, strata="h", weights="w").degf == 7 - 2
    assert svydesign(CLUS, ids="c", weights="w").degf == 3 - 1


def test_domain_estimate_keeps_the_design() -> None:
    # mean of y over stratum b only, as a domain of the full stratified design:
    # influence w (y - mean_b) / N_b is zero in stratum a, so only b's variance counts
    des = svydesign(STRAT, strata="h", weights="w")
    data = STRAT.assign(yb=np.where(STRAT.h == "b", STRAT.y, np.nan))
    res = est.mean(
        svydesign(data, strata="h", weights="w"), variables="yb", nan_policy="omit"
    )
    s2 = np.var([10, 12, 14, 16], ddof=1)
    assert_allclose(res.estimate[0], 13.0)
    assert_allclose(res.se[0], np.sqrt(8**2 * s2 / 4) / 8, rtol=1e-12)
    assert res.n == 4
    del des


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"ids": "nope"}, AnalysisError.MISSING_COLUMN),
        ({"strata": "h", "fpc": "bad_fpc"}, AnalysisError.BAD_FPC),
        ({"strata": "h", "fpc": "too_small"}, AnalysisError.BAD_FPC),
        ({"ids": "c", "strata": "h"}, AnalysisError.CLUSTERS_NOT_NESTED),
        ({"weights": "neg"}, AnalysisError.BAD_WEIGHTS),
        ({"lonely_psu": "average"}, AnalysisError.BAD_OPTION),
    ],
)
def test_design_errors(kwargs, error) -> None:
    data = pd.DataFrame(
        {
            "h": ["a", "a", "b", "b"],
            "c": [1, 2, 2, 3],
            "bad_fpc": [0.5, 0.5, 10, 10],
            "too_small": [1.5, 1.5, 1.5, 1.5],
            "neg": [1.0, -1, 1, 1],
        }
    )
    with pytest.raises(SociaparisError) as info:
        svydesign(data, **kwargs)
    assert info.value.error is error


def test_lonely_psu_fails_by_default_and_certainty_gives_no_variance() -> None:
    data = pd.DataFrame({"h": ["a", "b", "b"], "y": [1.0, 2, 4], "w": 1.0})
    with pytest.raises(SociaparisError) as info:
        est.total(svydesign(data, strata="h", weights="w"), variables="y")
    assert info.value.error is AnalysisError.LONELY_PSU
    res = est.total(
        svydesign(data, strata="h", weights="w", lonely_psu="certainty"), variables="y"
    )
    assert_allclose(res.se[0], np.sqrt(2 * ((2 - 3) ** 2 + (4 - 3) ** 2)))


def test_missing_values_raise_unless_omitted() -> None:
    data = pd.DataFrame({"y": [1.0, np.nan, 3.0], "w": 1.0})
    des = svydesign(data, weights="w")
    with pytest.raises(SociaparisError) as info:
        est.mean(des, variables="y")
    assert info.value.error is AnalysisError.MISSING_VALUES
    assert est.mean(des, variables="y", nan_policy="omit").estimate[0] == 2.0


def test_factor_names_follow_r() -> None:
    data = pd.DataFrame({"g": ["x", "y", "y", "z"], "w": [1.0, 1, 1, 1]})
    res = est.proportion(svydesign(data, weights="w"), variable="g")
    assert res.names == ("gx", "gy", "gz")
    assert_allclose(res.estimate, [0.25, 0.5, 0.25])
    frame = res.to_frame()
    assert list(frame.columns) == ["estimate", "se", "ci_low", "ci_high", "deff"]


def test_ratio_and_ciprop() -> None:
    data = pd.DataFrame({"y": [1.0, 2, 3, 4], "x": [2.0, 2, 4, 4], "w": 1.0})
    des = svydesign(data, weights="w")
    assert_allclose(est.ratio(des, numerator="y", denominator="x").estimate[0], 10 / 12)
    data = pd.DataFrame({"a": ["Yes", "No", "No", "Yes", "Yes"], "w": 1.0})
    res = est.ciprop(svydesign(data, weights="w"), variable="a", event="Yes")
    assert_allclose(res.estimate[0], 0.6)
    assert 0 < res.ci_low[0] < 0.6 < res.ci_high[0] < 1


def test_logical_levels_are_named_as_r() -> None:
    data = pd.DataFrame({"b": [True, False, True, True], "w": 1.0})
    res = est.mean(svydesign(data, weights="w"), variables="b")
    assert res.names == ("bFALSE", "bTRUE")
    assert_allclose(res.estimate, [0.25, 0.75])


def test_repr_is_short() -> None:
    des = svydesign(STRAT, strata="h", weights="w")
    assert repr(des) == (
        "SurveyDesign(n=7, strata='h', weights='w', n_psu=7, n_strata=2)"
    )


@pytest.mark.parametrize(
    ("kwargs", "deff"),
    [
        # SRS without replacement: the design is SRS, deff = 1
        ({"fpc": "N"}, 1.0),
        # same weights but no fpc (with replacement): deff = 1 / (1 - n/N)
        ({"weights": "w"}, 1 / 0.9),
    ],
)
def test_design_effect(kwargs, deff) -> None:
    des = svydesign(SRS, **kwargs)
    assert_allclose(est.mean(des, variables="y").deff, [deff], rtol=1e-12)
    assert_allclose(est.total(des, variables="y").deff, [deff], rtol=1e-12)


TWO_STAGE = pd.DataFrame(
    {
        "psu": [1] * 4 + [2] * 4 + [3] * 4,
        "ssu": list(range(12)),
        "y": [1.0, 3, 2, 6, 4, 4, 5, 7, 9, 8, 6, 9],
        "N1": 10,  # PSUs in the population
        "M": 20,  # units in every PSU
    }
)


def test_two_stage_variance_is_the_textbook_estimator() -> None:
    # V(t) = N^2 (1 - n/N) s1^2 / n + (N / n) sum_i M^2 (1 - m/M) s2i^2 / m,
    # with s1^2 the variance of the estimated PSU totals M * mean_i
    des = svydesign(TWO_STAGE, ids=["psu", "ssu"], fpc=["N1", "M"])
    res = est.total(des, variables="y")
    groups = [TWO_STAGE.y[TWO_STAGE.psu == k].to_numpy() for k in (1, 2, 3)]
    n, big_n, m, big_m = 3, 10, 4, 20
    t_i = np.array([big_m * g.mean() for g in groups])
    v1 = big_n**2 * (1 - n / big_n) * t_i.var(ddof=1) / n
    v2 = big_n / n * sum(big_m**2 * (1 - m / big_m) * g.var(ddof=1) / m for g in groups)
    assert_allclose(res.estimate[0], big_n / n * t_i.sum())
    assert_allclose(res.se[0], np.sqrt(v1 + v2), rtol=1e-12)
    # without fpc only the first stage counts, with replacement:
    # V = n / (n - 1) sum (t_i - mean t)^2, t_i the PSU sums (weights 1)
    one = est.total(svydesign(TWO_STAGE, ids=["psu", "ssu"]), variables="y")
    sums = np.array([g.sum() for g in groups])
    assert_allclose(one.se[0], np.sqrt(1.5 * ((sums - sums.mean()) ** 2).sum()))


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"ids": ["psu", "ssu"], "fpc": "N1"}, AnalysisError.BAD_FPC),
        ({"ids": ["psu", "ssu", "y"]}, AnalysisError.BAD_OPTION),
    ],
)
def test_two_stage_errors(kwargs, error) -> None:
    with pytest.raises(SociaparisError) as info:
        svydesign(TWO_STAGE, **kwargs)
    assert info.value.error is error
