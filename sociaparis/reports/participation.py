"""Participation (response rates against the population) and weighting sections."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from sociaparis.analysis.disclosure import TOTAL, SuppressedTable, suppress
from sociaparis.analysis.weights import weight_report
from sociaparis.reports.content import HIDDEN, MASKED, Cell, Section, Table
from sociaparis.reports.context import ReportContext
from sociaparis.reports.i18n import fmt_number, fmt_pct
from sociaparis.survey.study.definition import PopulationMargins


def _mark(result: SuppressedTable, row: str, col: str) -> Cell:
    if result.primary.loc[row, col]:
        return HIDDEN
    if result.secondary.loc[row, col]:
        return MASKED
    return None


def _population_table(margins: PopulationMargins, dims: Sequence[str]) -> pd.DataFrame:
    frame = margins.to_frame()
    return frame.pivot_table(
        index=dims[0], columns=dims[1], values="count", aggfunc="sum", sort=False
    ).fillna(0)


def participation_section(
    ctx: ReportContext, margins: PopulationMargins | None, dims: Sequence[str]
) -> tuple[Section, dict[str, frozenset[str]]]:
    """Respondents and response rates by the two margin dimensions, suppressed.

    Returns the section and, for each dimension, the levels whose respondent
    total is hidden (so that comparisons hide them too).
    """
    n = ctx.design.n
    if margins is None or len(dims) != 2:
        paragraphs = (ctx.t("participation_nopop", n=fmt_number(n, ctx.lang)),)
        if margins is not None:
            rate = n / margins.total
            paragraphs = (
                ctx.t(
                    "participation_text",
                    n=fmt_number(n, ctx.lang),
                    pop=fmt_number(margins.total, ctx.lang),
                    rate=fmt_pct(rate, ctx.lang, 1),
                ),
            )
        return Section("participation", ctx.t("participation"), paragraphs), {}
    rows_dim, cols_dim = dims
    population = _population_table(margins, dims)
    row_levels = [str(r) for r in population.index]
    col_levels = [str(c) for c in population.columns]
    population.index, population.columns = row_levels, col_levels
    data = ctx.data
    counts = (
        pd.crosstab(data[ctx.groups[rows_dim]], data[ctx.groups[cols_dim]])
        .reindex(index=row_levels, columns=col_levels, fill_value=0)
        .astype(int)
    )
    result = suppress(counts, min_count=ctx.min_count)
    pop_full = population.copy()
    pop_full[TOTAL] = pop_full.sum(axis=1)
    pop_full.loc[TOTAL] = pop_full.sum(axis=0)
    row_label, row_names = ctx.group_labels[rows_dim]
    col_label, col_names = ctx.group_labels[cols_dim]
    header = (row_label, *[col_names.get(c, c) for c in col_levels], ctx.t("total"))
    respondents: list[tuple[Cell, ...]] = []
    rates: list[tuple[Cell, ...]] = []
    for row in [*row_levels, TOTAL]:
        name = ctx.t("total") if row == TOTAL else row_names.get(row, row)
        r_cells: list[Cell] = [name]
        p_cells: list[Cell] = [name]
        for col in [*col_levels, TOTAL]:
            mark = _mark(result, row, col)
            if mark is not None:
                r_cells.append(mark)
                p_cells.append(mark)
                continue
            count = int(result.counts.loc[row, col])
            r_cells.append(count)
            pop = float(pop_full.loc[row, col])
            p_cells.append(count / pop if pop > 0 else None)
        respondents.append(tuple(r_cells))
        rates.append(tuple(p_cells))
    hidden = {
        rows_dim: frozenset(r for r in row_levels if _mark(result, r, TOTAL) is not None),
        cols_dim: frozenset(c for c in col_levels if _mark(result, TOTAL, c) is not None),
    }
    labels = {"row": row_label, "col": col_label}
    tables = (
        Table(
            ctx.t("respondents_by", **labels),
            header,
            ("text", *["int"] * (len(header) - 1)),
            tuple(respondents),
            kind="respondents",
        ),
        Table(
            ctx.t("rates_by", **labels),
            header,
            ("text", *["pct1"] * (len(header) - 1)),  # type: ignore[arg-type]
            tuple(rates),
            kind="rates",
        ),
    )
    paragraph = ctx.t(
        "participation_text",
        n=fmt_number(n, ctx.lang),
        pop=fmt_number(margins.total, ctx.lang),
        rate=fmt_pct(n / margins.total, ctx.lang, 1),
    )
    section = Section(
        "participation",
        ctx.t("participation"),
        paragraphs=(paragraph, ctx.t("suppressed_bars", min=ctx.min_count)),
        tables=tables,
    )
    ctx_hidden = {**hidden}
    return section, ctx_hidden


def weighting_section(
    ctx: ReportContext,
    margins: PopulationMargins | None,
    dims: Sequence[str],
    raked: Mapping[str, Mapping[str, float]],
    notes: Sequence[str],
) -> Section:
    """The weights (Kish design effect, range) and the margins they reproduce."""
    if margins is None:
        return Section("weighting", ctx.t("weighting"), (ctx.t("weighting_none"),))
    design = ctx.design
    report = weight_report(design)
    step = design.steps[-1] if design.steps else None
    names = ", ".join(ctx.group_labels[d][0] for d in dims)
    paragraphs = [
        ctx.t(
            "weighting_text",
            dims=names,
            iterations=step.iterations if step is not None else 0,
        ),
        *notes,
    ]
    if step is not None and not step.converged:
        paragraphs.append(ctx.t("weighting_not_converged"))
    summary = Table(
        ctx.t("weights_summary"),
        (ctx.t("statistic"), ctx.t("value")),
        ("text", "auto"),
        (
            (ctx.t("w_n"), report.n),
            (ctx.t("w_neff"), report.n_effective),
            (ctx.t("w_deff"), report.deff_kish),
            (ctx.t("w_min"), report.min_weight),
            (ctx.t("w_max"), report.max_weight),
            (ctx.t("w_ratio"), report.ratio),
            (ctx.t("w_cv"), report.cv),
        ),
        kind="weights",
    )
    tables = [summary]
    data = ctx.data
    for dim in dims:
        column = ctx.groups[dim]
        label, level_names = ctx.group_labels[dim]
        target = raked.get(column, {})
        levels = list(margins.margin(dim))
        counts = [int((data[column] == lev).sum()) for lev in levels]
        # the same suppression as the participation table's totals, so that no
        # table gives away a total hidden in another one
        hidden = ctx.hidden_groups.get(dim, frozenset())
        weighted = {
            lev: float(np.sum(design.weights[(data[column] == lev).to_numpy()]))
            for lev in levels
        }
        rows = []
        for lev, count in zip(levels, counts, strict=True):
            shown: Cell = count
            if lev in hidden or ctx.is_small(count):
                shown = HIDDEN if ctx.is_small(count) else MASKED
            rows.append(
                (
                    level_names.get(lev, lev),
                    float(margins.margin(dim)[lev]),
                    weighted[lev] if lev in target else None,
                    shown,
                )
            )
        tables.append(
            Table(
                ctx.t("margins_of", dim=label),
                (label, ctx.t("population"), ctx.t("weighted"), ctx.t("respondents")),
                ("text", "int", "int", "int"),
                tuple(rows),
                kind="margins",
            )
        )
    return Section(
        "weighting", ctx.t("weighting"), tuple(paragraphs), tables=tuple(tables)
    )
