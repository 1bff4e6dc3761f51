"""A page with file inputs in headless Chromium: sent without JavaScript, axe clean."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from sociaparis.core.db import transaction
from sociaparis.survey.checks import STORED_FILE_NAME
from sociaparis.survey.fielding.service import create_invitations
from sociaparis.survey.models import ResponseRecord
from tests.factories import field_form
from tests.web.test_uploads_http import PDF, UPLOADS_FORM, jpeg_with_gps


@pytest.fixture
def invitation(live_server_with) -> tuple[object, str]:
    server = live_server_with(upload_min_free_bytes=0)
    with transaction(server.app.state.engine) as session:
        form_id = field_form(session, UPLOADS_FORM, attributes=())
        [created] = create_invitations(session=session, form_id=form_id, attributes=[{}])
    return server, created.token


def test_files_are_sent_by_a_browser_without_javascript_and_the_page_is_axe_clean(
    invitation, browser, axe_violations, tmp_path: Path
) -> None:
    server, token = invitation
    context = browser.new_context(
        locale="fr-FR", java_script_enabled=False, bypass_csp=True
    )
    page = context.new_page()
    page.goto(f"{server.url}/i/{token}")
    page.get_by_role("button", name="J'ai lu ces informations").click()
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(jpeg_with_gps())
    bad = tmp_path / "rapport.pdf"
    bad.write_bytes(b"not a pdf at all\x00")
    # The inputs are reached by their labels.
    page.get_by_label("Une photo du poste").set_input_files(str(photo))
    page.get_by_label("Le rapport").set_input_files(str(bad))
    page.get_by_role("button", name="Suivant").click()
    # Refused: the error is tied to the field, the photo is kept and named.
    assert page.locator("#error-summary").count() == 1
    assert page.locator("#q-photo-current").count() == 1
    context_axe = browser.new_context(locale="fr-FR", bypass_csp=True)
    axe_tab = context_axe.new_page()
    # axe needs JavaScript: the refused page's HTML is checked in a tab that
    # has it, opened at the same address (for its stylesheet).
    axe_tab.goto(page.url)
    axe_tab.set_content(page.content())
    assert axe_violations(axe_tab) == [], "file page with an error and a kept file"
    good = tmp_path / "rapport2.pdf"
    good.write_bytes(PDF)
    page.get_by_label("Le rapport").set_input_files(str(good))
    page.get_by_role("button", name="Suivant").click()
    assert page.get_by_label("Un commentaire").count() == 1
    with transaction(server.app.state.engine) as session:
        answers = session.scalars(select(ResponseRecord)).one().answers
    assert STORED_FILE_NAME.fullmatch(answers["photo"])
    assert answers["report"].endswith(".pdf")
    context.close()
    context_axe.close()


def test_a_fresh_file_page_has_no_wcag_violations(
    invitation, axe_page, axe_violations
) -> None:
    server, token = invitation
    axe_page.goto(f"{server.url}/i/{token}")
    axe_page.get_by_role("button", name="J'ai lu ces informations").click()
    assert axe_page.locator('input[type="file"]').count() == 2
    assert axe_violations(axe_page) == []
