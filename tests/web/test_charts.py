"""Chart geometry: only published values are drawn (pure, no browser)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from sociaparis.survey.fielding.monitoring import DayTable, PageRow
from sociaparis.web.charts import WIDTH, _nice_ticks, cumulative_chart, funnel_chart

D1 = date(2026, 11, 23)


def test_the_funnel_draws_no_bar_for_a_hidden_count() -> None:
    chart = funnel_chart(
        [
            PageRow("a", "Alpha", 1, 40, 0, 20.0),
            PageRow("b", "Beta", 2, None, None, None),
            PageRow("c", "Gamma", 3, 20, 20, None),
        ]
    )
    span = WIDTH - 90
    assert [(bar.label, bar.width, bar.value) for bar in chart.bars] == [
        ("1. Alpha", span, 40),
        ("2. Beta", None, None),
        ("3. Gamma", span / 2, 20),
    ]
    assert chart.height == 16 + 3 * 40


def _table(completed, invitations, rates: bool) -> DayTable:
    return DayTable(
        attribute="directorate",
        attribute_label="Direction",
        strata=("DFA", "DSIN"),
        labels=("Finances", "Numérique"),
        days=tuple(D1 + timedelta(days=k) for k in range(len(completed))),
        completed=tuple(completed),
        invitations=invitations,
        rates_meaningful=rates,
    )


def test_a_line_has_points_only_where_values_are_shown() -> None:
    table = _table(
        [(10, None, None), (None, None, None), (20, 15, 35)], (40, 30, 70), True
    )
    chart = cumulative_chart(table, total_label="Total")
    assert chart is not None and chart.percent
    dfa, dsin, total = chart.lines
    assert (dfa.label, dfa.css, dsin.css, total.css) == (
        "Finances",
        "series-0",
        "series-1",
        "series-total",
    )
    # DFA: 25 % on day 1, 50 % on day 3; nothing on day 2. Rates up to 50 %:
    # the axis goes to 50 %, from y 232 (0) to 12 (50 %).
    assert dfa.points == ((56.0, 122.0), (624.0, 12.0))
    assert dsin.points == ((624.0, 12.0),)
    assert total.points == ((624.0, 12.0),)
    assert [label for _, label in chart.y_ticks] == [
        "0 %",
        "12.5 %",
        "25 %",
        "37.5 %",
        "50 %",
    ]
    assert [(label, anchor) for _, label, anchor in chart.x_ticks] == [
        ("23/11", "start"),
        ("24/11", "middle"),
        ("25/11", "end"),
    ]


def test_counts_are_drawn_when_a_rate_means_nothing() -> None:
    table = _table([(0, 0, 0), (12, 30, 42)], (None, None, None), False)
    chart = cumulative_chart(table, total_label="Total")
    assert chart is not None and not chart.percent
    assert [label for _, label in chart.y_ticks] == ["0", "10", "20", "30", "40", "50"]
    assert cumulative_chart(_table([(12, 30, 42)], (), False), total_label="T") is None


@pytest.mark.parametrize(
    ("top", "percent", "scale", "ticks"),
    [
        (3, False, 3.0, (0.0, 1.0, 2.0, 3.0)),
        (42, False, 50.0, (0.0, 10.0, 20.0, 30.0, 40.0, 50.0)),
        (1234, False, 1500.0, (0.0, 500.0, 1000.0, 1500.0)),  # 1234 / 500 <= 5
        (71.4, True, 100.0, (0.0, 25.0, 50.0, 75.0, 100.0)),
        (12.0, True, 20.0, (0.0, 5.0, 10.0, 15.0, 20.0)),
    ],
)
def test_nice_ticks(top, percent, scale, ticks) -> None:
    assert _nice_ticks(top, percent) == (scale, ticks)
