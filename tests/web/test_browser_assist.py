"""The suggestions panel in Chromium, as a researcher uses it: open a document
with suggestions, accept one with the keyboard only, reject one, filter by
confidence, then read a code's own suggestions page; axe-core finds no WCAG 2.1
A/AA violation at 1280 and 375 px."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from sociaparis.accounts.roles import Role
from sociaparis.assist.service import list_suggestions, start_run
from sociaparis.core.db import transaction
from sociaparis.qual import codebook_service, corpus
from sociaparis.qual.corpus import acting_account
from tests.assist.test_service import TEXT, Double
from tests.conftest import assert_accessible_at_both_widths


def test_review_suggestions_with_the_keyboard(
    live_server: Any, axe_page: Any, axe_violations: Any, logged_in: Any
) -> None:
    page = logged_in(axe_page, live_server, "claire", role=Role.RESEARCHER)
    with transaction(live_server.app.state.engine) as session:
        claire = acting_account(session=session, username="claire")
        doc = corpus.import_document(
            session=session, actor=claire, data=TEXT.encode(), filename="e1.txt",
            detect_speakers=True, needs_pseudonymization=False,
        ).id  # fmt: skip
        codes = [codebook_service.add_code(session=session, actor=claire, name=n).id
                 for n in ("Outils", "Erreurs")]  # fmt: skip
        start_run(session, claire, Double(), documents=[doc], codes=codes)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/qual/documents/{doc}?lang=fr")
    page.wait_for_selector("body[data-coding-ready]")
    items = page.locator("#assist-list .assist-item")
    expect(items).to_have_count(3)
    assert_accessible_at_both_widths(page, axe_violations, settle_ms=150)

    # keyboard only: focus the list's first suggestion, move down, accept
    page.focus("#assist-list .assist-item:first-child")
    page.keyboard.press("j")
    expect(items.nth(1)).to_be_focused()
    page.keyboard.press("a")
    page.wait_for_url("**done=accepted**")
    expect(page.locator("#assist-status")).to_have_text(
        "Suggestion acceptée : elle est maintenant un codage."
    )
    expect(page.locator("#coding-count")).to_have_text("1")
    expect(items).to_have_count(2)
    expect(page.locator("#assist-list .assist-item").nth(1)).to_be_focused()
    page.keyboard.press("r")  # reject the one that had followed
    page.wait_for_url("**done=rejected**")
    expect(items).to_have_count(1)

    page.fill("#assist-min-confidence", "0.5")
    page.click(".assist-filter button[type=submit]")
    expect(items).to_have_count(1)
    expect(items.first.locator("mark")).to_have_text("Albert aide beaucoup")
    assert_accessible_at_both_widths(page, axe_violations, settle_ms=150)
    page.fill("#assist-min-confidence", "0.95")
    page.click(".assist-filter button[type=submit]")
    expect(page.locator("#assist-empty")).to_be_visible()

    page.click("#suggestions a[href^='/assist/runs']")
    expect(page.locator("#runs-table tbody tr")).to_have_count(1)
    assert_accessible_at_both_widths(page, axe_violations)

    with transaction(live_server.app.state.engine) as session:
        claire = acting_account(session=session, username="claire")
        decided = list_suggestions(session=session, viewer=claire, status=None)
    assert [(s.quote, s.status) for s in decided] == [
        ("Albert aide beaucoup", "proposed"),
        ("il se trompe", "accepted"),
        ("invente des sources", "rejected"),
    ]

    # the code's own suggestions page, reached from the codebook
    waiting = decided[0]
    page.goto(f"{live_server.url}/qual/codebook/{waiting.code_id}?lang=fr")
    page.click("#code-suggestions")
    expect(page.locator("h1")).to_contain_text(waiting.code)
    expect(items).to_have_count(1)
    expect(items.first.locator("mark")).to_have_text("Albert aide beaucoup")
    assert_accessible_at_both_widths(page, axe_violations, settle_ms=150)
