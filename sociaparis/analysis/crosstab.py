"""Weighted crosstabs and design-based tests of association (R svytable, svychisq).

:func:`chisq_test` reproduces ``survey::svychisq``: the Rao-Scott second-order
correction (``"F"``, R's default), the first-order correction (``"Chisq"``) and
the design-based Wald tests (``"Wald"``, ``"adjWald"``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats
from scipy.stats.contingency import association

from sociaparis.analysis.design import SurveyDesign, check_columns, count_degf
from sociaparis.analysis.errors import AnalysisError
from sociaparis.analysis.estimators import NanPolicy, domain_rows
from sociaparis.analysis.levels import levels_of
from sociaparis.core.errors import SociaparisError

_STATISTICS = ("F", "Chisq", "Wald", "adjWald")


@dataclass(frozen=True, slots=True)
class CrosstabResult:
    """Weighted two-way table: estimated population counts (R ``svytable``).

    Attributes
    ----------
    row, col
        The two variables.
    table
        Weighted counts, rows = levels of ``row``, columns = levels of ``col``.
    counts
        Unweighted respondent counts of the same cells (for disclosure control).
    total
        Sum of the weighted counts.
    """

    row: str
    col: str
    table: pd.DataFrame
    counts: pd.DataFrame
    total: float

    def to_frame(self) -> pd.DataFrame:
        """Long frame: row level, column level, weighted_count, n."""
        long = self.table.stack().rename("weighted_count").reset_index()
        long.columns = [self.row, self.col, "weighted_count"]
        long["n"] = self.counts.stack().to_numpy()
        return long

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with one record per cell."""
        cells = [
            {
                self.row: str(r),
                self.col: str(c),
                "weighted_count": float(v),
                "n": int(nn),
            }
            for (r, c, v, nn) in self.to_frame().itertuples(index=False)
        ]
        return {"row": self.row, "col": self.col, "cells": cells, "total": self.total}


def _levels(design: SurveyDesign, var: str, keep: np.ndarray) -> list:
    return levels_of(design.data.loc[keep, var], design.level_order)


def crosstab(
    design: SurveyDesign, *, row: str, col: str, nan_policy: NanPolicy = "raise"
) -> CrosstabResult:
    """Weighted counts of a two-way table (R ``svytable(~row + col, design)``).

    Parameters
    ----------
    design
        The survey design.
    row, col
        The two categorical columns.
    nan_policy
        ``"raise"`` or ``"omit"``.

    Returns
    -------
    CrosstabResult
    """
    check_columns(design.data, [row, col])
    keep = domain_rows(design, [row, col], nan_policy)
    rl, cl = _levels(design, row, keep), _levels(design, col, keep)
    r = pd.Index(rl).get_indexer(design.data.loc[keep, row])
    c = pd.Index(cl).get_indexer(design.data.loc[keep, col])
    flat = r * len(cl) + c
    size = len(rl) * len(cl)
    weighted = np.bincount(flat, weights=design.weights[keep], minlength=size)
    n = np.bincount(flat, minlength=size)
    idx = pd.Index(rl, name=row)
    cols = pd.Index(cl, name=col)
    table = pd.DataFrame(weighted.reshape(len(rl), len(cl)), index=idx, columns=cols)
    counts = pd.DataFrame(n.reshape(len(rl), len(cl)), index=idx, columns=cols)
    return CrosstabResult(row, col, table, counts, float(weighted.sum()))


@dataclass(frozen=True, slots=True)
class ChisqResult:
    """A test of association in a two-way table.

    Attributes
    ----------
    statistic
        The test statistic (``F`` or Pearson's ``X-squared``, see ``statistic_name``).
    statistic_name
        ``"F"`` or ``"X-squared"``, as R prints it.
    parameter
        Degrees of freedom: ``{"ndf", "ddf"}`` for F tests, ``{"df"}`` for chi-square.
    p_value
        The p-value.
    method
        R's description of the method.
    pearson
        Pearson's X^2 of the weighted table rescaled to the sample size.
    mean_deff
        Mean generalised design effect (trace of Delta over its size), when computed.
    """

    statistic: float
    statistic_name: str
    parameter: dict[str, float]
    p_value: float
    method: str
    pearson: float
    mean_deff: float | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with R's keys."""
        return {
            "statistic": self.statistic,
            "statistic_name": self.statistic_name,
            "parameter": dict(self.parameter),
            "p_value": self.p_value,
            "method": self.method,
            "pearson": self.pearson,
            "mean_deff": self.mean_deff,
        }

    def to_frame(self) -> pd.DataFrame:
        """One-row frame."""
        d = self.to_dict()
        d.update({f"parameter_{k}": v for k, v in d.pop("parameter").items()})
        return pd.DataFrame([d])


def chisq_test(
    design: SurveyDesign,
    *,
    row: str,
    col: str,
    statistic: Literal["F", "Chisq", "Wald", "adjWald"] = "F",
    nan_policy: NanPolicy = "raise",
) -> ChisqResult:
    """Design-based test of independence of two categorical variables (R ``svychisq``).

    Parameters
    ----------
    design
        The survey design.
    row, col
        The two categorical columns.
    statistic
        ``"F"`` (default): Rao-Scott second-order correction, Pearson's X^2
        divided by the trace of the generalised design-effect matrix Delta,
        referred to F(d0, d0 * df) with d0 = tr(Delta)^2 / tr(Delta^2).
        ``"Chisq"``: first-order correction, X^2 / mean(eigenvalues of Delta)
        referred to chi-square((r-1)(c-1)); the statistic reported is X^2 itself,
        as R does. ``"Wald"`` and ``"adjWald"``: design-based Wald tests of
        the interaction contrasts, F forms.
    nan_policy
        ``"raise"`` or ``"omit"`` (R's ``svychisq`` default is to omit).

    Returns
    -------
    ChisqResult

    Notes
    -----
    Pearson's X^2 is computed on the weighted table rescaled to the number of
    rows of the design; df of the design = PSUs - strata.

    References
    ----------
    Rao, J. N. K. and Scott, A. J. (1984). On chi-squared tests for multiway
    contingency tables with cell proportions estimated from survey data.
    Annals of Statistics 12, 46-60.
    """
    if statistic not in _STATISTICS:
        raise SociaparisError(
            AnalysisError.BAD_OPTION,
            name="statistic",
            value=statistic,
            allowed=_STATISTICS,
        )
    check_columns(design.data, [row, col])
    keep = domain_rows(design, [row, col], nan_policy)
    rl, cl = _levels(design, row, keep), _levels(design, col, keep)
    nr, nc = len(rl), len(cl)
    r = np.full(design.n, -1)
    c = np.full(design.n, -1)
    r[keep] = pd.Index(rl).get_indexer(design.data.loc[keep, row])
    c[keep] = pd.Index(cl).get_indexer(design.data.loc[keep, col])
    # cell index with the row variable varying fastest, as interaction(row, col)
    cell = np.where(keep, r + nr * c, 0)
    n_all = design.n
    nu = count_degf(design, np.ones(design.n, dtype=bool))
    w = np.where(keep, design.weights, 0.0)
    tab = np.bincount(cell, weights=w, minlength=nr * nc).reshape(nc, nr).T
    scaled = tab * n_all / tab.sum()
    expected = np.outer(scaled.sum(axis=1), scaled.sum(axis=0)) / scaled.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        pearson = float(np.nansum((scaled - expected) ** 2 / expected))
    k = nr * nc
    rows_idx = np.flatnonzero(keep)
    if statistic in ("Wald", "adjWald"):
        x = np.zeros((n_all, k + nr + nc + 1))
        x[rows_idx, cell[rows_idx]] = 1.0
        x[rows_idx, k + r[rows_idx]] = 1.0
        x[rows_idx, k + nr + c[rows_idx]] = 1.0
        x[rows_idx, k + nr + nc] = 1.0
        infl = x * w[:, None]
        cells = infl.sum(axis=0)
        vcells = design.variance(infl)
        rt, ct, tot = cells[k : k + nr], cells[k + nr : k + nr + nc], cells[-1]
        rows_of = np.tile(np.arange(nr), nc)
        cols_of = np.repeat(np.arange(nc), nr)
        jac = np.zeros((k, k + nr + nc + 1))
        jac[:, :k] = np.eye(k)
        jac[np.arange(k), k + rows_of] = -ct[cols_of] / tot
        jac[np.arange(k), k + nr + cols_of] = -rt[rows_of] / tot
        jac[:, -1] = rt[rows_of] * ct[cols_of] / tot**2
        y = cells[:k] - rt[rows_of] * ct[cols_of] / tot
        v = jac @ vcells @ jac.T
        use = np.arange(k).reshape(nc, nr).T[1:, 1:].T.ravel()
        wald = float(y[use] @ np.linalg.solve(v[np.ix_(use, use)], y[use]))
        numdf = (nr - 1) * (nc - 1)
        if statistic == "Wald":
            stat, ddf = wald / numdf, float(nu)
        else:
            ddf = float(nu - numdf + 1)
            stat = wald * ddf / (numdf * nu)
        return ChisqResult(
            statistic=stat,
            statistic_name="F",
            parameter={"ndf": float(numdf), "ddf": ddf},
            p_value=float(stats.f.sf(stat, numdf, ddf)),
            method="Design-based Wald test of association",
            pearson=pearson,
            mean_deff=None,
        )
    x = np.zeros((n_all, k))
    x[rows_idx, cell[rows_idx]] = 1.0
    psum = w.sum()
    mean2 = (x * w[:, None]).sum(axis=0) / psum
    vmean = design.variance((x - mean2) * (w / psum)[:, None])
    grid_r = np.tile(np.arange(nr), nc)
    grid_c = np.repeat(np.arange(nc), nr)
    x1 = np.column_stack(
        [np.ones(k)]
        + [(grid_r == i).astype(float) for i in range(1, nr)]
        + [(grid_c == j).astype(float) for j in range(1, nc)]
    )
    x12 = np.column_stack(
        [
            ((grid_r == i) & (grid_c == j)).astype(float)
            for j in range(1, nc)
            for i in range(1, nr)
        ]
    )
    q, _ = np.linalg.qr(x1)
    cmat = x12 - q @ (q.T @ x12)
    with np.errstate(divide="ignore"):
        idiag = np.where(mean2 == 0, 0.0, 1.0 / mean2)
    denom = (cmat.T * idiag / n_all) @ cmat
    numr = (cmat.T * idiag) @ vmean @ (idiag[:, None] * cmat)
    delta = np.linalg.solve(denom, numr)
    tr = float(np.trace(delta))
    d0 = tr**2 / float(np.trace(delta @ delta))
    mean_deff = tr / delta.shape[0]
    if statistic == "F":
        stat = pearson / tr
        return ChisqResult(
            statistic=stat,
            statistic_name="F",
            parameter={"ndf": d0, "ddf": d0 * nu},
            p_value=float(stats.f.sf(stat, d0, d0 * nu)),
            method="Pearson's X^2: Rao & Scott adjustment",
            pearson=pearson,
            mean_deff=mean_deff,
        )
    df = delta.shape[0]
    return ChisqResult(
        statistic=pearson,
        statistic_name="X-squared",
        parameter={"df": float(df)},
        p_value=float(stats.chi2.sf(pearson / mean_deff, df)),
        method="Pearson's X^2: Rao & Scott adjustment",
        pearson=pearson,
        mean_deff=mean_deff,
    )


@dataclass(frozen=True, slots=True)
class PearsonResult:
    """Unweighted Pearson chi-square test and Cramer's V (sampling weights ignored).

    Attributes
    ----------
    observed
        Counts, rows x columns.
    expected
        Expected counts under independence.
    statistic, df, p_value
        Pearson's X^2 (with Yates' correction if asked, 2x2 only), df, p-value.
    cramers_v
        Cramer's V from the uncorrected statistic.
    correction
        Whether Yates' correction was applied.
    """

    observed: pd.DataFrame
    expected: np.ndarray
    statistic: float
    df: int
    p_value: float
    cramers_v: float
    correction: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "observed": {
                "rows": [str(v) for v in self.observed.index],
                "cols": [str(v) for v in self.observed.columns],
                "counts": self.observed.to_numpy().tolist(),
            },
            "expected": self.expected.tolist(),
            "statistic": self.statistic,
            "df": self.df,
            "p_value": self.p_value,
            "cramers_v": self.cramers_v,
            "yates_correction": self.correction,
        }

    def to_frame(self) -> pd.DataFrame:
        """The observed table."""
        return self.observed.copy()


def pearson_chisq(
    data: pd.DataFrame,
    *,
    row: str,
    col: str,
    correction: bool = False,
    nan_policy: NanPolicy = "raise",
) -> PearsonResult:
    """Unweighted chi-square test of independence (scipy ``chi2_contingency``).

    Parameters
    ----------
    data
        One row per respondent.
    row, col
        The two categorical columns.
    correction
        Yates' continuity correction (applies to 2x2 tables only, as scipy and R).
    nan_policy
        ``"raise"`` or ``"omit"``.

    Returns
    -------
    PearsonResult
    """
    check_columns(data, [row, col])
    na = data[[row, col]].isna().any(axis=1)
    if na.any() and nan_policy == "raise":
        bad = row if data[row].isna().any() else col
        raise SociaparisError(
            AnalysisError.MISSING_VALUES, column=bad, count=int(data[bad].isna().sum())
        )
    sub = data.loc[~na]
    observed = pd.crosstab(sub[row], sub[col])
    observed = observed.reindex(index=levels_of(sub[row]), columns=levels_of(sub[col]))
    stat, p, dof, expected = stats.chi2_contingency(
        observed.to_numpy(), correction=correction
    )
    v = association(observed.to_numpy(), method="cramer", correction=False)
    return PearsonResult(
        observed=observed,
        expected=np.asarray(expected),
        statistic=float(stat),
        df=int(dof),
        p_value=float(p),
        cramers_v=float(v),
        correction=bool(correction and dof == 1),
    )
