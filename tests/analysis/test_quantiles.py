"""Quantile rules against numpy's definitions (equal weights) and hand values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sociaparis.analysis.design import svydesign
from sociaparis.analysis.errors import AnalysisError
from sociaparis.analysis.quantiles import qrule_hf7, qrule_math, quantile
from sociaparis.core.errors import SociaparisError

X = np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0, 5.0])


@pytest.mark.parametrize("p", [0.1, 0.25, 0.5, 0.6, 0.75, 0.9])
@pytest.mark.parametrize(
    ("rule", "method"), [(qrule_math, "inverted_cdf"), (qrule_hf7, "linear")]
)
def test_equal_weights_match_hyndman_fan(rule, method, p) -> None:
    assert rule(X, np.ones_like(X), p) == pytest.approx(np.quantile(X, p, method=method))


@pytest.mark.parametrize(
    ("w", "p", "expected"),
    [
        # weighted ECDF at 1, 2, 3: 0.1, 0.6, 1.0 -> smallest x with F(x) >= p
        ([1.0, 5.0, 4.0], 0.5, 2.0),
        ([1.0, 5.0, 4.0], 0.6, 2.0),
        ([1.0, 5.0, 4.0], 0.61, 3.0),
    ],
)
def test_math_rule_weighted(w, p, expected) -> None:
    assert qrule_math(np.array([1.0, 2.0, 3.0]), np.array(w), p) == expected


def test_quantile_result_and_bad_rule() -> None:
    data = pd.DataFrame({"y": np.tile(X, 4), "w": 1.0})
    des = svydesign(data, weights="w")
    res = quantile(des, variable="y", quantiles=[0.4, 0.5])
    assert list(res.to_frame().columns) == [
        "quantile",
        "estimate",
        "se",
        "ci_low",
        "ci_high",
    ]
    assert res.df == 4 * len(X) - 1
    assert (res.ci_low <= res.estimate).all() and (res.estimate <= res.ci_high).all()
    # as R: a Woodruff bound outside [0, 1] gives a missing end point
    low = quantile(svydesign(data.head(11), weights="w"), variable="y", quantiles=0.1)
    assert np.isnan(low.ci_low[0]) and np.isnan(low.se[0])
    with pytest.raises(SociaparisError) as info:
        quantile(des, variable="y", qrule="hf9")
    assert info.value.error is AnalysisError.BAD_OPTION
