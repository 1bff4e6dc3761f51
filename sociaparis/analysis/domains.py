"""Estimates by domain (R ``svyby``), vectorised over the domains.

Domain estimation keeps the whole design: a respondent outside the domain
contributes a zero influence value, never a dropped row, so strata and PSUs
keep their design counts and the variance is right (Lumley 2010, ch. 2.3).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from sociaparis.analysis.design import SurveyDesign, _as_list, check_columns
from sociaparis.analysis.errors import AnalysisError
from sociaparis.analysis.estimators import NanPolicy, domain_rows, model_columns
from sociaparis.analysis.levels import LevelOrder, levels_of
from sociaparis.analysis.results import DomainEstimate
from sociaparis.core.errors import Reason, SociaparisError

_STATS = ("mean", "total")
_MAX_CELLS = 20_000_000


def domain_codes(
    data: pd.DataFrame,
    by: Sequence[str],
    keep: np.ndarray,
    order: LevelOrder = "locale",
) -> tuple[np.ndarray, pd.DataFrame]:
    """Domain code per row (-1 outside ``keep``) and the domain labels, in R's order.

    R's ``svyby`` orders the domains as ``interaction(by)``: by the levels of
    every ``by`` variable (in ``order``, see
    :func:`~sociaparis.analysis.levels.sort_levels`), the first varying fastest.
    """
    frame = data.loc[keep, list(by)]
    ranks = pd.DataFrame(
        {k: _level_ranks(frame[b], order) for k, b in enumerate(by)},
        index=frame.index,
    )
    distinct = ranks[~ranks.duplicated()]
    distinct = distinct.sort_values(list(reversed(ranks.columns)), kind="mergesort")
    labels = frame.loc[distinct.index].reset_index(drop=True)
    lookup = pd.MultiIndex.from_frame(distinct)
    codes = np.full(len(data), -1, dtype=np.intp)
    codes[keep] = lookup.get_indexer(pd.MultiIndex.from_frame(ranks))
    return codes, labels


def _level_ranks(column: pd.Series, order: LevelOrder) -> np.ndarray:
    """Rank of every value among the column's levels (-1 for a missing value).

    Looked up once per distinct value, not once per row: a text column of
    100,000 answers holds a handful of distinct ones.
    """
    codes, uniques = pd.factorize(column)
    if len(uniques) == 0:
        return np.full(len(codes), -1, dtype=np.intp)
    ranks = pd.Index(levels_of(column, order)).get_indexer(np.asarray(uniques))
    return np.where(codes < 0, -1, ranks[codes])


def by_domain(
    design: SurveyDesign,
    *,
    variables: str | Sequence[str],
    by: str | Sequence[str],
    statistic: Literal["mean", "total"] = "mean",
    nan_policy: NanPolicy = "raise",
    ci_level: float = 0.95,
) -> DomainEstimate:
    """Means or totals in every domain defined by ``by`` (R ``svyby``).

    Parameters
    ----------
    design
        The survey design.
    variables
        Columns to estimate; factors give one share (or count) per level.
    by
        One or several grouping columns.
    statistic
        ``"mean"`` (default) or ``"total"``.
    nan_policy
        ``"raise"`` or ``"omit"`` (rows missing a variable or a ``by`` value are
        left out of every domain, keeping the design).
    ci_level
        Level of the normal-theory confidence intervals.

    Returns
    -------
    DomainEstimate
        One row per domain, in the order of the design's ``level_order``
        (R's order by default). ``table`` has the ``by`` columns, then
        ``name``, ``se.name``, ``ci_low.name``, ``ci_high.name`` for every
        quantity, and ``n``.
    """
    if statistic not in _STATS:
        raise SociaparisError(
            AnalysisError.BAD_OPTION, name="statistic", value=statistic, allowed=_STATS
        )
    ys = _as_list(variables)
    bys = _as_list(by)
    check_columns(design.data, ys + bys)
    keep = domain_rows(design, ys + bys, nan_policy)
    x, names, _ = model_columns(design.data, ys, order=design.level_order)
    codes, labels = domain_codes(design.data, bys, keep, design.level_order)
    n_dom, p = len(labels), x.shape[1]
    w = np.where(keep, design.weights, 0.0)
    x0 = np.where(keep[:, None], x, 0.0)
    inside = codes >= 0
    c = np.where(inside, codes, 0)
    wx = np.zeros((n_dom, p))
    np.add.at(wx, c[inside], (x0 * w[:, None])[inside])
    if statistic == "mean":
        wsum = np.bincount(c[inside], weights=w[inside], minlength=n_dom)
        if np.any(wsum == 0):
            raise SociaparisError(
                AnalysisError.EMPTY_DOMAIN, what=Reason(en="a domain", fr="un domaine")
            )
        est = wx / wsum[:, None]
        contrib = (x0 - est[c]) * (w / wsum[c])[:, None]
    else:
        est = wx
        contrib = x0 * w[:, None]
    # influence columns (domain, quantity), built in blocks of domains so memory
    # stays bounded (about _MAX_CELLS numbers) however many domains there are
    per_block = max(1, _MAX_CELLS // max(1, design.n * p))
    var = np.empty(n_dom * p)
    for first in range(0, n_dom, per_block):
        last = min(n_dom, first + per_block)
        rows = np.flatnonzero(inside & (codes >= first) & (codes < last))
        infl = np.zeros((design.n, (last - first) * p))
        for j in range(p):
            infl[rows, (codes[rows] - first) * p + j] = contrib[rows, j]
        var[first * p : last * p] = design.variance(infl, full=False)
    se = np.sqrt(var).reshape(n_dom, p)
    z = stats.norm.ppf(0.5 + ci_level / 2)
    table = labels.copy()
    for j, name in enumerate(names):
        table[name] = est[:, j]
    for j, name in enumerate(names):
        table[f"se.{name}"] = se[:, j]
        table[f"ci_low.{name}"] = est[:, j] - z * se[:, j]
        table[f"ci_high.{name}"] = est[:, j] + z * se[:, j]
    table["n"] = np.bincount(c[inside], minlength=n_dom)
    return DomainEstimate(
        statistic=statistic,
        by=tuple(bys),
        names=tuple(names),
        table=table,
        ci_level=ci_level,
    )
