"""The content of a report: frozen, plain data that a template or a chart renders.

Numbers keep full precision; rounding happens when the HTML is rendered.
A value hidden by disclosure control is :data:`HIDDEN` (a small cell) or
:data:`MASKED` (a cell hidden so that a small one cannot be recovered); a
published report never holds the hidden number itself.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Literal

#: A cell under the minimum count (shown as "< 10").
HIDDEN = "hidden"
#: A cell hidden by complementary suppression (shown as "x").
MASKED = "masked"

CellFormat = Literal["text", "int", "pct", "pct1", "num", "auto"]
Cell = str | int | float | None


@dataclass(frozen=True, slots=True)
class Table:
    """A table with a caption, column headers and typed cells.

    Attributes
    ----------
    caption
        Shown above the table (``<caption>``).
    columns
        Column headers; the first column holds the row headers.
    formats
        How to show each column's cells (``text``, ``int``, ``pct``, ``pct1`` with one
        decimal, ``num`` with two, ``auto``: whole numbers without decimals).
    rows
        One tuple of cells per row; :data:`HIDDEN` and :data:`MASKED` mark
        suppressed cells, ``None`` an empty one.
    kind
        A CSS hook (``rates``, ``margins``, ``crosstab``…).
    """

    caption: str
    columns: tuple[str, ...]
    formats: tuple[CellFormat, ...]
    rows: tuple[tuple[Cell, ...], ...]
    kind: str = ""

    def cells(self) -> list[Cell]:
        """Every cell, row by row (for checks)."""
        return [cell for row in self.rows for cell in row]


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar of a bar chart: an estimate with its CI, or suppressed.

    ``suppressed`` is None for a bar shown, :data:`HIDDEN` (a small count) or
    :data:`MASKED` (hidden so that a small one cannot be worked out).
    """

    label: str
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    n: int | None
    suppressed: str | None = None

    @property
    def hidden(self) -> bool:
        """Whether the bar is not shown."""
        return self.suppressed is not None


@dataclass(frozen=True, slots=True)
class BarChart:
    """Horizontal bars of weighted shares (0-1) with confidence intervals."""

    title: str
    bars: tuple[Bar, ...]
    kind: Literal["bars"] = "bars"


@dataclass(frozen=True, slots=True)
class DivergingRow:
    """One item of a Likert battery: its segments, or hidden."""

    label: str
    segments: tuple[tuple[float, float], ...]
    hidden: bool = False


@dataclass(frozen=True, slots=True)
class DivergingChart:
    """Diverging stacked bars of a battery: one row per item, one segment per level.

    ``segments`` of a row are ``(start, end)`` pairs in the order of ``levels``;
    disagreeing levels lie left of zero, the neutral level straddles it.
    """

    title: str
    levels: tuple[str, ...]
    rows: tuple[DivergingRow, ...]
    kind: Literal["diverging"] = "diverging"


@dataclass(frozen=True, slots=True)
class HistogramChart:
    """A histogram of respondent counts; bins under the minimum count are hidden."""

    title: str
    edges: tuple[float, ...]
    counts: tuple[int | None, ...]
    axis_label: str
    kind: Literal["histogram"] = "histogram"


Chart = BarChart | DivergingChart | HistogramChart


@dataclass(frozen=True, slots=True)
class QuestionBlock:
    """What the report says about one question (or one battery).

    Attributes
    ----------
    name
        The question name (the group name for a battery).
    label
        Its label in the report's language.
    type
        ``select_one``, ``select_multiple``, ``likert``, ``numeric`` or ``text``.
    n
        Respondents who answered; None when suppressed (under the minimum).
    charts, tables
        What is shown.
    notes
        Short remarks (base of the percentages, suppression, privacy).
    """

    name: str
    label: str
    type: str
    n: int | None
    charts: tuple[Chart, ...] = ()
    tables: tuple[Table, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Section:
    """A titled part of the report: tables, paragraphs and question blocks."""

    id: str
    title: str
    paragraphs: tuple[str, ...] = ()
    tables: tuple[Table, ...] = ()
    questions: tuple[QuestionBlock, ...] = ()


@dataclass(frozen=True, slots=True)
class Report:
    """A complete survey report, ready to render.

    Attributes
    ----------
    form_id, title, lang
        The form, its title and the report's language.
    generated_on
        The day the report was built.
    n_responses
        Completed responses analysed.
    n_synthetic
        How many of them are synthetic (a warning is shown when not 0).
    min_cell_count, ci_level
        The disclosure threshold and the confidence level used everywhere.
    sections
        In reading order.
    warnings
        Things the reader must know (synthetic data, weighting problems).
    parameters
        The inputs that reproduce the report (JSON-ready).
    """

    form_id: str
    title: str
    lang: str
    generated_on: date
    n_responses: int
    n_synthetic: int
    min_cell_count: int
    ci_level: float
    sections: tuple[Section, ...]
    warnings: tuple[str, ...] = ()
    parameters: dict[str, Any] = field(default_factory=dict)

    def section(self, section_id: str) -> Section:
        """The section called ``section_id`` (KeyError if none)."""
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(section_id)

    def questions(self) -> list[QuestionBlock]:
        """Every question block, in order."""
        return [q for section in self.sections for q in section.questions]

    def to_dict(self) -> dict[str, Any]:
        """The whole report as JSON-ready data (the twin of the HTML page).

        Suppressed cells are the strings ``"hidden"`` and ``"masked"``; NaN is None.
        """

        def clean(value: Any) -> Any:
            if isinstance(value, dict):
                return {key: clean(item) for key, item in value.items()}
            if isinstance(value, list | tuple):
                return [clean(item) for item in value]
            if isinstance(value, float) and math.isnan(value):
                return None
            if isinstance(value, date):
                return value.isoformat()
            return value

        return clean(asdict(self))
