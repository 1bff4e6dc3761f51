"""The case matrix in Chromium, as a researcher uses it: from the workbench menu
to the 15-city frame's grid, a cell's evidence (the coded segments, with their
links into the coding view), a hand entry changed with a reason, seen in the
cell's history, a survey value's response, and a corrected file imported from
the grid with its report. axe-core finds no WCAG 2.1 A/AA violation at 1280 and
375 px, and no page scrolls sideways on the phone (the grid scrolls inside its
own region)."""

from __future__ import annotations

from sociaparis.accounts.roles import Role
from tests.conftest import assert_accessible_at_both_widths
from tests.web.compare_matrix_study import build_matrix_study


def test_open_a_cell_and_change_a_hand_entry(
    live_server, axe_page, axe_violations, logged_in
) -> None:
    build_matrix_study(live_server)
    page = logged_in(axe_page, live_server, "claire", role=Role.RESEARCHER)
    page.click("nav.workbench-nav >> text=Comparaison")
    assert_accessible_at_both_widths(page, axe_violations)
    page.click("#frames >> text=cities")
    assert page.inner_text("h1") == "cities"
    assert page.locator("#grid tbody tr").count() == 15
    assert_accessible_at_both_widths(page, axe_violations)
    # the grid scrolls inside its region on a phone
    page.set_viewport_size({"width": 375, "height": 900})
    assert page.evaluate(
        "(() => { const g = document.getElementById('grid');"
        " return g.scrollWidth > g.clientWidth; })()"
    )
    page.set_viewport_size({"width": 1280, "height": 900})

    page.click("#grid a[href*='case=Lyon&dimension=Charte&']")
    assert page.inner_text("h1") == "Lyon · Charte"
    assert page.locator("#segments .segment").count() == 2
    link = page.locator("#segments a").first.get_attribute("href")
    assert link.startswith("/qual/documents/") and "#c" in link
    assert_accessible_at_both_widths(page, axe_violations)

    page.click("text=Retour à la matrice cities")
    page.click("#grid a[href*='case=Lyon&dimension=adoption_score&']")
    assert page.inner_text("#cell-value") == "82"
    page.fill("#new-value", "40")
    page.fill("#reason", "rapport de la ville, mars 2026")
    page.click("#edit-form button[type=submit]")
    assert "enregistrée" in page.inner_text("#done")
    assert page.inner_text("#cell-value") == "40"
    newest = page.locator("#history tbody tr").first.inner_text()
    assert "claire" in newest and "82" in newest and "40" in newest
    assert "rapport de la ville, mars 2026" in newest
    assert_accessible_at_both_widths(page, axe_violations)

    # a survey value: the response behind it, all its answers
    page.click("text=Retour à la matrice cities")
    page.click("#grid a[href*='case=Lyon&dimension=driver&']")
    assert page.locator("#answers tbody tr.current").count() == 1
    assert_accessible_at_both_widths(page, axe_violations)

    # import a corrected file from the grid: the report lists the change
    page.click("text=Retour à la matrice cities")
    page.set_input_files(
        "#import-file",
        files=[{"name": "fix.csv", "mimeType": "text/csv",
                "buffer": b"city,adoption_score\nNantes,61\n"}],
    )  # fmt: skip
    page.click("#import-form button[type=submit]")
    assert page.inner_text("#changed-count") == "1"
    assert page.locator("#changes tbody tr").inner_text().split("\t")[0] == "Nantes"
    assert_accessible_at_both_widths(page, axe_violations)
