"""The page of the AI's agreement with people in Chromium: a researcher reaches
it from the agreement page's tabs, chooses a run and a person and evaluates;
axe-core finds no WCAG 2.1 A/AA violation at 1280 and 375 px, where the page
does not scroll sideways."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from sociaparis.accounts.roles import Role
from sociaparis.core.db import transaction
from tests.assist.study import add_run, build
from tests.assist.test_evaluation import SUGGESTED
from tests.conftest import assert_accessible_at_both_widths


def test_evaluate_a_run_against_a_person(
    live_server: Any, axe_page: Any, axe_violations: Any, logged_in: Any
) -> None:
    page = logged_in(axe_page, live_server, "boss", role=Role.RESEARCHER)
    with transaction(live_server.app.state.engine) as session:
        run = add_run(session, build(session), SUGGESTED)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/qual/agreement?lang=fr")
    page.get_by_role("link", name="Accord de l'IA").click()
    page.wait_for_url("**/qual/assist/evaluation?lang=fr")
    expect(page.locator("h1")).to_have_text("Accord de l'IA avec les codeurs")
    assert_accessible_at_both_widths(page, axe_violations)

    page.get_by_label("Une exécution enregistrée (toutes ses propositions)").check()
    page.select_option("#ae-run", str(run))
    page.select_option("#ae-coder", "ana")
    page.get_by_role("button", name="Évaluer").click()
    page.wait_for_url("**go=true**")
    rows = page.locator("#evaluation tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0).locator("th")).to_have_text("IA")
    expect(rows.nth(0).locator("td").last).to_have_text("non fiable")
    expect(page.locator("#trusted")).to_contain_text("Aucun code n'atteint")
    expect(page.locator("figure.chart circle")).to_have_count(2)
    assert_accessible_at_both_widths(page, axe_violations)
