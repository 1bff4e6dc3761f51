"""The report model of the demo study: numbers derived by hand, suppression, errors."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from scipy import stats

from sociaparis.analysis.errors import AnalysisError
from sociaparis.core.errors import SociaparisError
from sociaparis.reports.build import build_report
from sociaparis.reports.content import HIDDEN, MASKED, BarChart, Report, Table
from sociaparis.reports.errors import ReportError
from tests.reports.conftest import SMALL, Demo

SUPPRESSED = {HIDDEN, MASKED}


def _labels(demo: Demo, list_name: str) -> dict[str, str]:
    return {c.name: c.labels["fr"] for c in demo.instrument.choices[list_name]}


def _table(report: Report, section: str, kind: str) -> Table:
    return next(t for t in report.section(section).tables if t.kind == kind)


def test_sections_in_order(report_fr: Report) -> None:
    ids = [s.id for s in report_fr.sections]
    assert ids[:2] == ["participation", "weighting"]
    assert ids[-2:] == ["comparisons", "methods"]
    assert "q-effects_work" in ids and "q-about_you" in ids
    assert report_fr.n_responses == 303 and report_fr.n_synthetic == 303


def test_respondent_counts_are_the_hand_counts(demo: Demo, report_fr: Report) -> None:
    counts = demo.cell_counts()
    directorates = _labels(demo, "directorate")
    table = _table(report_fr, "participation", "respondents")
    categories = ["A", "B", "C"]
    shown = 0
    for row in table.rows[:-1]:
        code = next(k for k, v in directorates.items() if v == row[0])
        for cat, cell in zip(categories, row[1:4], strict=True):
            if cell not in SUPPRESSED:
                assert cell == counts[(code, cat)]
                assert not 0 < cell < 10
                shown += 1
        if row[4] not in SUPPRESSED:
            assert row[4] == sum(counts[(code, c)] for c in categories)
    assert shown >= 5
    assert table.rows[-1][-1] == 303


def test_response_rates_are_counts_over_population(demo: Demo, report_fr: Report) -> None:
    population = {tuple(c.levels): c.count for c in demo.study.population.cells}
    counts = demo.cell_counts()
    directorates = _labels(demo, "directorate")
    table = _table(report_fr, "participation", "rates")
    for row in table.rows[:-1]:
        code = next(k for k, v in directorates.items() if v == row[0])
        for cat, cell in zip("ABC", row[1:4], strict=True):
            if cell not in SUPPRESSED:
                assert cell == pytest.approx(
                    counts[(code, cat)] / population[(code, cat)], rel=1e-12
                )
    assert table.rows[-1][-1] == pytest.approx(303 / 51013, rel=1e-12)


def test_small_directorate_never_shown(demo: Demo, report_fr: Report) -> None:
    """3 respondents in dsin: every respondent-based cell of its rows is hidden."""
    label = _labels(demo, "directorate")[SMALL]
    rows = [
        (table, row)
        for section in report_fr.sections
        for table in section.tables
        for row in table.rows
        if row[0] == label
    ]
    kinds = sorted(table.kind for table, _ in rows)
    assert kinds == ["crosstab", "margins", "rates", "respondents"]
    for table, row in rows:
        if table.kind == "margins":  # population (public), weighted (= population)
            assert row[1] == 922 and row[3] == HIDDEN
        else:
            assert set(row[1:]) <= SUPPRESSED, (table.caption, row)


@pytest.mark.parametrize(
    ("dimension", "list_name"),
    [("directorate", "directorate"), ("job_category", "job_category")],
)
def test_weighting_reproduces_the_margins(
    demo: Demo, report_fr: Report, dimension: str, list_name: str
) -> None:
    margin = demo.study.population.margin(dimension)
    labels = _labels(demo, list_name)
    tables = [t for t in report_fr.section("weighting").tables if t.kind == "margins"]
    table = tables[0] if dimension == "directorate" else tables[1]
    for row in table.rows:
        code = next(k for k, v in labels.items() if v == row[0])
        assert row[1] == margin[code]
        np.testing.assert_allclose(row[2], margin[code], rtol=1e-8)


def test_weights_summary_is_consistent(report_fr: Report) -> None:
    values = dict(_table(report_fr, "weighting", "weights").rows)
    n, n_eff, deff = (
        values["Répondants pondérés"],
        values["Taille d'échantillon effective (Kish)"],
        values["Effet de plan dû à la pondération (Kish)"],
    )
    assert n == 303
    np.testing.assert_allclose(n_eff * deff, n, rtol=1e-12)  # Kish: n_eff = n / deff
    cv = values["Coefficient de variation des poids"]
    np.testing.assert_allclose(deff, 1 + cv**2, rtol=1e-12)


def test_unweighted_shares_and_intervals_by_hand(demo: Demo) -> None:
    """Without margins every weight is 1: p = k / n, se = sqrt(p (1 - p) / (n - 1))."""
    report = build_report(demo.table, instrument=demo.instrument, lang="fr")
    block = next(q for q in report.questions() if q.name == "ai_use")
    [chart] = block.charts
    assert isinstance(chart, BarChart)
    answers = demo.table.frame["ai_use"].dropna()
    n = len(answers)
    z = stats.norm.ppf(0.975)
    labels = _labels(demo, "use_frequency")
    for bar in chart.bars:
        code = next(k for k, v in labels.items() if v == bar.label)
        p = (answers == code).sum() / n
        se = np.sqrt(p * (1 - p) / (n - 1))
        np.testing.assert_allclose(bar.estimate, p, rtol=1e-12)
        np.testing.assert_allclose(bar.ci_low, max(0.0, p - z * se), rtol=1e-9)
        np.testing.assert_allclose(bar.ci_high, min(1.0, p + z * se), rtol=1e-9)
        assert bar.n == (answers == code).sum()


def test_every_question_type_gets_its_block(report_fr: Report) -> None:
    types = {q.name: (q.type, [c.kind for c in q.charts]) for q in report_fr.questions()}
    assert types["ai_use"] == ("select_one", ["bars"])
    assert types["tools_used"] == ("select_multiple", ["bars"])
    assert types["ai_hours_week"] == ("numeric", ["histogram"])
    assert types["open_city_role"] == ("text", [])
    assert types["effects_work:eff_quality"] == ("likert", ["diverging"])
    assert types["directorate"] == ("weighting", [])
    assert "no_identifying" not in types  # an acknowledgement is not a result
    likert = next(q for q in report_fr.questions() if q.type == "likert")
    assert len(likert.charts[0].rows) == 6 and len(likert.tables[0].rows) == 6


def test_comparisons_by_the_three_groups(report_fr: Report) -> None:
    tables = report_fr.section("comparisons").tables
    assert [t.columns[0] for t in tables] == ["Direction", "Catégorie d'emploi", "Âge"]
    assert all("Rao-Scott" in t.caption for t in tables)
    for table in tables:
        total = table.rows[-1]
        shares = list(total[1:-1])
        np.testing.assert_allclose(sum(shares), 1.0, rtol=1e-12)


def test_no_open_answer_in_the_report(demo: Demo, html_fr: str) -> None:
    from sociaparis.survey.synthetic import PHRASES

    texts = set(demo.table.frame["open/open_city_role"].dropna())
    assert texts and not any(text in html_fr for text in texts | set(PHRASES))


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"lang": "de"}, ReportError.BAD_LANGUAGE.code),
        ({"key_questions": ["open_city_role"]}, ReportError.UNKNOWN_QUESTION.code),
        ({"key_questions": ["nope"]}, ReportError.UNKNOWN_QUESTION.code),
        ({"min_cell_count": 3}, AnalysisError.MIN_COUNT_TOO_LOW.code),
    ],
)
def test_refused_options(demo: Demo, change: dict, code: str) -> None:
    with pytest.raises(SociaparisError) as info:
        build_report(demo.table, instrument=demo.instrument, **change)
    assert info.value.code == code


def test_no_completed_response(demo: Demo) -> None:
    frame = demo.table.frame.assign(_status="in_progress")
    table = dataclasses.replace(demo.table, frame=frame)
    with pytest.raises(SociaparisError) as info:
        build_report(table, instrument=demo.instrument)
    assert info.value.code == ReportError.NO_COMPLETED.code


def test_margins_on_a_dimension_nobody_recorded(demo: Demo) -> None:
    frame = demo.table.frame.assign(
        **{"_attr_job_category": None, "profile/job_category": None}
    )
    table = dataclasses.replace(demo.table, frame=frame)
    report = build_report(
        table, instrument=demo.instrument, margins=demo.study.population
    )
    assert any("job_category" in warning for warning in report.warnings)
    assert report.section("weighting").tables == ()
    assert report.section("participation").tables == ()


def test_json_twin(report_fr: Report) -> None:
    data = json.loads(json.dumps(report_fr.to_dict(), allow_nan=False))
    assert data["form_id"] == "sociaparis_staff_llm"
    assert [s["id"] for s in data["sections"]] == [s.id for s in report_fr.sections]
    rows = data["sections"][0]["tables"][0]["rows"]
    assert rows[-1][-1] == 303 and HIDDEN in {cell for row in rows for cell in row}


def test_repeat_instances_by_hand(demo: Demo) -> None:
    """Weights 1: a tool's share is its count over the instances that answered."""
    report = build_report(
        demo.table, instrument=demo.instrument, repeats=demo.repeats, key_questions=[]
    )
    ids = [s.id for s in report.sections]
    assert ids.index("q-tool") == ids.index("q-nonuse") + 1  # in questionnaire order
    block = next(q for q in report.questions() if q.name == "tool_frequency")
    tools = demo.repeats["tool"].frame
    answers = tools["tool/tool_page/tool_frequency"].dropna()
    assert block.n == tools.loc[answers.index, "_parent_id"].nunique()
    labels = _labels(demo, "use_frequency_user")
    for bar in block.charts[0].bars:
        code = next(k for k, v in labels.items() if v == bar.label)
        np.testing.assert_allclose(
            bar.estimate, (answers == code).sum() / len(answers), rtol=1e-12
        )


def test_responses_outside_the_population_are_left_out(demo: Demo) -> None:
    frame = demo.table.frame.copy()
    frame.loc[:4, "_attr_directorate"] = "DFA"  # not a level of the margins
    table = dataclasses.replace(demo.table, frame=frame)
    report = build_report(
        table, instrument=demo.instrument, margins=demo.study.population
    )
    assert report.n_responses == 298
    assert any("5 réponses" in p for p in report.section("weighting").paragraphs)


def test_progress_counts_every_step_once(demo: Demo) -> None:
    calls: list[tuple[int, int, str]] = []
    report = build_report(
        demo.table,
        instrument=demo.instrument,
        margins=demo.study.population,
        repeats=demo.repeats,
        progress=lambda done, total, what: calls.append((done, total, what)),
    )
    repeats = {f"q-{r.name}" for r in demo.instrument.repeats}
    blocks = [
        block.name
        for section in report.sections
        if section.id.startswith("q-") and section.id not in repeats
        for block in section.questions
    ]
    keys = report.parameters["key_questions"]
    total = len(calls)
    assert [call[:2] for call in calls] == [(k, total) for k in range(1, total + 1)]
    assert [call[2] for call in calls] == [
        "design",
        "weighting",
        "participation",
        *blocks,
        *keys,
    ]
    assert keys and blocks and repeats & {s.id for s in report.sections}
