"""Linear and logistic regression with design-based SEs (R ``svyglm``).

Point estimates are the weighted (pseudo-) maximum likelihood fit; the
variance is the sandwich ``A^{-1} V A^{-1}`` where ``V`` is the design variance
of the score totals, computed by the design (so strata, clusters, fpc and
calibration count, as in R's ``svy.varcoef``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from sociaparis.analysis.design import SurveyDesign, _as_list, check_columns
from sociaparis.analysis.errors import AnalysisError
from sociaparis.analysis.estimators import (
    NanPolicy,
    degf,
    domain_rows,
    is_factor,
    model_matrix,
)
from sociaparis.analysis.levels import levels_of
from sociaparis.core.errors import SociaparisError

Family = Literal["gaussian", "binomial", "quasibinomial"]
_FAMILIES = ("gaussian", "binomial", "quasibinomial")


@dataclass(frozen=True, slots=True)
class GlmResult:
    """A design-based generalised linear model.

    Attributes
    ----------
    family
        ``"gaussian"`` (identity link) or ``"binomial"``/``"quasibinomial"`` (logit).
    response
        The response column (and ``event`` for a categorical response).
    names
        Coefficient names as R (``(Intercept)``, ``x``, ``<factor><level>``).
    coefficients, se
        Estimates and design-based standard errors.
    statistic, p_value
        t statistics and two-sided p-values on ``df_residual``.
    ci_low, ci_high, ci_level
        t-based confidence intervals.
    variance
        Covariance matrix of the coefficients.
    df_residual
        Design df + 1 - number of coefficients (R).
    dispersion
        Weighted mean squared Pearson residual (R's ``summary.svyglm``).
    n
        Respondents used.
    """

    family: str
    response: str
    event: str | None
    names: tuple[str, ...]
    coefficients: np.ndarray
    se: np.ndarray
    statistic: np.ndarray
    p_value: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    ci_level: float
    variance: np.ndarray
    df_residual: int
    dispersion: float
    n: int

    def to_frame(self) -> pd.DataFrame:
        """One row per coefficient."""
        return pd.DataFrame(
            {
                "coefficient": self.coefficients,
                "se": self.se,
                "statistic": self.statistic,
                "p_value": self.p_value,
                "ci_low": self.ci_low,
                "ci_high": self.ci_high,
            },
            index=pd.Index(self.names, name="term"),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict keyed by coefficient name."""

        def keyed(v: np.ndarray) -> dict[str, float]:
            return {k: float(x) for k, x in zip(self.names, v, strict=True)}

        return {
            "family": self.family,
            "response": self.response,
            "event": self.event,
            "coefficients": keyed(self.coefficients),
            "se": keyed(self.se),
            "p_value": keyed(self.p_value),
            "ci_low": keyed(self.ci_low),
            "ci_high": keyed(self.ci_high),
            "ci_level": self.ci_level,
            "df_residual": self.df_residual,
            "dispersion": self.dispersion,
            "n": self.n,
        }


def _irls_logit(
    x: np.ndarray, y: np.ndarray, w: np.ndarray, *, tol: float, maxit: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """R's ``glm.fit`` for the logit link: same start, steps and stopping rule.

    Returns the coefficients, the fitted means and the working weights of the
    last iteration (R keeps those, computed before the final update).
    """
    mu = (w * y + 0.5) / (w + 1)
    eta = np.log(mu / (1 - mu))

    def deviance(mu: np.ndarray) -> float:
        with np.errstate(divide="ignore", invalid="ignore"):
            a = np.where(y > 0, y * np.log(y / mu), 0.0)
            b = np.where(y < 1, (1 - y) * np.log((1 - y) / (1 - mu)), 0.0)
        return float(2 * (w * (a + b)).sum())

    dev_old = deviance(mu)
    for _ in range(maxit):
        var = mu * (1 - mu)
        z = eta + (y - mu) / var
        work_w = w * var
        xtw = x.T * work_w
        beta = np.linalg.solve(xtw @ x, xtw @ z)
        eta = x @ beta
        mu = 1 / (1 + np.exp(-eta))
        dev = deviance(mu)
        if abs(dev - dev_old) / (abs(dev) + 0.1) < tol:
            return beta, mu, work_w
        dev_old = dev
    raise SociaparisError(
        AnalysisError.NO_CONVERGENCE, method="Logistic regression", iterations=maxit
    )


def glm(
    design: SurveyDesign,
    *,
    response: str,
    predictors: str | Sequence[str],
    family: Family = "gaussian",
    event: Any = None,
    ci_level: float = 0.95,
    nan_policy: NanPolicy = "raise",
    tol: float = 1e-8,
    maxit: int = 25,
) -> GlmResult:
    """Fit a linear or logistic model with design-based SEs (R ``svyglm``).

    Parameters
    ----------
    design
        The survey design.
    response
        Response column: numeric for ``gaussian``; for the logit families a 0/1
        column, or a categorical one with ``event`` the level modelled (default:
        the second level, as R models a factor).
    predictors
        Columns; factors enter as treatment dummies (first level dropped).
    family
        ``"gaussian"``, ``"binomial"`` or ``"quasibinomial"`` (the last two give
        the same estimates and SEs, as in R).
    event
        Level of a categorical response counted as 1.
    ci_level
        Level of the t intervals.
    nan_policy
        ``"raise"`` or ``"omit"`` (rows missing any model variable are left out,
        keeping the design).
    tol, maxit
        Convergence rule of iteratively reweighted least squares, as R's
        ``glm.control(epsilon, maxit)``: stop when the relative change of the
        deviance is below ``tol``.

    Returns
    -------
    GlmResult
    """
    if family not in _FAMILIES:
        raise SociaparisError(
            AnalysisError.BAD_OPTION, name="family", value=family, allowed=_FAMILIES
        )
    preds = _as_list(predictors)
    check_columns(design.data, [response, *preds])
    keep = domain_rows(design, [response, *preds], nan_policy)
    sub = design.data.loc[keep]
    x, names = model_matrix(sub, preds, order=design.level_order)
    col = sub[response]
    logit = family != "gaussian"
    if logit and is_factor(col):
        levels = levels_of(col, design.level_order)
        event = levels[1] if event is None else event
        y = (col.to_numpy() == event).astype(float)
    else:
        y = col.to_numpy(dtype=float)
        event = None if not logit else event
    w = design.weights[keep]
    w = w / w.mean()
    if logit:
        beta, mu, work_w = _irls_logit(x, y, w, tol=tol, maxit=maxit)
        var = mu * (1 - mu)
        # R: working residual (final mu) times working weight (last iteration)
        score = (y - mu) / var * work_w
        pearson = (y - mu) / np.sqrt(var)
    else:
        xtw = x.T * w
        beta = np.linalg.solve(xtw @ x, xtw @ y)
        mu = x @ beta
        work_w = w
        score = w * (y - mu)
        pearson = y - mu
    a_inv = np.linalg.inv((x.T * work_w) @ x)
    infl = np.zeros((design.n, x.shape[1]))
    infl[keep] = (x * score[:, None]) @ a_inv
    vcov = design.variance(infl)
    se = np.sqrt(np.diag(vcov))
    design_df = degf(design, keep)
    df_res = int(design_df + 1 - x.shape[1])
    tstat = beta / se
    tcrit = stats.t.ppf(0.5 + ci_level / 2, df_res)
    n_used = int((w != 0).sum())
    centred = pearson - (w * pearson).sum() / w.sum()
    dispersion = float((w * centred**2).sum() / w.sum() * n_used / (n_used - 1))
    return GlmResult(
        family=family,
        response=response,
        event=None if event is None else str(event),
        names=tuple(names),
        coefficients=beta,
        se=se,
        statistic=tstat,
        p_value=2 * stats.t.sf(np.abs(tstat), df_res),
        ci_low=beta - tcrit * se,
        ci_high=beta + tcrit * se,
        ci_level=ci_level,
        variance=vcov,
        df_residual=df_res,
        dispersion=dispersion,
        n=int(keep.sum()),
    )
