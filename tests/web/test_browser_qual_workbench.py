"""The codebook and qualitative analysis pages in Chromium, as people use them: a
researcher merges two codes, opens a matrix cell's segments and computes an
agreement report with its disagreements; blind mode hides another coder's
codings from a coder in a second browser until the researcher reveals them.
axe-core finds no WCAG 2.1 A/AA violation at 1280 and 375 px, and no page
scrolls sideways on the phone (matrices scroll inside their own region).

The screenshots of ``docs/workbench.md`` are taken here (``docs/images/`` with
``SOCIAPARIS_DOC_IMAGES=1``).
"""

from __future__ import annotations

from tests.conftest import BROWSER_PASSWORD, assert_accessible_at_both_widths, doc_images
from tests.web.qual_workbench import build_corpus

IMAGES = doc_images()


def _log_in(page, server, username: str):
    page.goto(f"{server.url}/login")
    page.fill("#username", username)
    page.fill("#password", BROWSER_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/**")
    return page


def _shot(page, name: str, at: str | None = None) -> None:
    """A laptop-sized screenshot for the docs, scrolled to ``at`` (a selector)."""
    IMAGES.mkdir(exist_ok=True)
    if at is not None:
        page.locator(at).first.scroll_into_view_if_needed()
        page.evaluate(f"document.querySelector({at!r}).scrollIntoView()")
    page.screenshot(path=str(IMAGES / f"workbench-{name}.png"), full_page=False)


def test_merge_two_codes_in_the_browser(live_server, axe_page, axe_violations) -> None:
    build_corpus(live_server)
    page = _log_in(axe_page, live_server, "boss")
    page.click("nav.workbench-nav >> text=Livre de codes")
    assert page.url.startswith(f"{live_server.url}/qual/codebook")
    assert_accessible_at_both_widths(page, axe_violations)
    _shot(page, "codebook")
    page.check("#merge-form >> label:has-text('Outils > Copilot')")
    page.select_option("#merge-target", label="Risques")
    page.click("#merge-form button[type=submit]")
    assert "fusionnés" in page.inner_text("#done")
    tree = page.inner_text("#code-tree")
    assert "Copilot" not in tree and "Risques" in tree
    assert "5 codages" in page.inner_text("#code-tree li:has-text('Risques')")
    assert_accessible_at_both_widths(page, axe_violations)
    page.click("#code-tree >> text=Risques")
    assert "Modifier" in page.inner_text("main")
    assert_accessible_at_both_widths(page, axe_violations)
    # the keyboard path of a move: the form on the code's page
    page.focus("#move-parent")
    page.keyboard.press("ArrowDown")
    page.focus("#move-form button[type=submit]")
    page.keyboard.press("Enter")
    assert "déplacé" in page.inner_text("#done")
    assert "Outils > Risques" in page.inner_text("h1")


def test_open_a_matrix_cells_segments(live_server, axe_page, axe_violations) -> None:
    build_corpus(live_server)
    page = _log_in(axe_page, live_server, "boss")
    page.click("nav.workbench-nav >> text=Analyse qualitative")
    assert page.url.startswith(f"{live_server.url}/qual/matrix")
    assert_accessible_at_both_widths(page, axe_violations)
    _shot(page, "matrix", "#matrix-form")
    # Risques x Agent B: 2 codings
    row = page.locator("#matrix tr", has_text="Risques")
    row.locator("td").nth(1).locator("a").click()
    assert page.url.startswith(f"{live_server.url}/qual/segments")
    assert page.locator("article.segment").count() == 2
    assert "Albert hallucine" in page.inner_text("#segments")
    assert_accessible_at_both_widths(page, axe_violations)
    _shot(page, "segments", "#segments")
    link = page.locator("article.segment a").first.get_attribute("href")
    assert link.startswith("/qual/documents/") and "#c" in link
    page.goto(f"{live_server.url}/qual/matrix?view=cooccurrence&mode=turn")
    assert_accessible_at_both_widths(page, axe_violations)
    page.goto(f"{live_server.url}/qual/search")
    page.fill("#q", "hallucine")
    page.click("#search-form button")
    assert page.locator("mark", has_text="hallucine").count() == 2
    page.check("#hit-1")
    page.select_option("#hits-code", label="Risques")
    assert_accessible_at_both_widths(page, axe_violations)
    _shot(page, "search", "#hits")
    page.click("#code-hits-form button[type=submit]")
    assert "1 codages enregistrés" in page.inner_text("#coded")


def test_agreement_report_and_blind_mode(
    live_server, browser, axe_page, axe_violations
) -> None:
    build_corpus(live_server)
    page = _log_in(axe_page, live_server, "boss")
    page.goto(f"{live_server.url}/qual/agreement")
    assert_accessible_at_both_widths(page, axe_violations)
    page.check("#agreement-form >> label:has-text('ana')")
    page.check("#agreement-form >> label:has-text('ben')")
    page.click("#agreement-form button[type=submit]")
    assert page.locator("#disagreements article.disagreement").count() == 6
    assert "0.750" in page.inner_text("#coefficients tr:has-text('Risques')")
    first = page.locator("#disagreements article.disagreement").first
    assert first.locator(".side").count() == 2
    assert_accessible_at_both_widths(page, axe_violations)
    _shot(page, "agreement", "#report")

    coder = browser.new_context(locale="fr-FR").new_page()
    _log_in(coder, live_server, "ana")
    coder.goto(f"{live_server.url}/qual/segments?code=Risques")
    assert coder.locator("article.segment").count() == 3

    page.click("button:has-text('Activer le mode aveugle')")
    assert "ses propres codages" in page.inner_text("#blind-state")
    coder.reload()
    assert coder.locator("article.segment").count() == 1
    assert "ben" not in coder.inner_text("#segments")
    page.click("button:has-text('Révéler les codages')")
    assert "révélés" in page.inner_text("#blind-state")
    coder.reload()
    assert coder.locator("article.segment").count() == 3
    coder.context.close()


def test_drag_a_code_onto_another(live_server, page) -> None:
    build_corpus(live_server)
    _log_in(page, live_server, "boss")
    page.goto(f"{live_server.url}/qual/codebook")
    page.drag_and_drop(
        "#code-tree li:has(> a:text-is('Copilot'))",
        "#code-tree li:has(> a:text-is('Risques'))",
    )
    page.wait_for_url("**/qual/codebook/*done=moved*")
    assert "Risques > Copilot" in page.inner_text("h1")
