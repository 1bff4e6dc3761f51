"""Live logic on the real respondent pages, in Chromium: under the app's CSP, told
to a screen reader, clean for axe-core, and not needed without JavaScript."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from sociaparis.core.db import transaction
from sociaparis.survey.models import ResponseRecord
from tests.web import test_browser_fielding as fielding
from tests.web.test_browser_fielding import _next, _radio, _radios

staff_invitation = fielding.staff_invitation  # the fixture: one staff invitation

OTHER_TOOL = "#q-tools_other"  # "Quel autre outil ?", asked when "other" is ticked
HOURS = 'input[name="ai_hours_week"]'
HOURS_MESSAGE = "Indiquez un nombre d'heures entre 0 et 60."


def _to_the_use_page(page, url: str, token: str) -> None:
    page.goto(f"{url}/i/{token}")
    page.get_by_role("button", name="J'ai lu ces informations").click()
    _next(page)  # introduction note
    page.select_option('select[name="directorate"]', "dsin")
    _radios(page, {"job_category": "B", "work_area": "digital", "manager": "no"})
    _radio(page, "public_contact", "yes")
    _next(page)
    _radio(page, "ai_use", "weekly")
    _next(page)
    assert page.locator('input[name="tools_used"]').count() > 0


def test_a_follow_up_appears_as_it_is_called_for_and_is_announced(
    live_server, staff_invitation, page
) -> None:
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text))
    _to_the_use_page(page, live_server.url, staff_invitation)
    follow_up = page.locator(OTHER_TOOL)
    assert page.locator('[data-field="tools_other"]').is_hidden()
    assert follow_up.is_disabled()
    page.check('input[name="tools_used"][value="other"]')
    # Shown at once, enabled, and told to a screen reader.
    assert page.locator('[data-field="tools_other"]').is_visible()
    assert follow_up.is_enabled()
    news = page.locator('#live-news[aria-live="polite"]')
    assert news.inner_text() == "Nouvelle question : Quel autre outil ?"
    # A touched answer shows its error as the server words it, and loses it.
    page.fill(HOURS, "75")
    error = page.locator("#q-ai_hours_week-error")
    assert HOURS_MESSAGE in error.inner_text()
    assert "q-ai_hours_week-error" in page.get_attribute(HOURS, "aria-describedby")
    page.fill(HOURS, "2,5")
    assert error.count() == 0
    # Unticked, the follow-up goes, its answer kept on the page but not sent.
    follow_up.fill("Albert")
    page.uncheck('input[name="tools_used"][value="other"]')
    assert page.locator('[data-field="tools_other"]').is_hidden()
    page.check('input[name="tools_used"][value="other"]')
    assert follow_up.input_value() == "Albert"
    page.check('input[name="tools_used"][value="city_tool"]')
    _radios(page, {"ai_initiative": "own", "manager_aware": "yes"})
    _next(page)
    # The follow-up was seen and answered: the page is not shown again.
    assert page.locator("fieldset.repeat-instance").count() == 2
    with transaction(live_server.app.state.engine) as session:
        answers = session.scalars(select(ResponseRecord)).one().answers
    assert answers["tools_other"] == "Albert"
    assert answers["ai_hours_week"] == "2.5"
    assert not [p for p in problems if "Content Security Policy" in p or "rror" in p]


def test_a_page_with_live_logic_has_no_wcag_violations(
    live_server, staff_invitation, axe_page, axe_violations
) -> None:
    page = axe_page
    _to_the_use_page(page, live_server.url, staff_invitation)
    assert axe_violations(page) == [], "before any answer"
    page.check('input[name="tools_used"][value="other"]')
    page.fill(HOURS, "75")
    assert page.locator("#q-ai_hours_week-error").count() == 1
    assert axe_violations(page) == [], "a follow-up shown and an error"
    page.fill(HOURS, "6")
    _radios(page, {"ai_initiative": "own", "manager_aware": "yes"})
    page.fill(OTHER_TOOL, "Albert")
    page.check('input[name="tools_used"][value="city_tool"]')
    _next(page)
    # The repeat page: live logic inside each instance.
    assert page.locator("fieldset.repeat-instance").count() == 2
    _radio(page, "tool_frequency.1", "daily")
    page.check('input[name="tool_tasks.1"][value="other"]')
    assert axe_violations(page) == [], "repeat page"


def test_an_error_corrected_leaves_the_summary_of_a_refused_page(
    live_server, staff_invitation, page
) -> None:
    _to_the_use_page(page, live_server.url, staff_invitation)
    page.fill(HOURS, "75")
    _next(page)  # refused by the server: no tool ticked, 75 hours
    summary = page.locator("#error-summary")
    assert summary.locator("li").count() == 2
    page.check('input[name="tools_used"][value="city_tool"]')
    assert summary.locator("li").count() == 1
    assert summary.locator('a[href="#q-ai_hours_week"]').count() == 1
    page.fill(HOURS, "6")
    assert summary.is_hidden()


@pytest.fixture
def no_script(browser):
    context = browser.new_context(locale="fr-FR", java_script_enabled=False)
    yield context.new_page()
    context.close()


def test_without_javascript_the_follow_up_comes_after_a_submit(
    live_server, staff_invitation, no_script
) -> None:
    page = no_script
    _to_the_use_page(page, live_server.url, staff_invitation)
    assert page.locator('[data-field="tools_other"]').is_hidden()
    assert page.locator(OTHER_TOOL).is_disabled()
    page.check('input[name="tools_used"][value="other"]')
    page.fill(HOURS, "6")
    _radios(page, {"ai_initiative": "own", "manager_aware": "yes"})
    _next(page)
    # The server shows the page again with the follow-up, answers kept.
    assert page.locator(OTHER_TOOL).is_visible()
    assert page.input_value(HOURS) == "6"
    page.fill(OTHER_TOOL, "Albert")
    _next(page)
    assert page.locator("fieldset.repeat-instance").count() == 1
