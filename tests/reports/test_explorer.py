"""The survey explorer's tables on the demo staff survey (no database): numbers
derived by hand from the counts and the weights, suppression, the cross-table
audit, the Rao-Scott test, the logistic model and the code twins."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sociaparis.analysis.crosstab import chisq_test
from sociaparis.analysis.glm import glm
from sociaparis.core.errors import SociaparisError
from sociaparis.reports.charts import render_chart, render_png
from sociaparis.reports.content import BarChart, DivergingChart
from sociaparis.reports.explorer import (
    ExplorerTable,
    TableRequest,
    explore_table,
    fit_model,
    weighted_design,
)
from sociaparis.reports.explorer_errors import ExplorerError
from tests.reports.conftest import SMALL, Demo

Z95 = 1.959963984540054
LEVELS = ["daily", "weekly", "monthly", "rarely", "never"]


def _table(demo: Demo, request: TableRequest, **options: object) -> ExplorerTable:
    return explore_table(
        demo.table,
        instrument=demo.instrument,
        request=request,
        margins=demo.study.population,
        min_count=demo.study.min_cell_count,
        **options,
    )


def _answers(demo: Demo, name: str) -> np.ndarray:
    variable = next(
        v for v in demo.table.variables if v.source == name and v.kind == "question"
    )
    values = demo.table.frame[variable.name].astype("string")
    return values.where(values.str.strip() != "", None).to_numpy(dtype=object)


def test_design_weights_give_the_shares_and_srs_errors_of_the_counts(demo: Demo) -> None:
    result = _table(demo, TableRequest(("ai_use",)))
    answers = _answers(demo, "ai_use")
    n = sum(a is not None for a in answers)
    assert result.n == len(demo.attributes)
    for row in result.rows:
        count = sum(a == row.level for a in answers)
        p = count / n
        # svymean of a 0/1 variable, ids = ~1: var = p (1 - p) / (n - 1)
        se = math.sqrt(p * (1 - p) / (n - 1))
        assert row.n == count
        assert row.estimate == pytest.approx(p, rel=1e-12)
        assert row.se == pytest.approx(se, rel=1e-9)
        assert row.ci_low == pytest.approx(p - Z95 * se, rel=1e-9)
        assert row.ci_high == pytest.approx(p + Z95 * se, rel=1e-9)
    assert result.weights.deff_kish == pytest.approx(1.0)
    assert result.weights.steps == ()


def test_a_breakdown_hides_the_small_directorate_and_protects_it(demo: Demo) -> None:
    result = _table(demo, TableRequest(("ai_use",), by=("_attr_directorate",)))
    answers = _answers(demo, "ai_use")
    directorates = np.array([a["directorate"] for a in demo.attributes], dtype=object)
    small = [row for row in result.rows if row.group == (SMALL,)]
    assert small and all(row.suppressed == "hidden" for row in small)
    assert all(row.estimate is None and row.n is None for row in small)
    assert any(row.suppressed == "masked" for row in result.rows)
    for row in result.rows:
        if row.n is not None:
            assert row.n == 0 or row.n >= result.min_count  # empty cells stay
            inside = directorates == row.group[0]
            answered = inside & np.array([a is not None for a in answers])
            count = int(np.sum(inside & (answers == row.level)))
            assert row.n == count
            assert row.estimate == pytest.approx(count / answered.sum(), rel=1e-12)


def test_raking_reaches_the_margins_and_weights_the_shares(demo: Demo) -> None:
    result = _table(demo, TableRequest(("ai_use",), weighting="raked"))
    design = weighted_design(
        demo.table,
        instrument=demo.instrument,
        margins=demo.study.population,
        weighting="raked",
    ).design
    w = design.weights
    dims = design.data["_dim_directorate"].to_numpy()
    for level, count in result.margins["_dim_directorate"].items():
        assert w[dims == level].sum() == pytest.approx(count, rel=1e-8)
    assert result.weights.deff_kish == pytest.approx(
        len(w) * (w**2).sum() / w.sum() ** 2, rel=1e-12
    )
    assert result.weights.n_effective == pytest.approx(w.sum() ** 2 / (w**2).sum())
    assert result.weights.steps[0]["method"] == "rake"
    answers = _answers(demo, "ai_use")[design.data["_explore_row"].to_numpy()]
    answered = np.array([a is not None for a in answers])
    for row in result.rows:
        if row.estimate is not None:
            share = w[answers == row.level].sum() / w[answered].sum()
            assert row.estimate == pytest.approx(share, rel=1e-10)


def test_the_raked_shares_are_the_report_s(demo: Demo, report_fr) -> None:
    result = _table(demo, TableRequest(("ai_use",), weighting="raked"))
    block = next(
        b
        for section in report_fr.sections
        for b in section.questions
        if b.name == "ai_use"
    )
    bars = block.charts[0].bars
    assert [b.estimate for b in bars] == pytest.approx(
        [r.estimate for r in result.rows], rel=1e-12
    )


def test_multiple_choice_and_numeric_questions(demo: Demo) -> None:
    result = _table(demo, TableRequest(("tools_used", "ai_hours_week")))
    variable = next(v for v in demo.table.variables if v.source == "tools_used")
    raw = demo.table.frame[variable.name]
    answered = raw.notna()
    for row in (r for r in result.rows if r.question == "tools_used"):
        chosen = (
            raw[answered].astype(str).str.split(" ").map(lambda s, c=row.level: c in s)
        )
        if row.estimate is not None:
            assert row.estimate == pytest.approx(chosen.mean(), rel=1e-12)
    hours = next(v for v in demo.table.variables if v.source == "ai_hours_week")
    values = demo.table.frame[hours.name].astype(float).dropna()
    (mean_row,) = [r for r in result.rows if r.question == "ai_hours_week"]
    assert mean_row.level == "mean"
    assert mean_row.estimate == pytest.approx(values.mean(), rel=1e-12)
    # a domain mean over the whole design (ids = ~1): the influence (x - m) / n_d
    # inside the domain, 0 outside; var = n / (n - 1) * sum of its squares
    n, n_d = len(demo.table.frame), len(values)
    variance = n / (n - 1) * ((values - values.mean()) ** 2).sum() / n_d**2
    assert mean_row.se == pytest.approx(math.sqrt(variance), rel=1e-10)
    assert [type(c) for c in result.charts] == [BarChart]  # no bar for a mean


def test_a_likert_battery_is_one_diverging_chart(demo: Demo) -> None:
    result = _table(demo, TableRequest(("eff_quality", "eff_time", "eff_workload")))
    (chart,) = result.charts
    assert isinstance(chart, DivergingChart)
    assert len(chart.rows) == 3
    svg = render_chart(chart, lang="fr", min_count=10)
    assert svg.startswith("<svg") and "<desc>" in svg
    assert render_png(chart, lang="fr", min_count=10).startswith(b"\x89PNG")


def test_rao_scott_test_is_svychisq_on_the_same_design(demo: Demo) -> None:
    result = _table(
        demo, TableRequest(("manager",), by=("_attr_job_category",), test=True)
    )
    design = weighted_design(
        demo.table,
        instrument=demo.instrument,
        margins=None,
        weighting="design",
    ).design
    manager = next(v.name for v in demo.table.variables if v.source == "manager")
    direct = chisq_test(
        design, row=manager, col="_attr_job_category", statistic="F", nan_policy="omit"
    )
    assert result.test is not None
    assert result.test.statistic == pytest.approx(direct.statistic, rel=1e-10)
    assert result.test.p_value == pytest.approx(direct.p_value, rel=1e-10)
    code = result.r_code()
    assert (
        'svychisq(~`profile/manager` + `_attr_job_category`, des, statistic = "F")'
        in (code)
    )


def test_a_viewer_cannot_work_out_a_small_group_from_two_tables(demo: Demo) -> None:
    by_directorate = TableRequest(("manager",), by=("_attr_directorate",))
    crossed = TableRequest(("manager",), by=("_attr_directorate", "_attr_job_category"))
    first = _table(demo, by_directorate)
    second = _table(demo, crossed)  # each alone passes the single-table rule
    # by hand: the managers of dase counted in the first table, minus those of
    # dase's visible cells in the second, is a group of fewer than 10 people
    leaks = []
    for row in first.rows:
        cells = [
            r for r in second.rows if r.group[0] == row.group[0] and r.level == row.level
        ]
        visible = sum(r.n for r in cells if r.n is not None)
        if row.n is not None and any(r.n is None for r in cells):
            leaks.append(0 < row.n - visible < first.min_count)
    assert any(leaks)
    with pytest.raises(SociaparisError) as refused:
        _table(demo, crossed, earlier=[by_directorate], audit_across=True)
    assert refused.value.error is ExplorerError.RECOVERABLE
    # the same table for someone whose tables are not audited together
    _table(demo, crossed, earlier=[by_directorate], audit_across=False)
    # and tables that reveal nothing together pass
    _table(
        demo,
        TableRequest(("manager",), by=("_attr_job_category",)),
        earlier=[TableRequest(("manager",))],
        audit_across=True,
    )


@pytest.mark.parametrize(
    ("request_", "error"),
    [
        (TableRequest(()), ExplorerError.NO_QUESTION),
        (TableRequest(("nope",)), ExplorerError.UNKNOWN_QUESTION),
        (TableRequest(("ai_use",), by=("tools_used",)), ExplorerError.UNKNOWN_BREAKDOWN),
        (
            TableRequest(("ai_use",), by=("manager", "work_area", "job_category")),
            ExplorerError.TOO_MANY_BREAKDOWNS,
        ),
        (TableRequest(("ai_use",), weighting="trimmed"), ExplorerError.BAD_WEIGHTING),
        (TableRequest(("ai_use",), test=True), ExplorerError.TEST_NEEDS_TWO),
        (
            TableRequest(("manager",), by=("manager",)),
            ExplorerError.QUESTION_IS_BREAKDOWN,
        ),
    ],
)
def test_refused_requests(demo: Demo, request_: TableRequest, error: object) -> None:
    with pytest.raises(SociaparisError) as refused:
        _table(demo, request_)
    assert refused.value.error is error


def test_raking_needs_margins(demo: Demo) -> None:
    with pytest.raises(SociaparisError) as refused:
        explore_table(
            demo.table,
            instrument=demo.instrument,
            request=TableRequest(("ai_use",), weighting="raked"),
        )
    assert refused.value.error is ExplorerError.NO_MARGINS


def test_logistic_model_is_svyglm_quasibinomial_with_r_names(demo: Demo) -> None:
    model = fit_model(
        demo.table,
        instrument=demo.instrument,
        response="manager",
        event="yes",
        predictors=("_attr_job_category", "ai_hours_week"),
        margins=demo.study.population,
        weighting="raked",
    )
    assert model.result.names == (
        "(Intercept)",
        "_attr_job_categoryB",
        "_attr_job_categoryC",
        "ai_hours_week",
    )
    design = weighted_design(
        demo.table,
        instrument=demo.instrument,
        margins=demo.study.population,
        weighting="raked",
    ).design
    manager = next(v.name for v in demo.table.variables if v.source == "manager")
    hours = next(v.name for v in demo.table.variables if v.source == "ai_hours_week")
    y = (design.data[manager] == "yes").astype(float).where(design.data[manager].notna())
    direct = glm(
        design.with_columns(_y=y.to_numpy(), _h=design.data[hours].astype(float)),
        response="_y",
        predictors=["_attr_job_category", "_h"],
        family="quasibinomial",
        nan_policy="omit",
    )
    assert model.result.coefficients == pytest.approx(direct.coefficients, rel=1e-10)
    assert model.result.se == pytest.approx(direct.se, rel=1e-10)
    code = model.r_code()
    assert 'svyglm(I(`profile/manager` == "yes") ~ `_attr_job_category` + ' in code
    assert "family = quasibinomial()" in code and "rake(des" in code


def test_copy_as_r_and_python(demo: Demo) -> None:
    result = _table(
        demo,
        TableRequest(
            ("ai_use",), by=("_attr_directorate", "_attr_job_category"), weighting="raked"
        ),
    )
    r = result.r_code()
    assert r.startswith("library(survey)\n")
    assert (
        "svyby(~factor(`ai_use`), ~`_attr_directorate` + `_attr_job_category`, "
        "des, svymean, na.rm = TRUE)" in r
    )
    assert "control = list(epsilon = 1e-10, maxit = 100)" in r
    python = result.python_code("studies/sociaparis")
    assert "by=('_attr_directorate', '_attr_job_category')" in python
    assert "study=load_study('studies/sociaparis')" in python
    compile(python, "copied.py", "exec")
