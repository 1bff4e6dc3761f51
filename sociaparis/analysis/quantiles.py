"""Weighted quantiles with Woodruff confidence intervals (R ``svyquantile``, survey 4.1).

Rules (``qrule``), as survey 4.1 defines them:

``"math"`` (default, as R)
    The smallest observed x with weighted ECDF F(x) >= p (Hyndman-Fan type 1
    generalised to weights); the CI end points are observed values.
``"hf7"``
    Weighted Hyndman-Fan type 7: linear interpolation of the sorted values at
    the plotting positions ``c(0, cumsum(w)[-n]) / cumsum(w)[n-1]``.

The interval is Woodruff's (R's ``interval.type = "mean"``): a confidence
interval for the weighted share of ``x <= q`` with a t quantile on the design
df, mapped back through the quantile rule; ``se = (upper - lower) / (2 t)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from sociaparis.analysis.design import SurveyDesign, check_columns
from sociaparis.analysis.errors import AnalysisError
from sociaparis.analysis.estimators import NanPolicy, degf, domain_rows, mean_influence
from sociaparis.core.errors import SociaparisError

QRule = Literal["math", "hf7"]
_RULES = ("math", "hf7")


def qrule_math(x: np.ndarray, w: np.ndarray, p: float) -> float:
    """Smallest x with weighted ECDF >= p (R ``qrule_math``)."""
    keep = w != 0
    x, w = x[keep], w[keep]
    order = np.argsort(x, kind="stable")
    xs = x[order]
    cumw = np.cumsum(w[order])
    total = w.sum()
    hits = np.flatnonzero(cumw <= p * total)
    pos = int(hits[-1]) if len(hits) else 0
    nxt = pos if pos == len(xs) - 1 else pos + 1
    wlow = p - cumw[pos] / total
    return float(xs[pos] if wlow == 0 else xs[nxt])


def qrule_hf7(x: np.ndarray, w: np.ndarray, p: float) -> float:
    """Weighted Hyndman-Fan type 7 (R ``qrule_hf7``)."""
    keep = w != 0
    x, w = x[keep], w[keep]
    n = len(x)
    if n == 1:
        return float(x[0])
    order = np.argsort(x, kind="stable")
    xs = x[order]
    cumw = np.cumsum(w[order])
    pk = np.concatenate([[0.0], cumw[:-1]]) / cumw[n - 2]
    return float(np.interp(p, pk, xs))


_RULE_FUNCS = {"math": qrule_math, "hf7": qrule_hf7}


@dataclass(frozen=True, slots=True)
class QuantileResult:
    """Weighted quantiles of one variable with Woodruff intervals.

    Attributes
    ----------
    variable
        The column.
    quantiles
        The probabilities asked for.
    estimate, ci_low, ci_high, se
        One value per probability.
    ci_level
        Level of the interval.
    df
        Degrees of freedom of the t quantile (design df).
    qrule
        The quantile rule.
    """

    variable: str
    quantiles: tuple[float, ...]
    estimate: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    se: np.ndarray
    ci_level: float
    df: int
    qrule: str

    def to_frame(self) -> pd.DataFrame:
        """One row per probability."""
        return pd.DataFrame(
            {
                "quantile": self.quantiles,
                "estimate": self.estimate,
                "se": self.se,
                "ci_low": self.ci_low,
                "ci_high": self.ci_high,
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "variable": self.variable,
            "qrule": self.qrule,
            "ci_level": self.ci_level,
            "df": self.df,
            "rows": self.to_frame().to_dict(orient="records"),
        }


def quantile(
    design: SurveyDesign,
    *,
    variable: str,
    quantiles: float | Sequence[float] = 0.5,
    qrule: QRule = "math",
    ci_level: float = 0.95,
    nan_policy: NanPolicy = "raise",
) -> QuantileResult:
    """Weighted quantiles with Woodruff CIs (R ``svyquantile(..., ci = TRUE)``).

    Parameters
    ----------
    design
        The survey design.
    variable
        A numeric column.
    quantiles
        One probability or several.
    qrule
        ``"math"`` (R's default) or ``"hf7"``; see the module notes.
    ci_level
        Level of the interval (R's ``1 - alpha``).
    nan_policy
        ``"raise"`` or ``"omit"``.

    Returns
    -------
    QuantileResult
    """
    if qrule not in _RULES:
        raise SociaparisError(
            AnalysisError.BAD_OPTION, name="qrule", value=qrule, allowed=_RULES
        )
    check_columns(design.data, [variable])
    keep = domain_rows(design, [variable], nan_policy)
    probs = (quantiles,) if np.isscalar(quantiles) else tuple(quantiles)
    rule = _RULE_FUNCS[qrule]
    x_all = design.data[variable].to_numpy(dtype=float)
    x = x_all[keep]
    w = design.weights[keep]
    df = degf(design, keep)
    tcrit = stats.t.ppf(0.5 + ci_level / 2, df)
    est, low, high, se = [], [], [], []
    for p in probs:
        q = rule(x, w, p)
        below = np.where(keep, x_all <= q, 0.0)[:, None].astype(float)
        m, infl = mean_influence(design, below, keep)
        s = float(np.sqrt(design.variance(infl, full=False)[0]))
        lo_p, hi_p = m[0] - tcrit * s, m[0] + tcrit * s
        lo = np.nan if lo_p < 0 else rule(x, w, lo_p)
        hi = np.nan if hi_p > 1 else rule(x, w, hi_p)
        est.append(q)
        low.append(lo)
        high.append(hi)
        se.append((hi - lo) / (2 * tcrit))
    return QuantileResult(
        variable=variable,
        quantiles=probs,
        estimate=np.array(est),
        ci_low=np.array(low),
        ci_high=np.array(high),
        se=np.array(se),
        ci_level=ci_level,
        df=df,
        qrule=qrule,
    )
