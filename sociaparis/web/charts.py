"""Charts of the researcher pages, drawn on the server as inline SVG geometry.

Only published values are drawn: a hidden cell gets no bar and no point, so a
chart tells nothing its table does not. The templates write the SVG (with
``role="img"``, a title and a description pointing to the table, which is the
text alternative); colours come from classes of ``sociaparis.css`` (the
Content-Security-Policy allows no inline style).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sociaparis.survey.fielding.monitoring import DayTable, PageRow

WIDTH = 640
#: Colour classes of the lines (``series-0`` …): cycled past the eighth stratum.
SERIES_CLASSES = 8


@dataclass(frozen=True, slots=True)
class Bar:
    """One page of the funnel: its label, and its bar unless the count is hidden."""

    label: str
    y: float
    width: float | None
    value: int | None


@dataclass(frozen=True, slots=True)
class FunnelChart:
    """Horizontal bars, one a page, as wide as the responses that reached it."""

    height: float
    bars: tuple[Bar, ...]
    label_x: float = 8
    bar_x: float = 8


def funnel_chart(rows: Sequence[PageRow]) -> FunnelChart:
    """The drop-out funnel of the by-page table (hidden counts: no bar)."""
    row_height = 40
    top = max((r.reached or 0 for r in rows), default=0) or 1
    span = WIDTH - 90
    bars = tuple(
        Bar(
            label=f"{r.position}. {r.label}"[:90],
            y=8 + index * row_height,
            width=None if r.reached is None else max(1.0, span * r.reached / top),
            value=r.reached,
        )
        for index, r in enumerate(rows)
    )
    return FunnelChart(height=16 + len(rows) * row_height, bars=bars)


@dataclass(frozen=True, slots=True)
class Line:
    """One stratum's line: its points (x, y) where its value is shown."""

    label: str
    css: str
    points: tuple[tuple[float, float], ...]

    @property
    def path(self) -> str:
        """The ``points`` attribute of a ``polyline``."""
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in self.points)


@dataclass(frozen=True, slots=True)
class LineChart:
    """Cumulative lines over days, with the axes' ticks."""

    height: float
    left: float
    right: float
    top: float
    bottom: float
    lines: tuple[Line, ...]
    y_ticks: tuple[tuple[float, str], ...]
    x_ticks: tuple[tuple[float, str, str], ...]
    percent: bool


def _nice_ticks(top: float, percent: bool) -> tuple[float, tuple[float, ...]]:
    if percent:
        scale = 100.0 if top > 50 else 50.0 if top > 20 else 20.0
        return scale, tuple(scale * k / 4 for k in range(5))
    step = next(
        base * 10**power
        for power in range(12)
        for base in (1, 2, 5)
        if top / (base * 10**power) <= 5
    )
    scale = step * -(-int(top) // step)
    return float(scale), tuple(float(v) for v in range(0, scale + 1, step))


def cumulative_chart(table: DayTable, *, total_label: str) -> LineChart | None:
    """Completed to date (a rate when it means something) by stratum and day.

    None when there are fewer than two days to draw.
    """
    if len(table.days) < 2:
        return None
    percent = table.rates_meaningful
    labels = [*table.labels, total_label]
    columns = len(labels)

    def value(day: int, column: int) -> float | None:
        if percent:
            rate = table.rate(day, column)
            return None if rate is None else 100 * rate
        count = table.completed[day][column]
        return None if count is None else float(count)

    values = [[value(d, c) for d in range(len(table.days))] for c in range(columns)]
    top = max((v for column in values for v in column if v is not None), default=0.0)
    scale, ticks = _nice_ticks(top or 1.0, percent)
    left, right, top_y, bottom = 56.0, WIDTH - 16.0, 12.0, 232.0
    first: date = table.days[0]
    span = (table.days[-1] - first).days or 1

    def x(day: date) -> float:
        return left + (right - left) * (day - first).days / span

    def y(v: float) -> float:
        return bottom - (bottom - top_y) * v / scale

    lines = tuple(
        Line(
            label=labels[c],
            css="series-total" if c == columns - 1 else f"series-{c % SERIES_CLASSES}",
            points=tuple(
                (x(table.days[d]), y(v)) for d, v in enumerate(values[c]) if v is not None
            ),
        )
        for c in range(columns)
    )
    middle = table.days[len(table.days) // 2]
    # The first day's label starts at its tick, the last one ends at it, so
    # that neither is cut at the chart's edges.
    labelled = list(dict.fromkeys((first, middle, table.days[-1])))
    anchors = {first: "start", table.days[-1]: "end"}
    x_ticks = tuple(
        (x(day), day.strftime("%d/%m"), anchors.get(day, "middle")) for day in labelled
    )
    y_ticks = tuple((y(v), f"{v:g}{' %' if percent else ''}") for v in ticks)
    return LineChart(
        height=bottom + 28,
        left=left,
        right=right,
        top=top_y,
        bottom=bottom,
        lines=lines,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        percent=percent,
    )


@dataclass(frozen=True, slots=True)
class IntervalRow:
    """One row of an interval chart: a label, its value's dot and interval's ends
    (x positions; ``None`` where the value or interval is undefined)."""

    label: str
    y: float
    x: float | None
    low: float | None
    high: float | None
    value: str


@dataclass(frozen=True, slots=True)
class IntervalChart:
    """Dots with their intervals on a common axis, and reference lines."""

    height: float
    left: float
    right: float
    top: float
    bottom: float
    rows: tuple[IntervalRow, ...]
    ticks: tuple[tuple[float, str], ...]
    references: tuple[tuple[float, str], ...]


def interval_chart(
    rows: Sequence[tuple[str, float | None, tuple[float, float] | None]],
    *,
    references: Sequence[float] = (),
) -> IntervalChart:
    """A coefficient per row (e.g. Krippendorff's alpha per code) with its
    interval, on an axis from 0 (or -1 when a value or bound is negative) to 1,
    with vertical reference lines (e.g. 0.667 and 0.800)."""
    row_height = 28
    left, right, top = 180.0, WIDTH - 56.0, 8.0
    bounds = [v for _, v, ci in rows for v in (v, *(ci or ())) if v is not None]
    lowest = -1.0 if any(v < 0 for v in bounds) else 0.0

    def x(v: float) -> float:
        return left + (right - left) * (v - lowest) / (1.0 - lowest)

    drawn = tuple(
        IntervalRow(
            label=label[:28],
            y=top + 14 + k * row_height,
            x=None if value is None or value != value else x(value),
            low=None if ci is None else x(ci[0]),
            high=None if ci is None else x(ci[1]),
            value="–" if value is None or value != value else f"{value:.2f}",
        )
        for k, (label, value, ci) in enumerate(rows)
    )
    bottom = top + len(rows) * row_height + 4
    step = 0.5 if lowest < 0 else 0.25
    ticks = tuple(
        (x(lowest + k * step), f"{lowest + k * step:g}")
        for k in range(int(round((1.0 - lowest) / step)) + 1)
    )
    return IntervalChart(
        height=bottom + 24, left=left, right=right, top=top, bottom=bottom,
        rows=drawn, ticks=ticks,
        references=tuple((x(r), f"{r:g}") for r in references),
    )  # fmt: skip
