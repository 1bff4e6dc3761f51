"""One block per question: the right estimate and chart for its type, suppressed.

Every share, mean and interval comes from :mod:`sociaparis.analysis` on the
weighted design (Taylor linearisation, calibration accounted for). A bar, a
Likert item's distribution or a histogram bin counting between 1 and
``min_count - 1`` respondents is never shown.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sociaparis.analysis.disclosure import suppress
from sociaparis.analysis.estimators import mean, proportion
from sociaparis.analysis.levels import sort_levels
from sociaparis.analysis.likert import likert_distribution, likert_means, multiple_choice
from sociaparis.analysis.quantiles import quantile
from sociaparis.analysis.selections import choice_flags, split_answers
from sociaparis.reports.content import (
    HIDDEN,
    MASKED,
    Bar,
    BarChart,
    DivergingChart,
    DivergingRow,
    HistogramChart,
    QuestionBlock,
    Table,
)
from sociaparis.reports.context import ReportContext, clip01
from sociaparis.reports.i18n import fmt_number, text
from sociaparis.survey.instrument import Question

MAX_BINS = 12


def _hidden_block(ctx: ReportContext, question: Question, kind: str) -> QuestionBlock:
    return QuestionBlock(
        name=question.name,
        label=ctx.label(question),
        type=kind,
        n=None,
        notes=(ctx.t("n_hidden", min=ctx.min_count),),
    )


def _suppressed_rows(
    ctx: ReportContext, names: Sequence[str], counts: Sequence[int]
) -> dict[str, str | None]:
    """Per row of a one-column count table: None (shown), HIDDEN or MASKED."""
    table = pd.DataFrame({"n": list(counts)}, index=list(names))
    result = suppress(table, min_count=ctx.min_count)
    marks: dict[str, str | None] = {}
    for name in names:
        if result.primary.loc[name, "n"]:
            marks[name] = HIDDEN
        elif result.secondary.loc[name, "n"]:
            marks[name] = MASKED
        else:
            marks[name] = None
    return marks


def select_one_block(ctx: ReportContext, question: Question) -> QuestionBlock:
    """Weighted shares of each choice with CIs, as horizontal bars.

    Bars follow the choice list; answers outside it follow, in the design's
    ``level_order`` (R's collation by default).
    """
    column = ctx.columns[question.name]
    values = ctx.data[column]
    n = ctx.count(values.notna())
    if n < ctx.min_count:
        return _hidden_block(ctx, question, "select_one")
    choices = ctx.choices[question.name]
    names = [c.name for c in choices]
    seen = {str(value) for value in values.dropna().unique()}
    names += sort_levels(seen - set(names), ctx.design.level_order)
    labels = {c.name: ctx.choice_label(c) for c in choices}
    counts = ctx.counts(values, names)
    marks = _suppressed_rows(ctx, names, counts)
    coded = pd.Categorical(values.astype("string"), categories=names)
    design = ctx.design.with_columns(_report_q=coded)
    est = proportion(
        design, variable="_report_q", nan_policy="omit", ci_level=ctx.ci_level
    )
    bars = []
    for k, name in enumerate(names):
        hidden = marks[name] is not None
        bars.append(
            Bar(
                label=labels.get(name, name),
                estimate=None if hidden else float(est.estimate[k]),
                ci_low=None if hidden else clip01(est.ci_low[k]),
                ci_high=None if hidden else clip01(est.ci_high[k]),
                n=None if hidden else counts[k],
                suppressed=marks[name],
            )
        )
    notes = [ctx.base()]
    if any(bar.hidden for bar in bars):
        notes.append(ctx.t("suppressed_bars", min=ctx.min_count))
    return QuestionBlock(
        name=question.name,
        label=ctx.label(question),
        type="select_one",
        n=n,
        charts=(BarChart(ctx.label(question), tuple(bars)),),
        notes=tuple(notes),
    )


def select_multiple_block(ctx: ReportContext, question: Question) -> QuestionBlock:
    """Share of respondents selecting each choice, with CIs.

    A choice is hidden when the respondents who selected it, or those who did
    not, are between 1 and ``min_count - 1``.
    """
    column = ctx.columns[question.name]
    values = ctx.data[column]
    answered = values.notna()
    n = ctx.count(answered)
    if n < ctx.min_count:
        return _hidden_block(ctx, question, "select_multiple")
    choices = ctx.choices[question.name]
    names = [c.name for c in choices]
    codes, selected = split_answers(values)
    chosen = [choice_flags(codes, selected, name) for name in names]
    counts = [ctx.count(flags) for flags in chosen]
    others = [ctx.count(answered.to_numpy() & ~flags) for flags in chosen]
    table = multiple_choice(
        ctx.design, column=column, choices=names, ci_level=ctx.ci_level
    ).table
    bars = []
    for k, choice in enumerate(choices):
        hidden = ctx.is_small(counts[k]) or ctx.is_small(others[k])
        row = table.iloc[k]
        bars.append(
            Bar(
                label=ctx.choice_label(choice),
                estimate=None if hidden else float(row["share"]),
                ci_low=None if hidden else clip01(row["ci_low"]),
                ci_high=None if hidden else clip01(row["ci_high"]),
                n=None if hidden else counts[k],
                suppressed=HIDDEN if hidden else None,
            )
        )
    notes = [ctx.base(multiple=True), ctx.base()]
    if any(bar.hidden for bar in bars):
        notes.append(ctx.t("suppressed_bars", min=ctx.min_count))
    return QuestionBlock(
        name=question.name,
        label=ctx.label(question),
        type="select_multiple",
        n=n,
        charts=(BarChart(ctx.label(question), tuple(bars)),),
        notes=tuple(notes),
    )


def _numeric_codes(names: Sequence[str]) -> bool:
    try:
        [float(name) for name in names]
    except ValueError:
        return False
    return True


def likert_block(
    ctx: ReportContext, name: str, title: str, questions: Sequence[Question]
) -> QuestionBlock:
    """A battery of items sharing a scale: diverging bars and mean scores with CIs.

    An item's distribution is hidden when one of its answers counts between 1 and
    ``min_count - 1`` respondents; its mean score is shown when at least
    ``min_count`` respondents answered it.
    """
    choices = ctx.choices[questions[0].name]
    levels = [c.name for c in choices]
    columns = [ctx.columns[q.name] for q in questions]
    data = ctx.data
    answered = [ctx.count(data[c].notna()) for c in columns]
    shown = [q for q, k in zip(questions, answered, strict=True) if k >= ctx.min_count]
    n_any = ctx.count(data[columns].notna().any(axis=1))
    if not shown:
        return QuestionBlock(
            name=name,
            label=title,
            type="likert",
            n=None,
            notes=(ctx.t("n_hidden", min=ctx.min_count),),
        )
    dist = likert_distribution(
        ctx.design,
        items=[ctx.columns[q.name] for q in shown],
        levels=levels,
        ci_level=ctx.ci_level,
    ).table
    rows = []
    any_hidden = False
    for q in shown:
        part = dist[dist["item"] == ctx.columns[q.name]]
        values = data[ctx.columns[q.name]]
        counts = ctx.counts(values, levels)
        hidden = any(ctx.is_small(c) for c in counts)
        any_hidden |= hidden
        segments = () if hidden else _segments(part["share"].to_numpy(dtype=float))
        rows.append(DivergingRow(ctx.label(q), segments, hidden))
    chart = DivergingChart(
        title, tuple(ctx.choice_label(c) for c in choices), tuple(rows)
    )
    tables = []
    if _numeric_codes(levels):
        design = ctx.design.with_columns(
            **{
                f"_score_{k}": pd.to_numeric(data[ctx.columns[q.name]], errors="coerce")
                for k, q in enumerate(shown)
            }
        )
        means = likert_means(
            design,
            items=[f"_score_{k}" for k in range(len(shown))],
            ci_level=ctx.ci_level,
        ).table
        low, high = min(map(float, levels)), max(map(float, levels))
        tables.append(
            Table(
                caption=ctx.t("mean_scores", low=f"{low:g}", high=f"{high:g}"),
                columns=(
                    ctx.t("item"),
                    ctx.t("mean"),
                    ctx.t("ci", level=ctx.level()),
                    ctx.t("n"),
                ),
                formats=("text", "num", "text", "int"),
                rows=tuple(
                    (
                        ctx.label(q),
                        float(row["mean"]),
                        _interval(ctx, row["ci_low"], row["ci_high"]),
                        int(row["n"]),
                    )
                    for q, (_, row) in zip(shown, means.iterrows(), strict=True)
                ),
                kind="means",
            )
        )
    notes = [ctx.base()]
    if any_hidden:
        notes.append(ctx.t("likert_hidden", min=ctx.min_count))
    if len(shown) < len(questions):
        notes.append(ctx.t("n_hidden", min=ctx.min_count))
    return QuestionBlock(
        name=name,
        label=title,
        type="likert",
        n=n_any,
        charts=(chart,),
        tables=tuple(tables),
        notes=tuple(notes),
    )


def _segments(shares: np.ndarray) -> tuple[tuple[float, float], ...]:
    """Diverging segments of one item (the middle level of an odd scale straddles 0)."""
    k = len(shares)
    mid = k // 2
    half = shares[mid] / 2 if k % 2 else 0.0
    left = -half - shares[:mid].sum()
    out = []
    for share in shares:
        out.append((float(left), float(left + share)))
        left += share
    return tuple(out)


def _interval(ctx: ReportContext, low: float, high: float, decimals: int = 2) -> str:
    """A confidence interval as printed: ``[2,99 ; 3,32]`` or ``[2.99, 3.32]``."""
    sep = " ; " if ctx.lang == "fr" else ", "
    lo = fmt_number(low, ctx.lang, decimals)
    hi = fmt_number(high, ctx.lang, decimals)
    return f"[{lo}{sep}{hi}]"


def numeric_block(ctx: ReportContext, question: Question) -> QuestionBlock:
    """Mean and median with CIs, and a histogram whose small bins are hidden."""
    column = ctx.columns[question.name]
    values = pd.to_numeric(ctx.data[column], errors="coerce").astype(float)
    n = ctx.count(values.notna())
    if n < ctx.min_count:
        return _hidden_block(ctx, question, "numeric")
    design = ctx.design.with_columns(_report_x=values.to_numpy())
    m = mean(design, variables="_report_x", nan_policy="omit", ci_level=ctx.ci_level)
    med = quantile(
        design,
        variable="_report_x",
        quantiles=0.5,
        nan_policy="omit",
        ci_level=ctx.ci_level,
    )
    present = values.dropna().to_numpy()
    edges = np.histogram_bin_edges(present, bins="auto")
    if len(edges) - 1 > MAX_BINS:
        edges = np.histogram_bin_edges(present, bins=MAX_BINS)
    counts, _ = np.histogram(present, bins=edges)
    bins = np.digitize(values.to_numpy(), edges[1:-1])
    people = [
        ctx.count(values.notna().to_numpy() & (bins == k)) for k in range(len(counts))
    ]
    shown = tuple(
        None if ctx.is_small(p) else int(c) for c, p in zip(counts, people, strict=True)
    )
    table = Table(
        caption=ctx.label(question),
        columns=("", ctx.t("value"), ctx.t("ci", level=ctx.level()), ctx.t("n")),
        formats=("text", "num", "text", "int"),
        rows=(
            (
                ctx.t("mean"),
                float(m.estimate[0]),
                _interval(ctx, m.ci_low[0], m.ci_high[0]),
                int(m.n),
            ),
            (
                ctx.t("median"),
                float(med.estimate[0]),
                _interval(ctx, med.ci_low[0], med.ci_high[0]),
                int(m.n),
            ),
        ),
        kind="numeric",
    )
    chart = HistogramChart(
        ctx.t("histogram"),
        tuple(float(e) for e in edges),
        shown,
        ctx.label(question),
    )
    notes = [ctx.t("base_numeric", level=ctx.level())]
    if any(c is None for c in shown):
        notes.append(ctx.t("hist_hidden", min=ctx.min_count))
    return QuestionBlock(
        name=question.name,
        label=ctx.label(question),
        type="numeric",
        n=n,
        charts=(chart,),
        tables=(table,),
        notes=tuple(notes),
    )


def text_block(ctx: ReportContext, question: Question) -> QuestionBlock:
    """Only the number of answers: open answers are never published in the report."""
    values = ctx.data[ctx.columns[question.name]]
    n = ctx.count(
        (values.notna() & (values.astype("string").str.strip() != "")).fillna(False)
    )
    if n < ctx.min_count:
        note = ctx.t("text_hidden", min=ctx.min_count)
        return QuestionBlock(
            question.name, ctx.label(question), "text", None, notes=(note,)
        )
    return QuestionBlock(
        question.name,
        ctx.label(question),
        "text",
        n,
        notes=(text("text_answers", ctx.lang, n=n),),
    )


def block_for(ctx: ReportContext, block: tuple, dims: Sequence[str]) -> QuestionBlock:
    """The block of a planned ``("question", q)`` or ``("likert", name, title, qs)``."""
    if block[0] == "likert":
        _, name, title, questions = block
        return likert_block(ctx, name, title, questions)
    question: Question = block[1]
    if question.name in dims:
        return QuestionBlock(
            question.name,
            ctx.label(question),
            "weighting",
            None,
            notes=(ctx.t("weighting_question"),),
        )
    if question.type == "select_one":
        return select_one_block(ctx, question)
    if question.type == "select_multiple":
        return select_multiple_block(ctx, question)
    if question.type in {"integer", "decimal", "range"}:
        return numeric_block(ctx, question)
    return text_block(ctx, question)
