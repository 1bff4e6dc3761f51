"""Means, totals, proportions and ratios with linearised SEs (R ``svymean`` & co).

Every estimator builds the linearised influence values of its statistic (zero
for rows outside the domain or with a missing value, so the full design is
kept, as R does for ``na.rm = TRUE`` and ``svyby``) and asks the design for
their variance.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from sociaparis.analysis.design import (
    SurveyDesign,
    _as_list,
    check_columns,
    count_degf,
)
from sociaparis.analysis.errors import AnalysisError
from sociaparis.analysis.levels import LevelOrder, levels_of
from sociaparis.analysis.results import Estimate
from sociaparis.core.errors import Reason, SociaparisError

NanPolicy = Literal["raise", "omit"]
_NAN = ("raise", "omit")


def check_nan_policy(nan_policy: str) -> None:
    """Refuse an unknown ``nan_policy``."""
    if nan_policy not in _NAN:
        raise SociaparisError(
            AnalysisError.BAD_OPTION, name="nan_policy", value=nan_policy, allowed=_NAN
        )


def is_factor(series: pd.Series) -> bool:
    """Whether a column is treated as a factor (not numeric)."""
    return not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)


def _level_name(level: object) -> str:
    """A level as R pastes it into a name (``TRUE``/``FALSE`` for logicals)."""
    if isinstance(level, bool | np.bool_):
        return "TRUE" if level else "FALSE"
    return str(level)


def model_columns(
    data: pd.DataFrame,
    variables: Sequence[str],
    *,
    factors: bool | None = None,
    order: LevelOrder = "locale",
) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Numeric matrix of ``variables``: factors become 0/1 dummies named as R.

    Returns the n x p matrix (NaN where the source is missing), the column
    names and a boolean mask of rows with a missing value in any variable.
    Factor levels come in ``order`` (:func:`~sociaparis.analysis.levels.sort_levels`).
    """
    blocks: list[np.ndarray] = []
    names: list[str] = []
    missing = np.zeros(len(data), dtype=bool)
    for var in variables:
        col = data[var]
        na = col.isna().to_numpy()
        missing |= na
        if factors or (factors is None and is_factor(col)):
            levels = levels_of(col, order)
            values = col.to_numpy()
            block = np.column_stack([(values == lev) for lev in levels]).astype(float)
            block[na] = np.nan
            blocks.append(block)
            names.extend(f"{var}{_level_name(lev)}" for lev in levels)
        else:
            blocks.append(col.to_numpy(dtype=float)[:, None])
            names.append(var)
    return np.column_stack(blocks), names, missing


def model_matrix(
    data: pd.DataFrame, terms: Sequence[str], *, order: LevelOrder = "locale"
) -> tuple[np.ndarray, list[str]]:
    """R's ``model.matrix(~ terms)``: intercept, treatment dummies, numeric columns.

    Factors enter as one 0/1 column per level but the first (in ``order``),
    named ``<term><level>`` as R; a missing value raises ``ANALYSIS_002``.
    """
    cols = [np.ones(len(data))]
    names = ["(Intercept)"]
    for term in terms:
        col = data[term]
        if col.isna().any():
            raise SociaparisError(
                AnalysisError.MISSING_VALUES, column=term, count=int(col.isna().sum())
            )
        if is_factor(col):
            values = col.to_numpy()
            for lev in levels_of(col, order)[1:]:
                cols.append((values == lev).astype(float))
                names.append(f"{term}{_level_name(lev)}")
        else:
            cols.append(col.to_numpy(dtype=float))
            names.append(term)
    return np.column_stack(cols), names


def domain_rows(
    design: SurveyDesign, columns: Sequence[str], nan_policy: str
) -> np.ndarray:
    """Boolean mask of usable rows: raise or drop rows with a missing value."""
    check_nan_policy(nan_policy)
    keep = np.ones(design.n, dtype=bool)
    for col in columns:
        na = design.data[col].isna().to_numpy()
        if na.any():
            if nan_policy == "raise":
                raise SociaparisError(
                    AnalysisError.MISSING_VALUES, column=col, count=int(na.sum())
                )
            keep &= ~na
    return keep


def degf(design: SurveyDesign, keep: np.ndarray | None = None) -> int:
    """Design df over the rows kept with non-zero weight (R's ``degf`` of a subset)."""
    inset = design.weights != 0
    if keep is not None:
        inset &= keep
    return count_degf(design, inset)


def make_estimate(
    statistic: str,
    names: Sequence[str],
    est: np.ndarray,
    variance: np.ndarray,
    *,
    ci_level: float,
    df: int,
    n: int,
    vsrs: np.ndarray | None = None,
) -> Estimate:
    """Assemble an :class:`Estimate` with normal-theory intervals.

    ``vsrs`` is the variance under simple random sampling, for the design effect.
    """
    se = np.sqrt(np.diag(variance))
    z = stats.norm.ppf(0.5 + ci_level / 2)
    if vsrs is None:
        deff = np.full(len(se), np.nan)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            deff = np.diag(variance) / vsrs
    return Estimate(
        statistic=statistic,
        names=tuple(names),
        estimate=np.asarray(est, dtype=float),
        se=se,
        variance=variance,
        ci_low=est - z * se,
        ci_high=est + z * se,
        ci_level=ci_level,
        df=df,
        n=n,
        deff=deff,
    )


def srs_variance(
    design: SurveyDesign, x: np.ndarray, keep: np.ndarray, *, total: bool
) -> np.ndarray:
    """Variance under SRS without replacement of the same size (R's ``deff``).

    ``svyvar(x) (N - n) / (N n)`` for a mean, times ``N^2`` for a total, with
    ``svyvar`` the weighted variance with divisor ``n - 1`` and N the sum of the
    weights; NaN when the weights sum to less than n (unscaled weights).
    """
    w = np.where(keep, design.weights, 0.0)
    nobs = int((w != 0).sum())
    psum = w.sum()
    x0 = np.where(keep[:, None], x, 0.0)
    xbar = (x0 * w[:, None]).sum(axis=0) / psum
    svyvar = ((x0 - xbar) ** 2 * w[:, None]).sum(axis=0) / psum * nobs / (nobs - 1)
    if psum < nobs or nobs < 2:
        return np.full(x.shape[1], np.nan)
    vsrs = svyvar * (psum - nobs) / (psum * nobs)
    return vsrs * psum**2 if total else vsrs


def mean_influence(
    design: SurveyDesign, x: np.ndarray, keep: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted means of the columns of ``x`` over ``keep`` and their influence values."""
    w = np.where(keep, design.weights, 0.0)
    x0 = np.where(keep[:, None], x, 0.0)
    psum = w.sum()
    if psum == 0:
        raise SociaparisError(
            AnalysisError.EMPTY_DOMAIN, what=Reason(en="the estimate", fr="l'estimation")
        )
    est = (x0 * w[:, None]).sum(axis=0) / psum
    infl = (x0 - est) * (w / psum)[:, None]
    return est, infl


def _prepare(
    design: SurveyDesign,
    variables: str | Sequence[str],
    nan_policy: str,
    factors: bool | None,
) -> tuple[np.ndarray, list[str], np.ndarray]:
    cols = _as_list(variables)
    check_columns(design.data, cols)
    keep = domain_rows(design, cols, nan_policy)
    x, names, _ = model_columns(
        design.data, cols, factors=factors, order=design.level_order
    )
    return x, names, keep


def mean(
    design: SurveyDesign,
    *,
    variables: str | Sequence[str],
    nan_policy: NanPolicy = "raise",
    ci_level: float = 0.95,
) -> Estimate:
    """Weighted means with design-based SEs (R ``svymean``).

    Parameters
    ----------
    design
        The survey design.
    variables
        One column or several; a non-numeric column gives the proportion of each
        of its levels, named ``<variable><level>`` as in R.
    nan_policy
        ``"raise"`` (default) refuses missing values; ``"omit"`` estimates over
        the rows where every variable is present, keeping the whole design for
        the variance (R's ``na.rm = TRUE``).
    ci_level
        Level of the normal-theory confidence interval.

    Returns
    -------
    Estimate
        ``names``, ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``variance``.

    Notes
    -----
    The mean is the ratio of weighted totals, :math:`\\hat\\mu = \\sum w_i y_i /
    \\sum w_i`; its influence values are :math:`w_i (y_i - \\hat\\mu) / \\sum w_i`.

    Examples
    --------
    >>> import pandas as pd
    >>> from sociaparis.analysis.design import svydesign
    >>> df = pd.DataFrame({"y": [1.0, 2.0, 3.0, 4.0], "w": [1.0, 1.0, 2.0, 2.0]})
    >>> float(mean(svydesign(df, weights="w"), variables="y").estimate[0])
    2.8333333333333335
    """
    x, names, keep = _prepare(design, variables, nan_policy, None)
    return _weighted_means("mean", design, x, names, keep, ci_level)


def _weighted_means(
    kind: str,
    design: SurveyDesign,
    x: np.ndarray,
    names: list[str],
    keep: np.ndarray,
    ci_level: float,
) -> Estimate:
    """Means of the columns of ``x`` (shares, for 0/1 level indicators) with SEs."""
    est, infl = mean_influence(design, x, keep)
    return make_estimate(
        kind,
        names,
        est,
        design.variance(infl),
        ci_level=ci_level,
        df=degf(design, keep),
        n=int(keep.sum()),
        vsrs=srs_variance(design, x, keep, total=False),
    )


def proportion(
    design: SurveyDesign,
    *,
    variable: str,
    nan_policy: NanPolicy = "raise",
    ci_level: float = 0.95,
) -> Estimate:
    """Share of each level of ``variable`` (R ``svymean(~factor)``).

    Parameters
    ----------
    design
        The survey design.
    variable
        The column; every distinct value is a level, even if numeric.
    nan_policy
        ``"raise"`` or ``"omit"`` (shares among those who answered).
    ci_level
        Level of the normal-theory confidence interval.

    Returns
    -------
    Estimate
        One quantity per level, named ``<variable><level>``.
    """
    x, names, keep = _prepare(design, variable, nan_policy, True)
    return _weighted_means("proportion", design, x, names, keep, ci_level)


def total(
    design: SurveyDesign,
    *,
    variables: str | Sequence[str],
    nan_policy: NanPolicy = "raise",
    ci_level: float = 0.95,
) -> Estimate:
    """Weighted totals with design-based SEs (R ``svytotal``).

    Parameters
    ----------
    design
        The survey design.
    variables
        Columns; a non-numeric column gives the estimated population count of
        each level.
    nan_policy
        ``"raise"`` or ``"omit"``.
    ci_level
        Level of the normal-theory confidence interval.

    Returns
    -------
    Estimate
    """
    x, names, keep = _prepare(design, variables, nan_policy, None)
    w = np.where(keep, design.weights, 0.0)
    infl = np.where(keep[:, None], x, 0.0) * w[:, None]
    est = infl.sum(axis=0)
    var = design.variance(infl)
    return make_estimate(
        "total",
        names,
        est,
        var,
        ci_level=ci_level,
        df=degf(design, keep),
        n=int(keep.sum()),
        vsrs=srs_variance(design, x, keep, total=True),
    )


def ratio(
    design: SurveyDesign,
    *,
    numerator: str,
    denominator: str,
    nan_policy: NanPolicy = "raise",
    ci_level: float = 0.95,
) -> Estimate:
    """Ratio of two population totals (R ``svyratio``).

    Parameters
    ----------
    design
        The survey design.
    numerator, denominator
        Numeric columns.
    nan_policy
        ``"raise"`` or ``"omit"`` (rows missing either are left out).
    ci_level
        Level of the normal-theory confidence interval.

    Returns
    -------
    Estimate
        One quantity named ``numerator/denominator``.

    Notes
    -----
    :math:`\\hat R = \\sum w y / \\sum w x`, influence
    :math:`w_i (y_i - \\hat R x_i) / \\sum w x`.
    """
    check_columns(design.data, [numerator, denominator])
    keep = domain_rows(design, [numerator, denominator], nan_policy)
    w = np.where(keep, design.weights, 0.0)
    y = np.where(keep, design.data[numerator].to_numpy(dtype=float), 0.0)
    x = np.where(keep, design.data[denominator].to_numpy(dtype=float), 0.0)
    tx = (w * x).sum()
    r = (w * y).sum() / tx
    infl = (w * (y - r * x) / tx)[:, None]
    var = design.variance(infl)
    return make_estimate(
        "ratio",
        [f"{numerator}/{denominator}"],
        np.array([r]),
        var,
        ci_level=ci_level,
        df=degf(design, keep),
        n=int(keep.sum()),
    )


def ciprop(
    design: SurveyDesign,
    *,
    variable: str,
    event: object = None,
    ci_level: float = 0.95,
    nan_policy: NanPolicy = "raise",
) -> Estimate:
    """A proportion with a logit confidence interval (R ``svyciprop(method="logit")``).

    Parameters
    ----------
    design
        The survey design.
    variable
        A 0/1 column, or a categorical one with ``event`` the level counted.
    event
        Level counted as a success (required for a categorical column).
    ci_level
        Level of the interval.
    nan_policy
        ``"raise"`` or ``"omit"``.

    Returns
    -------
    Estimate
        One quantity; ``ci_low``/``ci_high`` are
        ``expit(logit(p) -/+ t * se / (p (1 - p)))`` with t on the design df,
        so they stay inside (0, 1).
    """
    check_columns(design.data, [variable])
    keep = domain_rows(design, [variable], nan_policy)
    col = design.data[variable]
    if event is not None:
        y = (col.to_numpy() == event).astype(float)
        name = f"{variable}{event}"
    else:
        y = col.to_numpy(dtype=float)
        name = variable
    est, infl = mean_influence(design, y[:, None], keep)
    var = design.variance(infl)
    p = float(est[0])
    se = float(np.sqrt(var[0, 0]))
    df = degf(design, keep)
    t = stats.t.ppf(0.5 + ci_level / 2, df)
    logit = np.log(p / (1 - p))
    half = t * se / (p * (1 - p))
    return Estimate(
        statistic="proportion",
        names=(name,),
        estimate=np.array([p]),
        se=np.array([se]),
        variance=var,
        ci_low=np.array([1 / (1 + np.exp(-(logit - half)))]),
        ci_high=np.array([1 / (1 + np.exp(-(logit + half)))]),
        ci_level=ci_level,
        df=df,
        n=int(keep.sum()),
        deff=np.array([np.nan]),
    )
