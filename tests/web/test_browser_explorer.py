"""The survey explorer in a real headless Chromium: a researcher explores a raked
table with a breakdown, reads its chart, copies the R code; axe-core clean at
1280 and 375 px."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

from sociaparis.core.db import transaction
from sociaparis.survey.fielding.service import configure_fielding, get_fielding
from sociaparis.survey.fielding.study import load_study_into_database
from sociaparis.survey.study import load_study
from sociaparis.survey.synthetic import add_synthetic_responses
from tests.conftest import assert_accessible_at_both_widths

STUDY_DIR = Path(__file__).resolve().parents[2] / "studies" / "sociaparis"
FORM = "sociaparis_staff_llm"


def test_explore_a_weighted_table_in_chromium(
    live_server_with, axe_page, axe_violations, logged_in
) -> None:
    server = live_server_with(study_dir=STUDY_DIR)
    study = load_study(STUDY_DIR)
    with transaction(server.app.state.engine) as session:
        for item in load_study_into_database(session=session, study=study):
            fielding = get_fielding(session=session, form_id=item.form_id)
            configure_fielding(
                session=session,
                fielding=dataclasses.replace(fielding, opens_on=None, closes_on=None),
            )
        add_synthetic_responses(
            session=session,
            form_id=FORM,
            count=120,
            seed=3,
            attribute_cells=study.population,
            today=date(2026, 11, 2),
        )
    page = axe_page
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.context.grant_permissions(
        ["clipboard-read", "clipboard-write"], origin=server.url
    )
    logged_in(page, server, "claire")

    page.get_by_role("link", name="Explorer les enquêtes").click()
    page.get_by_role("link", name=FORM).click()
    form = page.locator("#explorer-form")
    form.get_by_label("Questions").select_option(["ai_use"])
    form.get_by_label("Ventiler par").select_option("_attr_job_category")
    form.get_by_label("Pondération").select_option("raked")
    form.get_by_role("button", name="Afficher").click()
    page.wait_for_selector("#explorer-table")

    weights = page.locator("#explorer-weights").inner_text()
    assert "Calée sur les marges" in weights and "Effet de plan de Kish" in weights
    rows = page.locator("#explorer-table tbody tr")
    assert rows.count() == 15  # 5 answers x 3 job categories
    cells = [rows.nth(k).locator("td").all_inner_texts() for k in range(rows.count())]
    assert [c[0] for c in cells[:5]] == ["A"] * 5
    assert cells[0][1] == "Tous les jours ou presque"
    first = next(c for c in cells if c[2].endswith(" %"))

    chart = page.locator("#explorer-chart-0")
    chart.wait_for()
    page.wait_for_function(
        "() => document.querySelector('#explorer-chart-0').naturalWidth > 0"
    )
    source = page.evaluate("document.querySelector('#explorer-chart-0').src")
    svg = page.request.get(source).text()
    # the chart says, for a screen reader, what the table shows
    estimate = f"{round(float(first[2].removesuffix(' %')))}\u202f%"  # whole percents
    assert f"{first[0]} — {first[1]}: {estimate}" in svg

    page.get_by_role("button", name="Copier le code R").click()
    page.wait_for_function(
        "() => document.querySelector('#explorer-copied').textContent !== ''"
    )
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("library(survey)")
    assert "svyby(~factor(`ai_use`), ~`_attr_job_category`, des, svymean" in copied
    assert "rake(des" in copied

    assert_accessible_at_both_widths(page, axe_violations)
    assert [e for e in errors if "Content Security Policy" in e] == []
