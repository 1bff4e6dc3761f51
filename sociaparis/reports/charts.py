"""Charts of a report as inline SVG (matplotlib, Agg backend), text kept as text.

Every chart gets a ``<title>`` and a ``<desc>`` giving its numbers, so that a
screen reader (and ``pdftotext``) can read what the picture shows. Hidden
(suppressed) bars, items and bins are drawn as an explicit "< 10" mark, never
as a bar.
"""

from __future__ import annotations

import functools
import io
import math
import re
import textwrap
from contextvars import ContextVar
from html import escape

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from sociaparis.reports.content import (  # noqa: E402
    MASKED,
    BarChart,
    Chart,
    DivergingChart,
    HistogramChart,
)
from sociaparis.reports.i18n import fmt_number, fmt_pct, text  # noqa: E402

FONT = "DejaVu Sans"
WIDTH_IN = 6.6
BAR_COLOR = "#2b6a99"
CI_COLOR = "#1b1b1b"
HIDDEN_COLOR = "#6b6b6b"
#: Diverging palette (ColorBrewer RdBu, colour-blind safe), by scale length.
PALETTES = {
    2: ["#ca0020", "#0571b0"],
    3: ["#ca0020", "#d9d9d9", "#0571b0"],
    4: ["#ca0020", "#f4a582", "#92c5de", "#0571b0"],
    5: ["#ca0020", "#f4a582", "#d9d9d9", "#92c5de", "#0571b0"],
    6: ["#b2182b", "#ef8a62", "#fddbc7", "#d1e5f0", "#67a9cf", "#2166ac"],
    7: ["#b2182b", "#ef8a62", "#fddbc7", "#d9d9d9", "#d1e5f0", "#67a9cf", "#2166ac"],
}
_STYLE = {
    "font.family": "sans-serif",
    "font.sans-serif": [FONT, "Liberation Sans", "Arial"],
    "font.size": 8.5,
    "svg.fonttype": "none",
    "svg.hashsalt": "sociaparis",
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def _wrap(label: str, width: int) -> str:
    return "\n".join(textwrap.wrap(label, width)) or label


def _prefix_ids(svg: str, prefix: str) -> str:
    """Prefix every id of one SVG (and the references to them) to keep them unique."""
    ids = set(re.findall(r'\bid="([^"]+)"', svg))
    if not ids:
        return svg

    def swap(match: re.Match[str]) -> str:
        name = match.group(2)
        return match.group(1) + (prefix + name if name in ids else name) + match.group(3)

    svg = re.sub(r'(\bid=")([^"]+)(")', swap, svg)
    svg = re.sub(r"(url\(#)([^)]+)(\))", swap, svg)
    return re.sub(r'(href="#)([^"]+)(")', swap, svg)


def _place(fig: Figure, *, height: float, left: float, top: float, bottom: float) -> None:
    """Put the axes at fixed margins (inches), so that charts of one kind align."""
    fig.subplots_adjust(
        left=left / WIDTH_IN,
        right=1 - 0.35 / WIDTH_IN,
        top=1 - top / height,
        bottom=bottom / height,
    )


def _fit_left(fig: Figure, ax: plt.Axes, minimum: float) -> None:
    """Widen the left margin if a y label would not fit in ``minimum`` inches."""
    renderer = fig.canvas.get_renderer()
    widths = [
        label.get_window_extent(renderer).width / fig.dpi
        for label in ax.get_yticklabels()
        if label.get_text()
    ]
    needed = max(widths, default=0.0) + 0.12
    if needed > minimum:
        fig.subplots_adjust(left=needed / WIDTH_IN)


#: set by :func:`render_png`: the drawing functions write a PNG there instead
_PNG: ContextVar[io.BytesIO | None] = ContextVar("_PNG", default=None)


def _svg(fig: Figure, title: str, desc: str) -> str:
    """The figure as an ``<svg>`` element with an accessible title and description."""
    png = _PNG.get()
    if png is not None:
        fig.savefig(png, format="png", dpi=150, metadata={"Title": title})
        plt.close(fig)
        return ""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(fig)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    head_end = svg.index(">") + 1
    head = svg[:head_end].replace(
        "<svg ", '<svg role="img" class="chart" focusable="false" ', 1
    )
    return (
        head
        + f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>"
        + svg[head_end:]
    )


def _hidden_text(lang: str, min_count: int) -> str:
    return text("hidden_label", lang, min=min_count)


def bar_chart(chart: BarChart, *, lang: str, min_count: int) -> str:
    """Horizontal bars of shares with CI whiskers and the value printed at the end."""
    bars = chart.bars
    labels = [_wrap(bar.label, 40) for bar in bars]
    lines = sum(label.count("\n") + 1 for label in labels)
    plot = 0.16 * lines + 0.14 * len(bars)
    height = plot + 0.45
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(WIDTH_IN, height))
        _place(fig, height=height, left=2.55, top=0.08, bottom=0.37)
        positions = list(range(len(bars)))[::-1]
        descs = []
        # one bar container and one whisker line for all bars: an artist per bar
        # made a 90-bar chart take seconds to draw
        drawn: list[tuple[float, float]] = []
        whisker_x: list[float] = []
        whisker_y: list[float] = []
        for y, bar in zip(positions, bars, strict=True):
            if bar.hidden or bar.estimate is None:
                mark = (
                    text("masked_label", lang)
                    if bar.suppressed == MASKED
                    else _hidden_text(lang, min_count)
                )
                ax.text(
                    0.005,
                    y,
                    mark,
                    va="center",
                    ha="left",
                    color=HIDDEN_COLOR,
                    style="italic",
                )
                descs.append(f"{bar.label}: {mark}")
                continue
            low, high = bar.ci_low or 0.0, bar.ci_high or 0.0
            drawn.append((y, bar.estimate))
            # the whisker and its two caps, as segments of one line (nan breaks)
            whisker_x += [low, high, math.nan, low, low, math.nan, high, high, math.nan]
            whisker_y += [y, y, math.nan, y - 0.15, y + 0.15, math.nan]
            whisker_y += [y - 0.15, y + 0.15, math.nan]
            value = fmt_pct(bar.estimate, lang)
            ax.text(high + 0.012, y, value, va="center", ha="left")
            descs.append(
                f"{bar.label}: {value} [{fmt_pct(low, lang)} ; {fmt_pct(high, lang)}]"
            )
        if drawn:
            ys, widths = zip(*drawn, strict=True)
            ax.barh(ys, widths, height=0.62, color=BAR_COLOR)
            ax.plot(whisker_x, whisker_y, color=CI_COLOR, linewidth=1.0)
        ax.set_yticks(positions, labels)
        ax.set_xlim(0, 1.08)
        ax.set_ylim(-0.6, len(bars) - 0.4)
        ticks = [0, 0.25, 0.5, 0.75, 1.0]
        ax.set_xticks(ticks, [fmt_pct(t, lang) for t in ticks])
        ax.tick_params(axis="y", length=0)
        ax.xaxis.grid(True, color="#e3e3e3", linewidth=0.6)
        ax.set_axisbelow(True)
        ax.spines["left"].set_visible(False)
        _fit_left(fig, ax, 2.55)
        return _svg(fig, chart.title, "; ".join(descs))


def diverging_chart(chart: DivergingChart, *, lang: str, min_count: int) -> str:
    """Diverging stacked bars: disagreeing answers left of 0, agreeing ones right."""
    rows = chart.rows
    labels = [_wrap(row.label, 36) for row in rows]
    lines = sum(label.count("\n") + 1 for label in labels)
    legend_rows = 2 if any(len(level) > 18 for level in chart.levels) else 1
    plot = 0.16 * lines + 0.16 * len(rows)
    bottom = 0.45 + 0.16 * legend_rows
    height = plot + bottom + 0.08
    colors = PALETTES.get(len(chart.levels)) or plt.get_cmap("RdBu")(
        [k / max(1, len(chart.levels) - 1) for k in range(len(chart.levels))]
    )
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(WIDTH_IN, height))
        _place(fig, height=height, left=2.45, top=0.08, bottom=bottom)
        positions = list(range(len(rows)))[::-1]
        descs = []
        for y, row in zip(positions, rows, strict=True):
            if row.hidden:
                ax.text(
                    0,
                    y,
                    _hidden_text(lang, min_count),
                    va="center",
                    ha="center",
                    color=HIDDEN_COLOR,
                    style="italic",
                )
                descs.append(f"{row.label}: {_hidden_text(lang, min_count)}")
                continue
            parts = []
            for k, (start, end) in enumerate(row.segments):
                width = end - start
                ax.barh(
                    y,
                    width,
                    left=start,
                    height=0.66,
                    color=colors[k],
                    edgecolor="white",
                    linewidth=0.5,
                )
                if width >= 0.07:
                    dark = k in (0, len(row.segments) - 1)
                    ax.text(
                        start + width / 2,
                        y,
                        fmt_number(width * 100, lang),
                        ha="center",
                        va="center",
                        fontsize=7,
                        color="white" if dark else "#1b1b1b",
                    )
                parts.append(f"{chart.levels[k]} {fmt_pct(width, lang)}")
            descs.append(f"{row.label}: " + ", ".join(parts))
        ax.axvline(0, color="#444444", linewidth=0.8, zorder=0)
        ax.set_yticks(positions, labels)
        extent = max(
            [abs(x) for row in rows for segment in row.segments for x in segment] or [0.5]
        )
        limit = min(1.0, max(0.5, math.ceil(extent * 4) / 4))
        ax.set_xlim(-limit, limit)
        ax.set_ylim(-0.6, len(rows) - 0.4)
        ticks = [k / 4 for k in range(-int(limit * 4), int(limit * 4) + 1)]
        ax.set_xticks(ticks, [fmt_pct(abs(t), lang) for t in ticks])
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        handles = [
            plt.Rectangle((0, 0), 1, 1, color=colors[k]) for k in range(len(chart.levels))
        ]
        _fit_left(fig, ax, 2.45)
        fig.legend(
            handles,
            [_wrap(level, 18) for level in chart.levels],
            loc="lower center",
            bbox_to_anchor=(0.5, 0.02),
            ncol=len(chart.levels),
            frameon=False,
            fontsize=7.5,
            handlelength=1.2,
            columnspacing=1.2,
        )
        return _svg(fig, chart.title, "; ".join(descs))


def histogram_chart(chart: HistogramChart, *, lang: str, min_count: int) -> str:
    """Respondent counts by bin; a bin under the minimum is marked, not drawn."""
    edges = chart.edges
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(WIDTH_IN, 2.3))
        _place(fig, height=2.3, left=0.75, top=0.1, bottom=0.55)
        shown = [c for c in chart.counts if c is not None]
        top = max(shown) if shown else 1
        descs = []
        for k, count in enumerate(chart.counts):
            left, right = edges[k], edges[k + 1]
            span = f"{fmt_number(left, lang, 1)}–{fmt_number(right, lang, 1)}"
            if count is None:
                ax.text(
                    (left + right) / 2,
                    top * 0.02,
                    _hidden_text(lang, min_count),
                    ha="center",
                    va="bottom",
                    rotation=90,
                    fontsize=7,
                    color=HIDDEN_COLOR,
                )
                descs.append(f"{span}: {_hidden_text(lang, min_count)}")
                continue
            ax.bar(
                left,
                count,
                width=right - left,
                align="edge",
                color=BAR_COLOR,
                edgecolor="white",
                linewidth=0.6,
            )
            descs.append(f"{span}: {count}")
        ax.set_xlabel(_wrap(chart.axis_label, 90))
        ax.set_ylabel(text("count", lang))
        ax.set_ylim(0, top * 1.1)
        ax.yaxis.grid(True, color="#e3e3e3", linewidth=0.6)
        ax.set_axisbelow(True)
        labels = ax.get_xticks()
        ax.set_xticks(labels, [fmt_number(v, lang, 0) for v in labels])
        ax.set_xlim(edges[0], edges[-1])
        return _svg(fig, chart.title, "; ".join(descs))


def render_chart(chart: Chart, *, lang: str, min_count: int, key: str = "c") -> str:
    """Any chart of the report model as an inline ``<svg>`` element.

    ``key`` prefixes the SVG's ids, so that many charts fit in one HTML page.
    """
    if isinstance(chart, BarChart):
        svg = bar_chart(chart, lang=lang, min_count=min_count)
    elif isinstance(chart, DivergingChart):
        svg = diverging_chart(chart, lang=lang, min_count=min_count)
    else:
        svg = histogram_chart(chart, lang=lang, min_count=min_count)
    return _prefix_ids(svg, f"{key}-")


def render_png(chart: Chart, *, lang: str, min_count: int) -> bytes:
    """The same chart as :func:`render_chart`, as a PNG image (150 dpi).

    The last few images are kept (charts are immutable values, and drawing a
    90-bar chart at 150 dpi takes most of a second), so that a chart asked
    for again, by its page and its download link or by two people, is drawn
    once. A chart that cannot be hashed is drawn every time.
    """
    try:
        hash(chart)
    except TypeError:  # a list inside: no cache
        return _draw_png(chart, lang, min_count)
    return _cached_png(chart, lang, min_count)


@functools.lru_cache(maxsize=16)
def _cached_png(chart: Chart, lang: str, min_count: int) -> bytes:
    return _draw_png(chart, lang, min_count)


def _draw_png(chart: Chart, lang: str, min_count: int) -> bytes:
    buffer = io.BytesIO()
    token = _PNG.set(buffer)
    try:
        render_chart(chart, lang=lang, min_count=min_count)
    finally:
        _PNG.reset(token)
    return buffer.getvalue()
