"""The survey explorer: weighted tables, Rao-Scott tests and logistic models of a form.

The web page (``/analysis/{form_id}``), the CLI (``sociaparis stats table`` and
``sociaparis stats model``) and Python call the same two service functions,
:func:`explore_form` and :func:`explore_model`; the role check and the
disclosure control are inside them, never in a route.

Every number comes from :mod:`sociaparis.analysis` on the design the reports use
(the completed responses, raked to the study's population margins when asked),
so a table here agrees with the report, the CLI and R's ``survey`` package.

Disclosure control
------------------
1. In every table the respondent counts go through
   :func:`~sociaparis.analysis.disclosure.suppress` (primary and complementary
   suppression, with its recoverability audit); an estimate is shown only
   where its count is.
2. A viewer's tables are also audited *together*: the published counts of the
   tables they looked at before (kept in the audit log, action
   ``explore.table``) and of the table they ask for are checked with
   :func:`~sociaparis.analysis.disclosure.recoverable_across`; a table whose
   counts, combined with the earlier ones, would reveal a group of 1 to
   ``min_count - 1`` respondents is refused (``EXPLORE_008``). Researchers and
   administrators may export the responses anyway: for them rule 1 applies and
   rule 2 does not.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from sociaparis.accounts.audit import recent_details, record_audit
from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import Account
from sociaparis.analysis.crosstab import ChisqResult, chisq_test
from sociaparis.analysis.design import SurveyDesign
from sociaparis.analysis.disclosure import (
    DEFAULT_MIN_COUNT,
    check_min_count,
    recoverable_across,
    suppress,
)
from sociaparis.analysis.domains import by_domain
from sociaparis.analysis.estimators import mean
from sociaparis.analysis.glm import GlmResult, glm
from sociaparis.analysis.levels import sort_levels
from sociaparis.analysis.selections import (
    choice_flags,
    choice_indicator,
    split_answers,
)
from sociaparis.analysis.weights import WeightReport, weight_report
from sociaparis.core.caches import BoundedCache
from sociaparis.core.errors import SociaparisError
from sociaparis.reports.build import _completed, _Steps, _weight
from sociaparis.reports.content import (
    HIDDEN,
    MASKED,
    Bar,
    BarChart,
    Chart,
    DivergingChart,
    DivergingRow,
)
from sociaparis.reports.context import clip01
from sociaparis.reports.explorer_errors import ExplorerError
from sociaparis.reports.questions import _segments
from sociaparis.survey.instrument import Instrument
from sociaparis.survey.io.tables import ATTRIBUTE_PREFIX, ExportTable, Variable
from sociaparis.survey.study.definition import PopulationMargins, Study

WEIGHTINGS = ("design", "raked")
MAX_QUESTIONS = 12
MAX_BREAKDOWNS = 2
NUMERIC_TYPES = frozenset({"integer", "decimal", "range"})
TABULATED_TYPES = frozenset({"select_one", "select_multiple"}) | NUMERIC_TYPES
AUDIT_ACTION = "explore.table"
#: how many of a viewer's earlier tables are audited with a new one
HISTORY_LIMIT = 200
_MEAN = "mean"
#: forms loaded for the pages, by (form_id, study, data version): a page that
#: changes a question or a breakdown does not read the responses again
_FORMS: BoundedCache[Hashable, FormData] = BoundedCache(maxsize=4)
#: designs (raking included) by (form key, weighting)
_DESIGNS: BoundedCache[Hashable, Design] = BoundedCache(maxsize=8)


@dataclass(frozen=True, slots=True)
class TableRequest:
    """What a person asks the explorer for.

    Attributes
    ----------
    questions
        Questions tabulated (names from the form), one block each.
    by
        Zero to two breakdowns: single-choice question names, or invitation
        attribute columns (``_attr_<name>``).
    weighting
        ``"design"`` (the design weights: every respondent counts the same) or
        ``"raked"`` (raked to the study's population margins).
    test
        Also run the Rao-Scott test of the question against the breakdown.
    ci_level
        Level of every confidence interval.
    """

    questions: tuple[str, ...]
    by: tuple[str, ...] = ()
    weighting: str = "design"
    test: bool = False
    ci_level: float = 0.95

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (kept in the audit log)."""
        return {
            "questions": list(self.questions),
            "by": list(self.by),
            "weighting": self.weighting,
            "test": self.test,
            "ci_level": self.ci_level,
        }

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> TableRequest:
        """The request of :meth:`to_dict`."""
        return cls(
            questions=tuple(values.get("questions", ())),
            by=tuple(values.get("by", ())),
            weighting=str(values.get("weighting", "design")),
            test=bool(values.get("test", False)),
            ci_level=float(values.get("ci_level", 0.95)),
        )


@dataclass(frozen=True, slots=True)
class Row:
    """One estimate of a table: a share of a level (or choice), or a mean, in a group.

    ``estimate``, ``se``, ``ci_low``, ``ci_high`` and ``n`` are None where the
    cell is suppressed (``suppressed`` is then ``"hidden"`` for a small count,
    ``"masked"`` for a complementary suppression).
    """

    question: str
    question_label: str
    level: str
    level_label: str
    group: tuple[str, ...]
    group_label: str
    estimate: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    n: int | None
    suppressed: str | None = None


@dataclass(frozen=True)
class ExplorerTable:
    """The answer to a :class:`TableRequest`: estimates, weights, test, charts.

    Attributes
    ----------
    form_id, request, lang
        What was asked.
    question_types
        Question name to its XLSForm type.
    rows
        Every estimate, in the order of the questions, groups and levels.
    by_labels
        The breakdowns' labels.
    weights
        The weight report of the design (Kish design effect, effective n,
        range, steps).
    n
        Respondents analysed.
    min_count
        The disclosure threshold.
    test
        The Rao-Scott test, when asked and allowed.
    test_withheld
        The test was asked but not shown (a viewer's table with a suppressed cell).
    charts
        Charts of the report model (drawn by :mod:`sociaparis.reports.charts`).
    margins
        The margins raked to (column to level to count); empty for design weights.
    columns
        Question (or breakdown) name to its column in the export.
    """

    form_id: str
    request: TableRequest
    lang: str
    question_types: Mapping[str, str]
    rows: tuple[Row, ...]
    by_labels: tuple[str, ...]
    weights: WeightReport
    n: int
    min_count: int
    test: ChisqResult | None = None
    test_withheld: bool = False
    charts: tuple[Chart, ...] = ()
    margins: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    columns: Mapping[str, str] = field(default_factory=dict)
    dimension_sources: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def any_suppressed(self) -> bool:
        """Whether some cell is hidden."""
        return any(row.suppressed for row in self.rows)

    def to_frame(self) -> pd.DataFrame:
        """One row per estimate (suppressed cells missing), for CSV and XLSX."""
        records = []
        for row in self.rows:
            record = {
                "question": row.question,
                "question_label": row.question_label,
                "level": row.level,
                "level_label": row.level_label,
            }
            for k, label in enumerate(self.by_labels):
                record[label] = row.group[k] if k < len(row.group) else ""
            record.update(
                estimate=row.estimate,
                se=row.se,
                ci_low=row.ci_low,
                ci_high=row.ci_high,
                n=row.n,
                suppressed=row.suppressed or "",
            )
            records.append(record)
        return pd.DataFrame.from_records(records)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (the CLI's ``--json``)."""
        return {
            "form_id": self.form_id,
            "request": self.request.to_dict(),
            "n": self.n,
            "min_count": self.min_count,
            "weights": self.weights.to_dict(),
            "by": list(self.by_labels),
            "rows": [asdict(row) | {"group": list(row.group)} for row in self.rows],
            "test": None if self.test is None else self.test.to_dict(),
            "test_withheld": self.test_withheld,
        }

    def r_code(self) -> str:
        """The same table with R's ``survey`` package."""
        return r_table_code(self)

    def python_code(self, study_dir: str | None = None) -> str:
        """The same table from Python with ``sociaparis``."""
        return python_table_code(self, study_dir)


@dataclass(frozen=True)
class ExplorerModel:
    """A logistic model fitted by :func:`explore_model`, with its code twins."""

    form_id: str
    response: str
    event: str
    predictors: tuple[str, ...]
    weighting: str
    result: GlmResult
    weights: WeightReport
    margins: Mapping[str, Mapping[str, float]]
    columns: Mapping[str, str]
    dimension_sources: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "form_id": self.form_id,
            "response": self.response,
            "event": self.event,
            "predictors": list(self.predictors),
            "weighting": self.weighting,
            "weights": self.weights.to_dict(),
            "model": self.result.to_dict(),
        }

    def r_code(self) -> str:
        """The same model with R's ``svyglm``."""
        return r_model_code(self)

    def python_code(self, study_dir: str | None = None) -> str:
        """The same model from Python with ``sociaparis``."""
        return python_model_code(self, study_dir)


# -- what a form offers ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Variables:
    """What can be tabulated and what can break a table down, with labels."""

    questions: Mapping[str, Variable]
    breakdowns: Mapping[str, Variable]
    lang: str
    default_language: str

    def label(self, name: str) -> str:
        """A question's or breakdown's label (its name if it has none)."""
        variable = self.questions.get(name) or self.breakdowns.get(name)
        if variable is None:
            return name
        text = variable.label(self.lang, self.default_language) or variable.source
        if variable.kind == "attribute":
            return f"{text} (invitation)" if self.lang == "en" else f"{text} (invitation)"
        return text

    def choice_labels(self, name: str) -> dict[str, str]:
        """Choice code to label of a select question or breakdown."""
        variable = self.questions.get(name) or self.breakdowns.get(name)
        if variable is None:
            return {}
        return {
            c.name: (
                c.labels.get(self.lang) or c.labels.get(self.default_language) or c.name
            )
            for c in variable.choices
        }


def form_variables(table: ExportTable, instrument: Instrument, lang: str) -> Variables:
    """The tabulable questions and the breakdowns of a form's main export table."""
    questions: dict[str, Variable] = {}
    breakdowns: dict[str, Variable] = {}
    for variable in table.variables:
        if variable.kind == "question" and variable.question_type in TABULATED_TYPES:
            questions[variable.source] = variable
            if variable.question_type == "select_one":
                breakdowns[variable.source] = variable
        elif variable.kind == "attribute":
            breakdowns[variable.name] = variable
    return Variables(questions, breakdowns, lang, instrument.default_language)


# -- the request checked ---------------------------------------------------------


def _check_request(request: TableRequest, variables: Variables, form_id: str) -> None:
    if not request.questions:
        raise SociaparisError(ExplorerError.NO_QUESTION)
    if len(request.questions) > MAX_QUESTIONS:
        raise SociaparisError(
            ExplorerError.TOO_MANY_QUESTIONS,
            max=MAX_QUESTIONS,
            count=len(request.questions),
        )
    if len(request.by) > MAX_BREAKDOWNS:
        raise SociaparisError(
            ExplorerError.TOO_MANY_BREAKDOWNS, max=MAX_BREAKDOWNS, count=len(request.by)
        )
    if request.weighting not in WEIGHTINGS:
        raise SociaparisError(
            ExplorerError.BAD_WEIGHTING,
            value=request.weighting,
            allowed=", ".join(WEIGHTINGS),
        )
    for name in request.questions:
        if name not in variables.questions:
            raise SociaparisError(
                ExplorerError.UNKNOWN_QUESTION,
                name=name,
                form_id=form_id,
                available=", ".join(variables.questions),
            )
        if name in request.by:
            raise SociaparisError(ExplorerError.QUESTION_IS_BREAKDOWN, name=name)
    for name in request.by:
        if name not in variables.breakdowns:
            raise SociaparisError(
                ExplorerError.UNKNOWN_BREAKDOWN,
                name=name,
                form_id=form_id,
                available=", ".join(variables.breakdowns),
            )
    if request.test and not (
        len(request.questions) == 1
        and variables.questions[request.questions[0]].question_type == "select_one"
        and request.by
    ):
        raise SociaparisError(ExplorerError.TEST_NEEDS_TWO)


# -- the design ------------------------------------------------------------------


@dataclass(frozen=True)
class Design:
    """The analysed responses, their design, and where each sits among the completed."""

    design: SurveyDesign
    #: position of each analysed response among the completed responses
    positions: np.ndarray
    n_completed: int
    margins: Mapping[str, Mapping[str, float]]
    #: raked column to the export columns it is read from (attribute first)
    dimension_sources: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def weighted_design(
    table: ExportTable,
    *,
    instrument: Instrument,
    margins: PopulationMargins | None,
    weighting: str,
    lang: str = "fr",
) -> Design:
    """The design of the completed responses: design weights, or raked to ``margins``.

    The same responses and raking as the report's
    (:func:`sociaparis.reports.build.build_report`): with margins, responses
    outside them are left out and the design is raked to convergence.
    """
    if weighting == "raked" and margins is None:
        raise SociaparisError(ExplorerError.NO_MARGINS, form_id=instrument.form_id)
    frame = _completed(table.frame, instrument)
    columns = {v.source: v.name for v in table.variables if v.kind == "question"}
    frame = frame.assign(_explore_row=np.arange(len(frame)))
    weighted = _weight(
        frame,
        margins if weighting == "raked" else None,
        columns,
        instrument,
        lang,
        _Steps(0, None),
    )
    if weighting == "raked" and weighted.margins is None:
        raise SociaparisError(ExplorerError.NO_MARGINS, form_id=instrument.form_id)
    positions = weighted.design.data["_explore_row"].to_numpy(dtype=np.int64)
    sources = {
        column: tuple(
            name
            for name in (ATTRIBUTE_PREFIX + dim, columns.get(dim, ""))
            if name in frame.columns
        )
        for dim, column in weighted.dim_columns.items()
    }
    return Design(weighted.design, positions, len(frame), weighted.raked_margins, sources)


def _design(
    table: ExportTable,
    instrument: Instrument,
    margins: PopulationMargins | None,
    weighting: str,
    lang: str,
    cache_key: Hashable | None,
) -> Design:
    def make(_: Hashable) -> Design:
        return weighted_design(
            table, instrument=instrument, margins=margins, weighting=weighting, lang=lang
        )

    if cache_key is None:
        return make(None)
    return _DESIGNS.get((cache_key, weighting), make)


# -- counts, suppression, published cells ----------------------------------------


@dataclass(frozen=True)
class _Block:
    """One question's cells: masks and counts, which are shown, and how."""

    question: str
    kind: str
    levels: list[str]
    groups: list[tuple[str, ...]]
    #: (level, group) -> None (shown), HIDDEN or MASKED
    marks: dict[tuple[str, tuple[str, ...]], str | None]
    counts: dict[tuple[str, tuple[str, ...]], int]
    published: list[np.ndarray]


def _as_text(series: pd.Series) -> pd.Series:
    values = series.astype("string")
    return values.where(values.str.strip() != "", pd.NA)


def _groups(
    design: SurveyDesign, by: Sequence[str], variables: Variables
) -> tuple[np.ndarray, list[tuple[str, ...]], list[pd.Series]]:
    """Each analysed response's group (its index in the groups, -1 when a breakdown
    is missing) and the groups present, in order (choice order, then R's order)."""
    data = design.data
    if not by:
        return np.zeros(len(data), dtype=np.int64), [()], []
    values = []
    orders = []
    codes = np.zeros(len(data), dtype=np.int64)
    missing = np.zeros(len(data), dtype=bool)
    for name in by:
        variable = variables.breakdowns[name]
        column = _as_text(data[variable.name])
        values.append(column)
        names = [c.name for c in variable.choices]
        seen = set(column.dropna().unique())
        order = [n for n in names if n in seen] + sort_levels(
            seen - set(names), design.level_order
        )
        orders.append(order)
        position = pd.Categorical(column, categories=order).codes.astype(np.int64)
        missing |= position < 0
        codes = codes * len(order) + np.maximum(position, 0)
    every = _product(orders)
    present = np.unique(codes[~missing])
    index = np.full(len(every), -1, dtype=np.int64)
    index[present] = np.arange(len(present))
    key = np.where(missing, -1, index[codes])
    return key, [every[k] for k in present], values


def _product(orders: list[list[str]]) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = [()]
    for levels in orders:
        out = [(*g, level) for g in out for level in levels]
    return out


def _marks(result: Any, rows: list, cols: list) -> dict:
    marks = {}
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            if result.primary.iat[i, j]:
                marks[(r, c)] = HIDDEN
            elif result.secondary.iat[i, j]:
                marks[(r, c)] = MASKED
            else:
                marks[(r, c)] = None
    return marks


def _suppressed_cells(
    masks: dict[tuple[Any, Any], np.ndarray],
    rows: list,
    cols: list,
    min_count: int,
) -> tuple[dict, dict, list[np.ndarray]]:
    """Suppress a rows x cols table of respondent masks; its marks, counts and the
    masks of every published cell (margins included)."""
    counts = {k: int(m.sum()) for k, m in masks.items()}
    table = pd.DataFrame(
        [[counts[(r, c)] for c in cols] for r in rows],
        index=range(len(rows)),
        columns=range(len(cols)),
    )
    result = suppress(table, min_count=min_count)
    marks = _marks(result, rows, cols)
    # a line whose total is small is hidden whole, zeros included: an empty cell
    # of a group of three says what the three answered
    primary = result.primary.to_numpy()
    nr, nc = len(rows), len(cols)
    for i, r in enumerate(rows):
        if primary[i, nc]:
            marks.update({(r, c): marks[(r, c)] or HIDDEN for c in cols})
    for j, c in enumerate(cols):
        if primary[nr, j]:
            marks.update({(r, c): marks[(r, c)] or HIDDEN for r in rows})
    published = [masks[(r, c)] for r in rows for c in cols if marks[(r, c)] is None]
    hidden = result.suppressed.to_numpy()
    for i, r in enumerate(rows):
        if not hidden[i, nc]:
            published.append(np.logical_or.reduce([masks[(r, c)] for c in cols]))
    for j, c in enumerate(cols):
        if not hidden[nr, j]:
            published.append(np.logical_or.reduce([masks[(r, c)] for r in rows]))
    if not hidden[nr, nc]:
        published.append(np.logical_or.reduce(list(masks.values())))
    return marks, counts, published


def _block(
    design: SurveyDesign,
    question: str,
    variables: Variables,
    key: np.ndarray,
    groups: list[tuple[str, ...]],
    min_count: int,
) -> _Block:
    variable = variables.questions[question]
    data = design.data
    kind = variable.question_type
    in_group = {g: key == k for k, g in enumerate(groups)}
    if kind == "select_one":
        values = _as_text(data[variable.name])
        names = [c.name for c in variable.choices]
        seen = set(values.dropna().unique())
        levels = names + sort_levels(seen - set(names), design.level_order)
        answer = {level: (values == level).fillna(False).to_numpy() for level in levels}
        masks = {
            (level, g): answer[level] & in_group[g] for level in levels for g in groups
        }
        marks, counts, published = _suppressed_cells(masks, levels, groups, min_count)
        return _Block(question, kind, levels, groups, marks, counts, published)
    answered = data[variable.name].notna().to_numpy()
    if kind == "select_multiple":
        codes, selected = split_answers(data[variable.name])
        levels = [c.name for c in variable.choices]
        marks: dict = {}
        counts: dict = {}
        published: list[np.ndarray] = []
        for level in levels:
            chosen = choice_flags(codes, selected, level)
            masks = {}
            for g in groups:
                masks[(g, "yes")] = answered & chosen & in_group[g]
                masks[(g, "no")] = answered & ~chosen & in_group[g]
            m, c, p = _suppressed_cells(masks, groups, ["yes", "no"], min_count)
            for g in groups:
                hidden = m[(g, "yes")] or m[(g, "no")]
                marks[(level, g)] = hidden
                counts[(level, g)] = c[(g, "yes")] + c[(g, "no")]
            published += p
        return _Block(question, kind, levels, groups, marks, counts, published)
    masks = {(g, _MEAN): answered & in_group[g] for g in groups}
    m, c, published = _suppressed_cells(masks, groups, [_MEAN], min_count)
    marks = {(_MEAN, g): m[(g, _MEAN)] for g in groups}
    counts = {(_MEAN, g): c[(g, _MEAN)] for g in groups}
    return _Block(question, kind, [_MEAN], groups, marks, counts, published)


def published_cells(design: Design, blocks: Sequence[_Block]) -> np.ndarray:
    """Cell-by-completed-response membership of every count a table publishes."""
    cells = np.zeros(
        (sum(len(b.published) for b in blocks), design.n_completed), dtype=bool
    )
    k = 0
    for block in blocks:
        for mask in block.published:
            cells[k, design.positions[mask]] = True
            k += 1
    return cells


# -- estimates -------------------------------------------------------------------


def _indicators(
    design: SurveyDesign, block: _Block, variable: Variable
) -> tuple[SurveyDesign, list[str]]:
    """0/1 columns (NaN where unanswered) of each level or choice; the mean's column."""
    data = design.data
    if block.kind == "select_one":
        values = _as_text(data[variable.name])
        cols = {
            f"_x{k}": np.where(values.isna(), np.nan, (values == level).fillna(False))
            for k, level in enumerate(block.levels)
        }
    elif block.kind == "select_multiple":
        codes, selected = split_answers(data[variable.name])
        cols = {
            f"_x{k}": choice_indicator(codes, selected, level)
            for k, level in enumerate(block.levels)
        }
    else:
        cols = {"_x0": pd.to_numeric(data[variable.name], errors="coerce").to_numpy()}
    cols = {k: np.asarray(v, dtype=float) for k, v in cols.items()}
    return design.with_columns(**cols), list(cols)


def _estimates(
    design: SurveyDesign,
    block: _Block,
    variable: Variable,
    by: Sequence[str],
    group_values: list[pd.Series],
    ci_level: float,
) -> dict[tuple[str, tuple[str, ...]], tuple[float, float, float, float]]:
    """(level, group) -> estimate, se, ci_low, ci_high for the shown cells."""
    shown = [k for k, mark in block.marks.items() if mark is None]
    if not shown:
        return {}
    des, names = _indicators(design, block, variable)
    out = {}
    if not by:
        est = mean(des, variables=names, nan_policy="omit", ci_level=ci_level)
        for k, level in enumerate(block.levels):
            out[(level, ())] = (
                float(est.estimate[k]),
                float(est.se[k]),
                float(est.ci_low[k]),
                float(est.ci_high[k]),
            )
        return out
    by_columns = {f"_by{j}": values for j, values in enumerate(group_values)}
    des = des.with_columns(
        **{k: v.astype(object).where(v.notna(), None) for k, v in by_columns.items()}
    )
    result = by_domain(
        des,
        variables=names,
        by=list(by_columns),
        statistic="mean",
        nan_policy="omit",
        ci_level=ci_level,
    )
    for record in result.table.to_dict(orient="records"):
        group = tuple(str(record[b]) for b in by_columns)
        for k, level in enumerate(block.levels):
            name = result.names[k]
            out[(level, group)] = (
                float(record[name]),
                float(record[f"se.{name}"]),
                float(record[f"ci_low.{name}"]),
                float(record[f"ci_high.{name}"]),
            )
    return out


def _group_label(group: tuple[str, ...], by: Sequence[str], variables: Variables) -> str:
    parts = []
    for name, value in zip(by, group, strict=True):
        parts.append(variables.choice_labels(name).get(value, value))
    return " × ".join(parts)


def _rows(
    block: _Block,
    estimates: Mapping,
    by: Sequence[str],
    variables: Variables,
) -> list[Row]:
    labels = variables.choice_labels(block.question)
    rows = []
    for g in block.groups:
        for level in block.levels:
            mark = block.marks[(level, g)]
            value = estimates.get((level, g)) if mark is None else None
            if mark is None and value is None:
                mark = HIDDEN
            rows.append(
                Row(
                    question=block.question,
                    question_label=variables.label(block.question),
                    level=level,
                    level_label=labels.get(level, level) if level != _MEAN else _MEAN,
                    group=g,
                    group_label=_group_label(g, by, variables),
                    estimate=None if value is None else value[0],
                    se=None if value is None else value[1],
                    ci_low=None if value is None else value[2],
                    ci_high=None if value is None else value[3],
                    n=None if mark is not None else block.counts[(level, g)],
                    suppressed=mark,
                )
            )
    return rows


# -- charts ----------------------------------------------------------------------


def _bar_label(row: Row, grouped: bool) -> str:
    return f"{row.group_label} — {row.level_label}" if grouped else row.level_label


def _charts(
    rows: Sequence[Row], request: TableRequest, variables: Variables
) -> tuple[Chart, ...]:
    """Bars with intervals per question; a battery of single-choice questions on one
    scale without breakdown is one diverging chart (Likert)."""
    types = {q: variables.questions[q].question_type for q in request.questions}
    lists = {variables.questions[q].list_name for q in request.questions}
    if (
        not request.by
        and len(request.questions) > 1
        and all(t == "select_one" for t in types.values())
        and len(lists) == 1
    ):
        first = variables.questions[request.questions[0]]
        scale = [c.name for c in first.choices]
        labels = variables.choice_labels(request.questions[0])
        out = []
        for question in request.questions:
            mine = [r for r in rows if r.question == question and r.level in scale]
            hidden = any(r.estimate is None for r in mine)
            shares = np.array([r.estimate or 0.0 for r in mine])
            out.append(
                DivergingRow(
                    variables.label(question),
                    () if hidden else _segments(shares / max(shares.sum(), 1e-12)),
                    hidden,
                )
            )
        return (
            DivergingChart(
                variables.label(request.questions[0]) if len(out) == 1 else "",
                tuple(labels.get(s, s) for s in scale),
                tuple(out),
            ),
        )
    charts: list[Chart] = []
    for question in request.questions:
        if types[question] in NUMERIC_TYPES:
            continue
        mine = [r for r in rows if r.question == question]
        bars = tuple(
            Bar(
                label=_bar_label(r, bool(request.by)),
                estimate=r.estimate,
                ci_low=None if r.ci_low is None else clip01(r.ci_low),
                ci_high=None if r.ci_high is None else clip01(r.ci_high),
                n=r.n,
                suppressed=r.suppressed,
            )
            for r in mine
        )
        charts.append(BarChart(variables.label(question), bars))
    return tuple(charts)


# -- the pure table --------------------------------------------------------------


def explore_table(
    table: ExportTable,
    *,
    instrument: Instrument,
    request: TableRequest,
    margins: PopulationMargins | None = None,
    min_count: int = DEFAULT_MIN_COUNT,
    lang: str = "fr",
    earlier: Sequence[TableRequest] = (),
    audit_across: bool = False,
    cache_key: Hashable | None = None,
) -> ExplorerTable:
    """Estimates, standard errors, intervals and counts of a request, suppressed.

    Parameters
    ----------
    table
        The form's main export table (``ExportData.main``).
    instrument
        The form's newest version.
    request
        Questions, breakdowns, weighting, test.
    margins
        The study's population margins (needed for ``weighting="raked"``).
    min_count
        Smallest respondent count shown (at least 5).
    lang
        Language of the labels.
    earlier
        Tables already shown to the person (audited with this one when
        ``audit_across``).
    audit_across
        Refuse a table whose counts, with those of ``earlier``, reveal a small
        group (``EXPLORE_008``); the viewer's rule.
    cache_key
        Identifies ``table`` and ``margins`` (e.g. the form and its data
        version): the weighted designs are then kept between calls.

    Returns
    -------
    ExplorerTable

    Raises
    ------
    SociaparisError
        ``EXPLORE_002`` to ``EXPLORE_009`` and ``EXPLORE_015``/``016`` for a
        request the form cannot answer; ``EXPLORE_008`` for a recoverable table.
    """
    check_min_count(min_count)
    variables = form_variables(table, instrument, lang)
    _check_request(request, variables, instrument.form_id)
    design = _design(table, instrument, margins, request.weighting, lang, cache_key)
    des = design.design
    key, groups, group_values = _groups(des, request.by, variables)
    blocks = [
        _block(des, q, variables, key, groups, min_count) for q in request.questions
    ]
    if audit_across and earlier:
        _audit_across(
            table,
            instrument,
            margins,
            min_count,
            lang,
            design,
            blocks,
            earlier,
            variables,
            request.weighting,
            cache_key,
        )
    rows: list[Row] = []
    for block in blocks:
        variable = variables.questions[block.question]
        estimates = _estimates(
            des, block, variable, request.by, group_values, request.ci_level
        )
        rows += _rows(block, estimates, request.by, variables)
    test, withheld = None, False
    if request.test:
        if audit_across and any(r.suppressed for r in rows):
            withheld = True
        else:
            test = _rao_scott(des, variables, request, key)
    return ExplorerTable(
        form_id=instrument.form_id,
        request=request,
        lang=lang,
        question_types={
            q: variables.questions[q].question_type for q in request.questions
        },
        rows=tuple(rows),
        by_labels=tuple(variables.label(b) for b in request.by),
        weights=weight_report(des),
        n=des.n,
        min_count=min_count,
        test=test,
        test_withheld=withheld,
        charts=_charts(rows, request, variables),
        margins=design.margins,
        columns=_columns(table, variables, [*request.questions, *request.by]),
        dimension_sources=design.dimension_sources,
    )


def _columns(
    table: ExportTable, variables: Variables, names: Sequence[str]
) -> dict[str, str]:
    """Export column of each name, and of each choice's 0/1 column (``q:choice``)."""
    out = {}
    for name in names:
        variable = variables.questions.get(name) or variables.breakdowns[name]
        out[name] = variable.name
    for variable in table.variables:
        if variable.kind == "choice" and variable.source in names:
            out[f"{variable.source}:{variable.choice}"] = variable.name
    return out


def _rao_scott(
    design: SurveyDesign,
    variables: Variables,
    request: TableRequest,
    key: np.ndarray,
) -> ChisqResult:
    """The Rao-Scott F test of the question against the (crossed) breakdown."""
    question = _as_text(design.data[variables.questions[request.questions[0]].name])
    crossed = pd.Series(
        np.where(key >= 0, key, -1), index=design.data.index, dtype=np.int64
    )
    des = design.with_columns(
        _test_row=question.astype(object).where(question.notna(), None),
        _test_col=crossed.astype(str).where(crossed >= 0, None),
    )
    return chisq_test(
        des, row="_test_row", col="_test_col", statistic="F", nan_policy="omit"
    )


def _audit_across(
    table: ExportTable,
    instrument: Instrument,
    margins: PopulationMargins | None,
    min_count: int,
    lang: str,
    design: Design,
    blocks: Sequence[_Block],
    earlier: Sequence[TableRequest],
    variables: Variables,
    weighting: str,
    cache_key: Hashable | None,
) -> None:
    """``EXPLORE_008`` when this table's counts and the earlier ones reveal a group."""
    new = published_cells(design, blocks)
    before = []
    designs = {weighting: design}
    for request in earlier:
        try:
            _check_request(request, variables, instrument.form_id)
            if request.weighting not in designs:
                designs[request.weighting] = _design(
                    table, instrument, margins, request.weighting, lang, cache_key
                )
        except SociaparisError:
            continue
        past = designs[request.weighting]
        key, groups, _ = _groups(past.design, request.by, variables)
        past_blocks = [
            _block(past.design, q, variables, key, groups, min_count)
            for q in request.questions
        ]
        before.append(published_cells(past, past_blocks))
    if not before:
        return
    revealed = recoverable_across(np.vstack(before), new, min_count=min_count)
    if revealed:
        raise SociaparisError(
            ExplorerError.RECOVERABLE,
            earlier=", ".join(" × ".join([*r.questions, *r.by]) for r in earlier[-3:]),
            min=min_count,
        )


# -- the service (web, CLI and Python) ---------------------------------------------


def require_explore(actor: Account) -> None:
    """``EXPLORE_001`` unless the account may read results (not a coder)."""
    if Role(actor.role) not in {Role.ADMIN, Role.RESEARCHER, Role.VIEWER}:
        raise SociaparisError(
            ExplorerError.NOT_ALLOWED, user=actor.username, role=Role(actor.role).value
        )


def audits_across(actor: Account) -> bool:
    """Whether the account's tables are audited together (viewers: they cannot
    export the responses, so the tables are all they may see)."""
    return not Role(actor.role).can_export()


def earlier_requests(
    session: Session, *, actor: Account, form_id: str, limit: int = HISTORY_LIMIT
) -> list[TableRequest]:
    """The tables of ``form_id`` already shown to ``actor`` (newest last)."""
    entries = recent_details(
        session=session, actor=actor, action=AUDIT_ACTION, target=form_id, limit=limit
    )
    requests = []
    for details in entries:
        try:
            requests.append(TableRequest.from_dict(details.get("request", {})))
        except (TypeError, ValueError, AttributeError):
            continue
    return requests


@dataclass(frozen=True)
class FormData:
    """What the explorer reads of a stored form."""

    table: ExportTable
    instrument: Instrument
    margins: PopulationMargins | None
    min_count: int
    #: identifies the data (form, study margins, responses): the designs' cache key
    key: Hashable = None


def load_form(
    session: Session, *, actor: Account, form_id: str, study: Study | None = None
) -> FormData:
    """The completed responses of ``form_id``, its newest version, the study's
    margins for it and the disclosure threshold (the study's, else the fielding's).

    Raises
    ------
    SociaparisError
        ``EXPLORE_001`` for a coder; ``SURVEY_030`` for an unknown form.
    """
    from sociaparis.reports.service import margins_for
    from sociaparis.survey.exports import load_export, responses_version
    from sociaparis.survey.fielding.service import get_fielding
    from sociaparis.survey.service import latest_instrument

    require_explore(actor)
    stored = latest_instrument(session=session, form_id=form_id)
    margins = margins_for(study, stored) if study is not None else None
    if study is not None:
        min_count = study.min_cell_count
    else:
        try:
            min_count = get_fielding(session=session, form_id=form_id).min_cell_count
        except SociaparisError:
            min_count = DEFAULT_MIN_COUNT
    version = responses_version(session=session, form_id=form_id)
    key = (form_id, repr(margins), min_count, version)

    def read(_: Hashable) -> FormData:
        data = load_export(session=session, form_id=form_id)
        return FormData(data.main, stored.instrument, margins, min_count, key)

    return _FORMS.get(key, read)


def explore_form(
    *,
    session: Session,
    actor: Account,
    form_id: str,
    request: TableRequest,
    study: Study | None = None,
    lang: str = "fr",
    data: FormData | None = None,
) -> ExplorerTable:
    """A weighted, suppressed table of a stored form, for ``actor``.

    Parameters
    ----------
    session
        Open session; the table is written to the audit log (``explore.table``),
        which is also the history a viewer's next tables are audited with.
    actor
        Who asks: viewers, researchers and administrators may
        (``EXPLORE_001``); a viewer's table is refused when, with their earlier
        tables of the form, it would reveal a small group (``EXPLORE_008``).
    form_id
        The form.
    request
        Questions, breakdowns, weighting, test.
    study
        The study: its population margins (for ``weighting="raked"``) and its
        threshold. Without it the fielding's threshold is used.
    lang
        Language of the labels.
    data
        The form already loaded by :func:`load_form` (the page reuses it).

    Returns
    -------
    ExplorerTable
    """
    require_explore(actor)
    if data is None:
        data = load_form(session, actor=actor, form_id=form_id, study=study)
    across = audits_across(actor)
    result = explore_table(
        data.table,
        instrument=data.instrument,
        request=request,
        margins=data.margins,
        min_count=data.min_count,
        lang=lang,
        earlier=earlier_requests(session, actor=actor, form_id=form_id) if across else (),
        audit_across=across,
    )
    record_audit(
        session=session,
        actor=actor,
        action=AUDIT_ACTION,
        target=form_id,
        details={"request": request.to_dict()},
    )
    return result


def explore_model(
    *,
    session: Session,
    actor: Account,
    form_id: str,
    response: str,
    predictors: Sequence[str],
    event: str | None = None,
    weighting: str = "design",
    study: Study | None = None,
    lang: str = "fr",
    ci_level: float = 0.95,
    data: FormData | None = None,
) -> ExplorerModel:
    """A logistic model (R ``svyglm(family = quasibinomial())``) of a stored form.

    Parameters
    ----------
    session, actor, form_id, study, lang, data
        As :func:`explore_form`; only researchers and administrators may fit
        models (``EXPLORE_010``).
    response
        A single-choice question; ``event`` (default: its first choice) is 1.
    predictors
        Questions (numeric ones enter as numbers, others as factors) or
        invitation attributes (``_attr_<name>``).
    weighting
        ``"design"`` or ``"raked"``.
    ci_level
        Level of the intervals of the coefficients.

    Returns
    -------
    ExplorerModel
    """
    require_explore(actor)
    if not Role(actor.role).can_export():
        raise SociaparisError(
            ExplorerError.MODEL_NOT_ALLOWED,
            user=actor.username,
            role=Role(actor.role).value,
        )
    if data is None:
        data = load_form(session, actor=actor, form_id=form_id, study=study)
    model = fit_model(
        data.table,
        instrument=data.instrument,
        response=response,
        predictors=predictors,
        event=event,
        weighting=weighting,
        margins=data.margins,
        min_count=data.min_count,
        lang=lang,
        ci_level=ci_level,
        cache_key=data.key,
    )
    record_audit(
        session=session,
        actor=actor,
        action="explore.model",
        target=form_id,
        details={
            "response": response,
            "event": model.event,
            "predictors": list(predictors),
            "weighting": weighting,
        },
    )
    return model


def fit_model(
    table: ExportTable,
    *,
    instrument: Instrument,
    response: str,
    predictors: Sequence[str],
    event: str | None = None,
    weighting: str = "design",
    margins: PopulationMargins | None = None,
    min_count: int = DEFAULT_MIN_COUNT,
    lang: str = "fr",
    ci_level: float = 0.95,
    cache_key: Hashable | None = None,
) -> ExplorerModel:
    """The pure part of :func:`explore_model` (the same design as the tables;
    ``cache_key`` as :func:`explore_table`'s)."""
    variables = form_variables(table, instrument, lang)
    form_id = instrument.form_id
    if weighting not in WEIGHTINGS:
        raise SociaparisError(
            ExplorerError.BAD_WEIGHTING, value=weighting, allowed=", ".join(WEIGHTINGS)
        )
    target = variables.questions.get(response)
    if target is None or target.question_type != "select_one":
        raise SociaparisError(ExplorerError.BAD_RESPONSE, name=response, form_id=form_id)
    if not predictors:
        raise SociaparisError(ExplorerError.NO_PREDICTOR)
    known = {**variables.questions, **variables.breakdowns}
    for name in predictors:
        if name not in known or name == response:
            raise SociaparisError(
                ExplorerError.UNKNOWN_BREAKDOWN,
                name=name,
                form_id=form_id,
                available=", ".join(known),
            )
    levels = [c.name for c in target.choices]
    event = levels[0] if event is None and levels else event
    if event not in levels:
        raise SociaparisError(
            ExplorerError.BAD_EVENT, event=event, name=response, levels=", ".join(levels)
        )
    design = _design(table, instrument, margins, weighting, lang, cache_key)
    des = design.design
    data = des.data
    answer = _as_text(data[target.name])
    columns: dict[str, Any] = {
        "_y": np.where(answer.isna(), np.nan, (answer == event).fillna(False))
    }
    names = []
    for k, name in enumerate(predictors):
        variable = known[name]
        if variable.question_type in NUMERIC_TYPES:
            columns[f"_p{k}"] = pd.to_numeric(data[variable.name], errors="coerce")
        elif variable.question_type == "select_multiple":
            columns[f"_p{k}"] = np.where(data[variable.name].isna(), np.nan, 1.0)
        else:
            values = _as_text(data[variable.name])
            columns[f"_p{k}"] = values.astype(object).where(values.notna(), None)
        names.append(f"_p{k}")
    columns["_y"] = np.asarray(columns["_y"], dtype=float)
    des = des.with_columns(**columns)
    used = pd.DataFrame({c: des.data[c] for c in ["_y", *names]}).notna().all(axis=1)
    if int(used.sum()) < min_count:
        raise SociaparisError(ExplorerError.TOO_FEW, n=int(used.sum()), min=min_count)
    result = glm(
        des,
        response="_y",
        predictors=names,
        family="quasibinomial",
        ci_level=ci_level,
        nan_policy="omit",
    )
    renamed = tuple(_rename_term(term, predictors) for term in result.names)
    result = GlmResult(
        **{
            **{f: getattr(result, f) for f in GlmResult.__dataclass_fields__},
            "names": renamed,
            "response": response,
            "event": event,
        }
    )
    return ExplorerModel(
        form_id=form_id,
        response=response,
        event=str(event),
        predictors=tuple(predictors),
        weighting=weighting,
        result=result,
        weights=weight_report(design.design),
        margins=design.margins,
        columns=_columns(table, variables, [response, *predictors]),
        dimension_sources=design.dimension_sources,
    )


def _rename_term(term: str, predictors: Sequence[str]) -> str:
    """``_p1Agent`` -> ``job_categoryAgent`` (R's names for the model's terms)."""
    for k, name in sorted(enumerate(predictors), key=lambda kv: -len(str(kv[0]))):
        prefix = f"_p{k}"
        if term.startswith(prefix):
            return name + term[len(prefix) :]
    return term


# -- copy as R, copy as Python -----------------------------------------------------


def _r_name(name: str) -> str:
    return f"`{name.replace('`', '')}`"


def _r_string(value: str) -> str:
    return json.dumps(str(value), ensure_ascii=False)


def _r_design(
    form_id: str,
    weighting: str,
    margins: Mapping[str, Mapping[str, float]],
    sources: Mapping[str, tuple[str, ...]],
) -> list[str]:
    lines = [
        "library(survey)",
        f"# the main table of `sociaparis export {form_id} --format csv`",
        f"data <- read.csv({_r_string(form_id + '.csv')}, check.names = FALSE, "
        'na.strings = "")',
    ]
    if weighting == "raked" and margins:
        for column, levels in margins.items():
            cols = sources.get(column, ())
            for k, source in enumerate(cols):
                value = f"as.character(data[[{_r_string(source)}]])"
                if k == 0:
                    lines.append(f"data[[{_r_string(column)}]] <- {value}")
                else:
                    lines.append(
                        f"data[[{_r_string(column)}]][is.na(data[[{_r_string(column)}]])]"
                        f" <- {value}[is.na(data[[{_r_string(column)}]])]"
                    )
            codes = ", ".join(_r_string(level) for level in levels)
            lines.append(f"data <- data[data[[{_r_string(column)}]] %in% c({codes}), ]")
        lines.append("des <- svydesign(ids = ~1, data = data)")
        pops = []
        for column, levels in margins.items():
            codes = ", ".join(_r_string(level) for level in levels)
            counts = ", ".join(f"{count:g}" for count in levels.values())
            pops.append(
                f"  data.frame({_r_name(column)} = c({codes}), Freq = c({counts}), "
                "check.names = FALSE)"
            )
        formulas = ", ".join(f"~{_r_name(c)}" for c in margins)
        lines.append(
            f"des <- rake(des, list({formulas}), list(\n"
            + ",\n".join(pops)
            + "\n), control = list(epsilon = 1e-10, maxit = 100))"
        )
    else:
        lines.append("des <- svydesign(ids = ~1, data = data)")
    return lines


def r_table_code(result: ExplorerTable) -> str:
    """R's ``survey`` calls giving the numbers of ``result`` (unsuppressed)."""
    request = result.request
    lines = _r_design(
        result.form_id, request.weighting, result.margins, result.dimension_sources
    )
    by = " + ".join(_r_name(result.columns[b]) for b in request.by)
    level = f"{request.ci_level:g}"
    for question in request.questions:
        column = result.columns[question]
        kind = result.question_types[question]
        if kind == "select_one":
            formula = f"~factor({_r_name(column)})"
        elif kind == "select_multiple":
            choices = [
                _r_name(col)
                for key, col in result.columns.items()
                if key.startswith(f"{question}:")
            ]
            formula = "~" + " + ".join(choices)
        else:
            formula = f"~{_r_name(column)}"
        lines.append(f"# {question}")
        if by:
            lines.append(f"est <- svyby({formula}, ~{by}, des, svymean, na.rm = TRUE)")
        else:
            lines.append(f"est <- svymean({formula}, des, na.rm = TRUE)")
        lines.append(f"print(est)\nprint(confint(est, level = {level}))")
    if request.test:
        question = _r_name(result.columns[request.questions[0]])
        if len(request.by) == 1:
            lines.append(f'svychisq(~{question} + {by}, des, statistic = "F")')
        else:
            parts = ", ".join(_r_name(result.columns[b]) for b in request.by)
            lines.append(f'des <- update(des, by_ = interaction({parts}, sep = "."))')
            lines.append(f'svychisq(~{question} + by_, des, statistic = "F")')
    return "\n".join(lines) + "\n"


def r_model_code(model: ExplorerModel) -> str:
    """R's ``svyglm`` call giving the coefficients of ``model``."""
    lines = _r_design(
        model.form_id, model.weighting, model.margins, model.dimension_sources
    )
    terms = " + ".join(_r_name(model.columns[p]) for p in model.predictors)
    response = _r_name(model.columns[model.response])
    lines.append(
        f"fit <- svyglm(I({response} == {_r_string(model.event)}) ~ {terms}, "
        "design = des, family = quasibinomial())"
    )
    lines.append(f"summary(fit); confint(fit, level = {model.result.ci_level:g})")
    return "\n".join(lines) + "\n"


def _py_study(study_dir: str | None) -> str:
    return "study=None," if study_dir is None else f"study=load_study({study_dir!r}),"


def python_table_code(result: ExplorerTable, study_dir: str | None = None) -> str:
    """The ``sociaparis`` calls giving ``result`` (``study_dir``: the study folder)."""
    request = result.request
    return (
        "from sociaparis.accounts.service import LOCAL_ADMIN\n"
        "from sociaparis.cli.common import database_session\n"
        "from sociaparis.reports.explorer import TableRequest, explore_form\n"
        "from sociaparis.survey.study import load_study\n\n"
        "with database_session() as session:\n"
        "    table = explore_form(\n"
        "        session=session,\n"
        "        actor=LOCAL_ADMIN,\n"
        f"        form_id={result.form_id!r},\n"
        "        request=TableRequest(\n"
        f"            questions={tuple(request.questions)!r},\n"
        f"            by={tuple(request.by)!r},\n"
        f"            weighting={request.weighting!r},\n"
        f"            test={request.test!r},\n"
        f"            ci_level={request.ci_level!r},\n"
        "        ),\n"
        f"        {_py_study(study_dir)}\n"
        f"        lang={result.lang!r},\n"
        "    )\n"
        "print(table.to_frame())\n"
        "print(table.weights.to_dict())\n"
        + ("print(table.test.to_dict())\n" if request.test else "")
    )


def python_model_code(model: ExplorerModel, study_dir: str | None = None) -> str:
    """The ``sociaparis`` calls giving ``model`` (``study_dir``: the study folder)."""
    return (
        "from sociaparis.accounts.service import LOCAL_ADMIN\n"
        "from sociaparis.cli.common import database_session\n"
        "from sociaparis.reports.explorer import explore_model\n"
        "from sociaparis.survey.study import load_study\n\n"
        "with database_session() as session:\n"
        "    model = explore_model(\n"
        "        session=session,\n"
        "        actor=LOCAL_ADMIN,\n"
        f"        form_id={model.form_id!r},\n"
        f"        response={model.response!r},\n"
        f"        event={model.event!r},\n"
        f"        predictors={tuple(model.predictors)!r},\n"
        f"        weighting={model.weighting!r},\n"
        f"        {_py_study(study_dir)}\n"
        "    )\n"
        "print(model.result.to_frame())\n"
    )
