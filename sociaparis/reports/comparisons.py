"""Comparisons by group: weighted row percentages with a Rao-Scott test, suppressed."""

from __future__ import annotations

import pandas as pd

from sociaparis.analysis.crosstab import chisq_test, crosstab
from sociaparis.analysis.disclosure import TOTAL, suppress
from sociaparis.core.errors import SociaparisError
from sociaparis.reports.content import HIDDEN, MASKED, Cell, Table
from sociaparis.reports.context import ReportContext
from sociaparis.reports.i18n import fmt_number, fmt_p
from sociaparis.survey.instrument import Question


def crosstab_table(ctx: ReportContext, question: Question, by: str) -> Table | None:
    """Row percentages of ``question`` within the groups of ``by``, with the p-value.

    Respondent counts of the table (with its totals) go through
    :func:`~sociaparis.analysis.disclosure.suppress`; a percentage is shown
    only where its count is, and a group whose size is not published elsewhere
    (``ctx.hidden_groups``) is hidden whole. Returns None when fewer than two
    groups or two answers are left.
    """
    qcol = ctx.columns[question.name]
    gcol = ctx.groups[by]
    data = ctx.data
    both = data[qcol].notna() & data[gcol].notna()
    if int(both.sum()) < ctx.min_count:
        return None
    by_label, level_labels = ctx.group_labels[by]
    choices = ctx.choices[question.name]
    answers = [c.name for c in choices if (data.loc[both, qcol] == c.name).any()]
    groups = [g for g in level_labels if (data.loc[both, gcol] == g).any()]
    if len(answers) < 2 or len(groups) < 2:
        return None
    counts = pd.crosstab(
        data.loc[both, gcol].astype(str), data.loc[both, qcol].astype(str)
    ).reindex(index=groups, columns=answers, fill_value=0)
    result = suppress(counts, min_count=ctx.min_count)
    design = ctx.design.with_columns(
        _report_g=data[gcol].where(both), _report_q=data[qcol].where(both)
    )
    weighted = (
        crosstab(design, row="_report_g", col="_report_q", nan_policy="omit")
        .table.astype(float)
        .reindex(index=groups, columns=answers, fill_value=0.0)
    )
    shares = weighted.div(weighted.sum(axis=1), axis=0)
    overall = weighted.sum(axis=0) / weighted.to_numpy().sum()
    hidden_groups = ctx.hidden_groups.get(by, frozenset())
    rows: list[tuple[Cell, ...]] = []
    for group in [*groups, TOTAL]:
        whole = group in hidden_groups or (
            group != TOTAL
            and (result.primary.loc[group, TOTAL] or result.secondary.loc[group, TOTAL])
        )
        cells: list[Cell] = [
            ctx.t("total") if group == TOTAL else level_labels.get(group, group)
        ]
        for answer in [*answers, TOTAL]:
            if whole:
                cells.append(
                    HIDDEN if group in hidden_groups else _mark(result, group, TOTAL)
                )
                continue
            mark = _mark(result, group, answer)
            if mark is not None:
                cells.append(mark)
            elif answer == TOTAL:
                cells.append(int(result.counts.loc[group, TOTAL]))
            else:
                source = overall if group == TOTAL else shares.loc[group]
                cells.append(float(source[answer]))
        rows.append(tuple(cells))
    caption = ctx.t("crosstab_caption", q=ctx.label(question), by=by_label)
    try:
        test = chisq_test(design, row="_report_g", col="_report_q", nan_policy="omit")
        caption += " — " + ctx.t(
            "p_value",
            f=fmt_number(test.statistic, ctx.lang, 2),
            p=fmt_p(test.p_value, ctx.lang),
        )
    except (SociaparisError, ValueError, ArithmeticError):
        caption += " — " + ctx.t("p_failed")
    label_of = {c.name: ctx.choice_label(c) for c in choices}
    return Table(
        caption=caption,
        columns=(by_label, *[label_of[a] for a in answers], ctx.t("n")),
        formats=("text", *["pct"] * len(answers), "int"),
        rows=tuple(rows),
        kind="crosstab",
    )


def _mark(result, row: str, col: str) -> Cell:
    if result.primary.loc[row, col]:
        return HIDDEN
    if result.secondary.loc[row, col]:
        return MASKED
    return None
