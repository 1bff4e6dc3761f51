"""Likert batteries and multiple-choice questions, through the design estimators.

Every share, mean and interval here comes from
:mod:`sociaparis.analysis.estimators` / :mod:`sociaparis.analysis.domains`, so
weights, strata, clusters and calibration are honoured and comparisons by
group (directorate, job category, age band) are domain estimates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sociaparis.analysis.design import SurveyDesign, _as_list, check_columns
from sociaparis.analysis.domains import by_domain
from sociaparis.analysis.estimators import (
    NanPolicy,
    domain_rows,
    make_estimate,
    mean,
    mean_influence,
)
from sociaparis.analysis.levels import levels_of, sort_levels
from sociaparis.analysis.results import _num
from sociaparis.analysis.selections import (
    choice_indicator,
    observed_choices,
    split_answers,
)


@dataclass(frozen=True, slots=True)
class SummaryTable:
    """A tidy table of estimates.

    Attributes
    ----------
    kind
        ``"likert_distribution"``, ``"likert_means"``, ``"diverging"`` or
        ``"multiple_choice"``.
    table
        The rows; columns are described by the function that built it.
    ci_level
        Level of the normal-theory intervals.
    """

    kind: str
    table: pd.DataFrame
    ci_level: float

    def to_frame(self) -> pd.DataFrame:
        """The table (a copy)."""
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with one record per row."""
        rows = [
            {str(k): _num(v) for k, v in rec.items()}
            for rec in self.table.to_dict(orient="records")
        ]
        return {"kind": self.kind, "ci_level": self.ci_level, "rows": rows}


def likert_distribution(
    design: SurveyDesign,
    *,
    items: str | Sequence[str],
    levels: Sequence[Any] | None = None,
    by: str | Sequence[str] | None = None,
    nan_policy: NanPolicy = "omit",
    ci_level: float = 0.95,
) -> SummaryTable:
    """Weighted distribution of the answers to each item of a battery.

    Parameters
    ----------
    design
        The survey design.
    items
        The item columns (same answer scale).
    levels
        The scale in order (e.g. ``[1, 2, 3, 4, 5]``); default: levels seen.
    by
        Optional grouping columns: the distribution within each group (domain
        estimates on the full design).
    nan_policy
        ``"omit"`` (default): shares among those who answered the item.
    ci_level
        Level of the intervals.

    Returns
    -------
    SummaryTable
        Columns ``item``, the ``by`` columns, ``level``, ``share``, ``se``,
        ``ci_low``, ``ci_high``, ``n`` (respondents who gave that answer).
    """
    items = _as_list(items)
    check_columns(design.data, items)
    if by is not None:
        return _distribution_by(design, items, levels, _as_list(by), ci_level)
    rows = []
    for item in items:
        col = design.data[item]
        scale = list(levels) if levels is not None else levels_of(col, design.level_order)
        keep = domain_rows(design, [item], nan_policy)
        values = col.to_numpy()
        x = np.column_stack([values == level for level in scale]).astype(float)
        share, infl = mean_influence(design, x, keep)
        est = make_estimate(
            "proportion",
            [str(level) for level in scale],
            share,
            design.variance(infl),
            ci_level=ci_level,
            df=0,
            n=int(keep.sum()),
        )
        for k, level in enumerate(scale):
            rows.append(
                [
                    item,
                    level,
                    est.estimate[k],
                    est.se[k],
                    est.ci_low[k],
                    est.ci_high[k],
                    int((x[:, k] * keep).sum()),
                ]
            )
    table = pd.DataFrame(
        rows, columns=["item", "level", "share", "se", "ci_low", "ci_high", "n"]
    )
    return SummaryTable("likert_distribution", table, ci_level)


def _distribution_by(
    design: SurveyDesign,
    items: list[str],
    levels: Sequence[Any] | None,
    bys: list[str],
    ci_level: float,
) -> SummaryTable:
    """Distribution of each item within the domains of ``bys``."""
    frames = []
    for item in items:
        col = design.data[item]
        scale = list(levels) if levels is not None else levels_of(col, design.level_order)
        missing = col.isna().to_numpy()
        names = [f"_level_{k}" for k in range(len(scale))]
        derived = {
            name: np.where(missing, np.nan, (col.to_numpy() == level).astype(float))
            for name, level in zip(names, scale, strict=True)
        }
        res = by_domain(
            design.with_columns(**derived),
            variables=names,
            by=bys,
            nan_policy="omit",
            ci_level=ci_level,
        ).table
        for name, level in zip(names, scale, strict=True):
            part = res[bys].copy()
            part.insert(0, "item", item)
            part["level"] = level
            part["share"] = res[name]
            part["se"] = res[f"se.{name}"]
            part["ci_low"] = res[f"ci_low.{name}"]
            part["ci_high"] = res[f"ci_high.{name}"]
            counts = (
                pd.Series(derived[name] == 1)
                .groupby([design.data[b].to_numpy() for b in bys])
                .sum()
            )
            keys = [tuple(r) if len(bys) > 1 else r[0] for r in res[bys].to_numpy()]
            part["n"] = [int(counts.get(k, 0)) for k in keys]
            frames.append(part)
    table = pd.concat(frames, ignore_index=True)
    return SummaryTable("likert_distribution", table, ci_level)


def diverging(distribution: SummaryTable, *, neutral: Any = None) -> SummaryTable:
    """Segments of a diverging stacked bar chart from a Likert distribution.

    Disagreeing levels extend to the left of zero, agreeing ones to the right;
    a neutral level is split half and half around zero.

    Parameters
    ----------
    distribution
        Result of :func:`likert_distribution`.
    neutral
        The middle level; default: the middle of an odd scale, none for an even one.

    Returns
    -------
    SummaryTable
        Columns ``item``, ``level``, ``share``, ``start``, ``end`` (bar segment
        from ``start`` to ``end``, negative on the disagreeing side).
    """
    rows = []
    for item, part in distribution.table.groupby("item", sort=False):
        scale = list(part["level"])
        shares = dict(zip(part["level"], part["share"], strict=True))
        mid = neutral
        if mid is None and len(scale) % 2 == 1:
            mid = scale[len(scale) // 2]
        pos = scale.index(mid) if mid is not None else len(scale) // 2
        low, high = scale[:pos], scale[pos + (1 if mid is not None else 0) :]
        half = shares[mid] / 2 if mid is not None else 0.0
        left = -half - sum(shares[lev] for lev in low)
        for lev in low:
            rows.append([item, lev, shares[lev], left, left + shares[lev]])
            left += shares[lev]
        if mid is not None:
            rows.append([item, mid, shares[mid], -half, half])
        right = half
        for lev in high:
            rows.append([item, lev, shares[lev], right, right + shares[lev]])
            right += shares[lev]
    table = pd.DataFrame(rows, columns=["item", "level", "share", "start", "end"])
    return SummaryTable("diverging", table, distribution.ci_level)


def likert_means(
    design: SurveyDesign,
    *,
    items: str | Sequence[str],
    by: str | Sequence[str] | None = None,
    nan_policy: NanPolicy = "omit",
    ci_level: float = 0.95,
) -> SummaryTable:
    """Mean score of each item with its CI, overall or by group.

    Parameters
    ----------
    design
        The survey design.
    items
        Numeric item columns (scores).
    by
        Optional grouping columns (domain estimates).
    nan_policy
        ``"omit"`` (default): each item over those who answered it.
    ci_level
        Level of the intervals.

    Returns
    -------
    SummaryTable
        Columns ``item``, the ``by`` columns, ``mean``, ``se``, ``ci_low``,
        ``ci_high``, ``n``.
    """
    items = _as_list(items)
    bys = _as_list(by)
    frames = []
    for item in items:
        if bys:
            res = by_domain(
                design, variables=item, by=bys, nan_policy=nan_policy, ci_level=ci_level
            ).table
            part = res[bys].copy()
            part.insert(0, "item", item)
            part["mean"] = res[item]
            part["se"] = res[f"se.{item}"]
            part["ci_low"] = res[f"ci_low.{item}"]
            part["ci_high"] = res[f"ci_high.{item}"]
            part["n"] = res["n"]
        else:
            est = mean(design, variables=item, nan_policy=nan_policy, ci_level=ci_level)
            part = pd.DataFrame(
                {
                    "item": [item],
                    "mean": est.estimate,
                    "se": est.se,
                    "ci_low": est.ci_low,
                    "ci_high": est.ci_high,
                    "n": [est.n],
                }
            )
        frames.append(part)
    return SummaryTable("likert_means", pd.concat(frames, ignore_index=True), ci_level)


def multiple_choice(
    design: SurveyDesign,
    *,
    column: str,
    choices: Sequence[str] | None = None,
    separator: str = " ",
    by: str | Sequence[str] | None = None,
    ci_level: float = 0.95,
) -> SummaryTable:
    """Share of respondents selecting each choice of a select-multiple question.

    Parameters
    ----------
    design
        The survey design.
    column
        The answers as ODK/KoboToolbox export them: the selected choice names
        separated by ``separator``; a missing value means not answered.
    choices
        The choices in order; default: every choice selected by someone, in the
        design's ``level_order`` (R's collation by default).
    separator
        Separator of the selected choices.
    by
        Optional grouping columns (domain estimates).
    ci_level
        Level of the intervals.

    Returns
    -------
    SummaryTable
        Columns ``choice``, the ``by`` columns, ``share``, ``se``, ``ci_low``,
        ``ci_high``, ``n`` (respondents who answered, in the group). Shares are
        among respondents who answered the question and may sum above 1.
    """
    check_columns(design.data, [column])
    answers = design.data[column]
    codes, selected = split_answers(answers, separator=separator)
    if choices is None:
        choices = sort_levels(observed_choices(selected), design.level_order)
    derived = {}
    names = []
    for k, choice in enumerate(choices):
        name = f"_choice_{k}"
        names.append(name)
        derived[name] = choice_indicator(codes, selected, choice)
    wide = design.with_columns(**derived)
    bys = _as_list(by)
    frames = []
    for choice, name in zip(choices, names, strict=True):
        if bys:
            res = by_domain(
                wide, variables=name, by=bys, nan_policy="omit", ci_level=ci_level
            ).table
            part = res[bys].copy()
            part.insert(0, "choice", choice)
            for out, src in [
                ("share", name),
                ("se", f"se.{name}"),
                ("ci_low", f"ci_low.{name}"),
                ("ci_high", f"ci_high.{name}"),
                ("n", "n"),
            ]:
                part[out] = res[src]
        else:
            est = mean(wide, variables=name, nan_policy="omit", ci_level=ci_level)
            part = pd.DataFrame(
                {
                    "choice": [choice],
                    "share": est.estimate,
                    "se": est.se,
                    "ci_low": est.ci_low,
                    "ci_high": est.ci_high,
                    "n": [est.n],
                }
            )
        frames.append(part)
    return SummaryTable("multiple_choice", pd.concat(frames, ignore_index=True), ci_level)
