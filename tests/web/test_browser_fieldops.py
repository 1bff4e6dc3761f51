"""The field operations pages in Chromium: a researcher uploads a form, reads
its check report, previews and simulates it, closes and opens fielding, and
a respondent opts out; axe-core finds no WCAG 2.1 A/AA violation on any of
these pages, at a laptop's width and a 375 px phone's, where no page scrolls
sideways."""

from __future__ import annotations

from pathlib import Path

from sociaparis.core.db import transaction
from sociaparis.survey.fielding.service import create_invitations
from tests.conftest import assert_accessible_at_both_widths
from tests.factories import FIELDING_FORM, field_form

PASSWORD = "a long enough password"


def test_field_operations_pages_in_chromium(
    live_server, axe_page, axe_violations, logged_in, tmp_path: Path
) -> None:
    with transaction(live_server.app.state.engine) as session:
        form_id = field_form(session)
        [invitation] = create_invitations(
            session=session, form_id=form_id, attributes=[{}]
        )
    page = logged_in(axe_page, live_server, "claire")
    assert_accessible_at_both_widths(page, axe_violations)
    page.click("#field-operations")
    assert page.url.endswith("/forms?lang=fr")
    assert_accessible_at_both_widths(page, axe_violations)

    broken = tmp_path / "broken.md"
    broken.write_text(FIELDING_FORM.replace("select_one freq", "select_one nolist"))
    page.set_input_files("#form-file", str(broken))
    page.click("button[value=check]")
    assert "ne peut pas être utilisé" in page.inner_text("#check-result")
    assert_accessible_at_both_widths(page, axe_violations)

    page.goto(f"{live_server.url}/forms/{form_id}")
    page.fill("#answers", '{"service": "DFA", "hours": "75"}')
    page.click("form[action*=simulate] button")
    assert "Entre 0 et 60 heures." in page.inner_text("#simulation")
    assert_accessible_at_both_widths(page, axe_violations)
    page.click("button:has-text('Clore la collecte')")
    assert "Close" in page.inner_text("#fielding-state")
    assert_accessible_at_both_widths(page, axe_violations)
    page.click("button:has-text('Ouvrir la collecte')")

    page.goto(f"{live_server.url}/forms/{form_id}/preview")
    assert "Aperçu" in page.inner_text(".preview-banner")
    page.click("button[value=next]")  # nothing typed: the error summary
    assert page.is_visible("#error-summary")
    assert_accessible_at_both_widths(page, axe_violations)

    page.goto(f"{live_server.url}/forms/{form_id}/invitations")
    assert "SOCIAPARIS_SMTP_HOST" in page.inner_text("#smtp-missing")
    assert_accessible_at_both_widths(page, axe_violations)

    page.goto(f"{live_server.url}/optout/{invitation.token}")
    assert_accessible_at_both_widths(page, axe_violations)
    page.click("button:has-text('Confirmer')")
    assert "C'est noté" in page.inner_text("#optout-done")
    assert_accessible_at_both_widths(page, axe_violations)
