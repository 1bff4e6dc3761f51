"""Question blocks on crafted data (weights 1): suppression rules and hand values."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from sociaparis.analysis.design import svydesign
from sociaparis.reports.charts import render_chart
from sociaparis.reports.content import HIDDEN, MASKED
from sociaparis.reports.context import ReportContext
from sociaparis.reports.i18n import fmt_number, fmt_p, fmt_pct
from sociaparis.reports.questions import (
    likert_block,
    numeric_block,
    select_multiple_block,
    select_one_block,
)
from sociaparis.survey.instrument import Choice, Group, Instrument, Question


def _instrument(questions: list[Question], choices: dict) -> Instrument:
    group = Group("g", "group", children=tuple(q.name for q in questions))
    items = (group, *[Question(**{**_fields(q), "parent": "g"}) for q in questions])
    return Instrument(
        form_id="f",
        title="F",
        default_language="fr",
        languages=("fr",),
        items=items,
        top=("g",),
        choices=choices,
    )


def _fields(q: Question) -> dict:
    return {name: getattr(q, name) for name in q.__slots__}


def _context(columns: dict[str, list], questions: list[Question], choices: dict):
    data = pd.DataFrame(columns)
    instrument = _instrument(questions, choices)
    return ReportContext(
        design=svydesign(data),
        instrument=instrument,
        columns={q.name: q.name for q in questions},
        choices={q.name: choices.get(q.list_name, ()) for q in questions},
        lang="fr",
        min_count=10,
        ci_level=0.95,
    )


def _choices(*names: str) -> tuple[Choice, ...]:
    return tuple(Choice(name, {"fr": name.upper()}) for name in names)


def test_select_one_primary_and_complementary() -> None:
    """30 / 7 / 13: 7 is hidden, and 13 too (else 7 = 50 - 30 - 13)."""
    q = Question("q", "select_one", list_name="l", labels={"fr": "Q ?"})
    values = ["a"] * 30 + ["b"] * 7 + ["c"] * 13
    ctx = _context({"q": values}, [q], {"l": _choices("a", "b", "c")})
    block = select_one_block(ctx, q)
    bars = block.charts[0].bars
    assert [bar.suppressed for bar in bars] == [None, HIDDEN, MASKED]
    assert bars[0].estimate == pytest.approx(30 / 50, rel=1e-12)
    assert bars[0].n == 30 and bars[1].n is None and bars[1].estimate is None
    svg = render_chart(block.charts[0], lang="fr", min_count=10)
    assert "&lt; 10" in svg and ">x<" in svg and "60\u202f%" in svg
    assert "14\u202f%" not in svg  # 7/50


@pytest.mark.parametrize(
    ("selected", "hidden"),
    [
        (35, True),
        (20, False),
        (3, True),
        (0, False),
        (40, False),
        (30, False),
        (31, True),
    ],
)
def test_select_multiple_hides_small_either_way(selected: int, hidden: bool) -> None:
    """Among 40 answers: hidden when the choosers, or the others, number 1 to 9."""
    q = Question("q", "select_multiple", list_name="l")
    values = ["a b"] * selected + ["b"] * (40 - selected)
    ctx = _context({"q": values}, [q], {"l": _choices("a", "b")})
    bar = select_multiple_block(ctx, q).charts[0].bars[0]
    assert bar.hidden is hidden
    if not hidden:
        assert bar.estimate == pytest.approx(selected / 40, rel=1e-12)


def test_repeat_instances_count_respondents_not_instances() -> None:
    """12 answers 'a' from 4 respondents (3 tools each) are hidden; 'b' is not."""
    q = Question("q", "select_one", list_name="l")
    values = ["a"] * 12 + ["b"] * 30
    units = [f"p{k // 3}" for k in range(12)] + [f"r{k}" for k in range(30)]
    ctx = _context({"q": values}, [q], {"l": _choices("a", "b")})
    ctx = dataclasses.replace(ctx, units=pd.factorize(pd.Series(units))[0])
    block = select_one_block(ctx, q)
    assert block.n == 34
    assert [bar.suppressed for bar in block.charts[0].bars] == [HIDDEN, MASKED]


def test_too_few_answers_hide_the_question() -> None:
    q = Question("q", "select_one", list_name="l")
    ctx = _context({"q": ["a"] * 9 + [None] * 40}, [q], {"l": _choices("a")})
    block = select_one_block(ctx, q)
    assert block.n is None and block.charts == ()


def test_numeric_mean_median_and_hidden_bins() -> None:
    q = Question("x", "integer", labels={"fr": "Heures"})
    values = [1.0] * 3 + [5.0] * 20 + [9.0] * 20
    ctx = _context({"x": values}, [q], {})
    block = numeric_block(ctx, q)
    table = block.tables[0]
    assert table.rows[0][1] == pytest.approx(np.mean(values), rel=1e-12)
    assert table.rows[1][1] == pytest.approx(5.0)
    counts = block.charts[0].counts
    assert None in counts  # the 3 answers of 1 are not drawn
    assert sum(c for c in counts if c is not None) == 40


def test_likert_item_with_a_small_answer_is_hidden_but_keeps_its_mean() -> None:
    scale = {"s": _choices("1", "2", "3")}
    items = [
        Question(name, "select_one", list_name="s", appearance="likert")
        for name in ("i1", "i2")
    ]
    data = {
        "i1": ["1"] * 15 + ["2"] * 15 + ["3"] * 15,
        "i2": ["1"] * 4 + ["2"] * 20 + ["3"] * 21,
    }
    ctx = _context(data, items, scale)
    block = likert_block(ctx, "g", "Battery", items)
    rows = block.charts[0].rows
    assert [row.hidden for row in rows] == [False, True]
    np.testing.assert_allclose(
        rows[0].segments, [(-0.5, -1 / 6), (-1 / 6, 1 / 6), (1 / 6, 0.5)], rtol=1e-12
    )
    means = block.tables[0].rows
    assert means[0][1] == pytest.approx(2.0)
    assert means[1][1] == pytest.approx((4 * 1 + 20 * 2 + 21 * 3) / 45)


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda: fmt_pct(0.4321, "fr"), "43\u202f%"),
        (lambda: fmt_pct(0.4321, "en"), "43%"),
        (lambda: fmt_pct(0.00784, "fr", 1), "0,8\u202f%"),
        (lambda: fmt_number(51013, "fr"), "51\u202f013"),
        (lambda: fmt_number(51013, "en"), "51,013"),
        (lambda: fmt_number(-1234.5, "en", 2), "-1,234.50"),
        (lambda: fmt_p(0.0004, "fr"), "< 0,001"),
        (lambda: fmt_p(0.0345, "en"), "0.035"),
    ],
)
def test_number_formats(call, expected: str) -> None:
    assert call() == expected


@pytest.mark.parametrize(
    ("values", "units", "answers", "counts"),
    [
        # as `values == answer`: a text never equals a number, missing never counts
        (["a", "b", None, "a", 3], None, ["a", "b", "3", 3, "z"], [2, 1, 0, 1, 0]),
        # repeat instances: distinct respondents
        (["a", "a", "a", "b"], ["p", "p", "q", "q"], ["a", "b"], [2, 1]),
    ],
)
def test_counts_per_answer(
    values: list, units: list | None, answers: list, counts: list[int]
) -> None:
    q = Question("q", "select_one", list_name="l")
    ctx = _context({"q": pd.Series(values, dtype=object)}, [q], {})
    if units is not None:
        ctx = dataclasses.replace(ctx, units=pd.factorize(pd.Series(units))[0])
    assert ctx.counts(ctx.data["q"], answers) == counts
