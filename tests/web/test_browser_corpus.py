"""The corpus pages in Chromium, as a researcher uses them: upload several
files at once and read the report; review a pseudonymized document (accept
with the keyboard, reject, widen a span by selecting it, add a missed one)
and release it; edit the case table.  axe-core finds no WCAG 2.1 A/AA
violation at 1280 and 375 px, where no page scrolls sideways.  The
screenshots of docs/workbench.md are taken here."""

from __future__ import annotations

from pathlib import Path

from sociaparis.core.db import transaction
from sociaparis.qual.corpus import acting_account, document_text
from tests.conftest import assert_accessible_at_both_widths, doc_images
from tests.web.test_corpus_http import INTERVIEW, NOTES, TEXT, _under_review

IMAGES = doc_images()


def _shot(page, name: str) -> None:
    IMAGES.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(IMAGES / f"workbench-corpus-{name}.png"), full_page=True)


def test_upload_several_files_and_read_the_report(
    live_server, axe_page, axe_violations, logged_in, tmp_path: Path
) -> None:
    page = logged_in(axe_page, live_server, "claire")
    page.click(".workbench-nav a:has-text('Corpus')")
    assert page.url.endswith("/qual/corpus?lang=fr")
    assert_accessible_at_both_widths(page, axe_violations)
    (tmp_path / "entretien-07.txt").write_text(INTERVIEW, encoding="utf-8")
    (tmp_path / "notes.txt").write_text(NOTES, encoding="utf-8")
    (tmp_path / "faux.docx").write_bytes(b"du texte, pas un docx")
    page.set_input_files(
        "#files",
        [str(tmp_path / n) for n in ("entretien-07.txt", "notes.txt", "faux.docx")],
    )
    page.fill("#upload-case", "Agent 07")
    page.check("#upload-speakers")
    _shot(page, "upload")
    page.click("#upload-button")  # sent by corpus.js, with its progress bar
    page.wait_for_selector("#report-summary", timeout=120_000)
    assert page.inner_text("#report-summary").startswith(
        "2 fichier(s) importé(s), 1 refusé(s)."
    )
    interview = page.locator("li[data-filename='entretien-07.txt']")
    assert interview.locator("dd.turns").inner_text() == "3"
    assert interview.locator("dd.speakers").inner_text() == "Enquêtrice, Agent"
    assert "QUAL_320" in page.locator("li[data-filename='notes.txt']").inner_text()
    assert "QUAL_004" in page.locator("li[data-filename='faux.docx']").inner_text()
    assert_accessible_at_both_widths(page, axe_violations)
    _shot(page, "report")

    page.goto(f"{live_server.url}/qual/corpus?lang=fr")
    assert page.locator("tr[data-document]").count() == 2
    assert_accessible_at_both_widths(page, axe_violations)


SELECT = """([from, to]) => {
  // Select text[from:to] of the review text as a person would with the mouse.
  const root = document.getElementById('review-text');
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let at = 0, start = null, end = null;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest('.pseudo-label')) continue;
    const length = node.data.length;
    if (start === null && from <= at + length) start = [node, from - at];
    if (end === null && to <= at + length) { end = [node, to - at]; break; }
    at += length;
  }
  const range = document.createRange();
  range.setStart(...start);
  range.setEnd(...end);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  root.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
}"""


def test_review_accept_reject_widen_add_and_release(
    live_server, axe_page, axe_violations, logged_in
) -> None:
    page = logged_in(axe_page, live_server, "claire")
    doc = _under_review(live_server)
    page.goto(f"{live_server.url}/qual/corpus/{doc}/review?lang=fr")
    assert (
        page.inner_text("#review-summary")
        == "3 remplacement(s), dont 3 encore proposé(s)."
    )
    assert_accessible_at_both_widths(page, axe_violations)
    _shot(page, "review")

    # accept Mme Garnier with the keyboard only
    page.focus("#r-1 button[value=accept]")
    page.keyboard.press("Enter")
    page.wait_for_url("**#r-1")
    assert page.inner_text("#r-1 .replacement-status") == "accepté"
    page.click("#r-2 button[value=reject]")  # Paul Vidal stays
    assert page.inner_text("#r-2 .replacement-status") == "rejeté"

    # widen "Direction des Finances" by selecting the whole name in the text
    start = TEXT.index("Direction")
    end = start + len("Direction des Finances et des Achats")
    page.evaluate(SELECT, [start, end])
    assert page.input_value("#r-0 .bound-end") == str(end)
    assert "Direction des Finances et des Achats" in page.inner_text("#selection")
    page.click("#r-0 button[value=bounds]")
    assert page.inner_text("#m-0").startswith("Direction des Finances et des Achats")

    # add a missed one: select "2019", choose its kind, add
    year = TEXT.index("2019")
    page.evaluate(SELECT, [year, year + 4])
    assert (page.input_value("#add-start"), page.input_value("#add-end")) == (
        str(year),
        str(year + 4),
    )
    page.select_option("#add-kind", "TERME")
    page.click("#add-button")
    assert "2019" in page.inner_text("#review-text a.kind-terme >> nth=1")
    assert (
        page.inner_text("#review-summary")
        == "4 remplacement(s), dont 0 encore proposé(s)."
    )
    assert_accessible_at_both_widths(page, axe_violations)

    page.click("#release")
    assert page.inner_text("#released").startswith("Document libéré")
    with transaction(live_server.app.state.engine) as session:
        claire = acting_account(session=session, username="claire")
        text = document_text(session=session, actor=claire, ref=doc)
    assert text == (
        "Agent : Je suis à la [TERME-1] depuis [TERME-2], avec Mme [PERSONNE-1]. "
        "Paul Vidal passe parfois."
    )


def test_case_table_in_the_browser(
    live_server, axe_page, axe_violations, logged_in
) -> None:
    page = logged_in(axe_page, live_server, "claire")
    _under_review(live_server)  # a document in the case "Agent 01"
    page.goto(f"{live_server.url}/qual/cases?lang=fr")
    page.fill("#attribute-name", "direction")
    page.click('button:has-text("Ajouter l\'attribut")')
    page.fill("#attribute-name", "âge")
    page.select_option("#attribute-type", "Integer")
    page.click('button:has-text("Ajouter l\'attribut")')
    page.fill("#case-name", "Agent 02")
    page.click("button:has-text('Ajouter le cas')")
    row = page.locator("tr[data-case='Agent 01']")
    row.locator("input[name='cell:direction']").fill("DFA")
    row.locator("input[name='cell:âge']").fill("quarante")
    row.locator("button").click()
    assert "QUAL_323" in page.inner_text("#case-error")
    assert_accessible_at_both_widths(page, axe_violations)
    row = page.locator("tr[data-case='Agent 01']")
    row.locator("input[name='cell:direction']").fill("DFA")
    row.locator("input[name='cell:âge']").fill("41")
    row.locator("button").click()
    row = page.locator("tr[data-case='Agent 01']")
    assert row.locator("input[name='cell:âge']").input_value() == "41"
    assert_accessible_at_both_widths(page, axe_violations)
    _shot(page, "cases")
    row.locator("a").click()  # its documents, filtered by case
    assert page.locator("tr[data-document]").count() == 1


def test_an_admin_reads_the_reidentification_table(
    live_server, axe_page, axe_violations, logged_in
) -> None:
    from sociaparis.accounts.roles import Role

    page = logged_in(axe_page, live_server, "claire", role=Role.ADMIN)
    doc = _under_review(live_server)
    # the table holds the names of released documents only
    page.goto(f"{live_server.url}/qual/corpus/{doc}/review?lang=fr")
    page.click("text=Accepter tous les remplacements proposés")
    page.click("#release")
    page.goto(f"{live_server.url}/qual/corpus?lang=fr")
    page.click("text=Table de réidentification")
    assert page.url.endswith("/qual/corpus/reidentification?lang=fr")
    rows = page.inner_text("table")
    assert "[TERME-1]" in rows and "Direction des Finances" in rows
    assert_accessible_at_both_widths(page, axe_violations)
