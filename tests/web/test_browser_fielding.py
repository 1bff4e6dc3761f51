"""The staff survey answered in a real headless Chromium, and its pages checked by axe.

The browser runs with JavaScript disabled for the respondent: every page must work
as a plain HTML form.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy import select

from sociaparis.core.db import transaction
from sociaparis.survey.fielding.service import (
    configure_fielding,
    create_invitations,
    get_fielding,
)
from sociaparis.survey.fielding.study import load_study_into_database
from sociaparis.survey.models import ResponseRecord
from sociaparis.survey.study import load_study

STUDY = Path(__file__).resolve().parents[2] / "studies" / "sociaparis"
STAFF_FORM = "sociaparis_staff_llm"

LIKERT_WORK = {
    "eff_quality": "4",
    "eff_time": "5",
    "eff_repetitive": "4",
    "eff_content": "3",
    "eff_checking": "2",
    "eff_workload": "3",
}
LIKERT_EXPERTISE = {
    "exp_learning": "4",
    "exp_judgement": "3",
    "exp_recognition": "2",
    "exp_skills_loss": "2",
}
LIKERT_RELATIONS = {
    "rel_exchange": "4",
    "rel_less_help": "2",
    "rel_manager_support": "3",
    "rel_manager_expect": "3",
    "rel_public_change": "2",
    "rel_public_quality": "4",
}
CONCERNS = {
    "con_errors": "4",
    "con_confidentiality": "4",
    "con_environment": "3",
    "con_deskilling": "2",
    "con_job_content": "2",
    "con_jobs": "1",
    "con_bias": "3",
}
TOOL_INSTANCES = [
    {
        "tool_frequency": "daily",
        "tool_tasks": "drafting summarising",
        "tool_checking": "always",
        "tool_satisfaction": "4",
    },
    {
        "tool_frequency": "monthly",
        "tool_tasks": "searching",
        "tool_checking": "often",
        "tool_satisfaction": "3",
    },
]
EXPECTED = {
    "directorate": "dsin",
    "job_category": "B",
    "work_area": "digital",
    "manager": "no",
    "public_contact": "yes",
    "ai_use": "weekly",
    "tools_used": "general_pro city_tool",
    "ai_hours_week": "6",
    "ai_initiative": "own",
    "manager_aware": "yes",
    "tool": TOOL_INSTANCES,
    **LIKERT_WORK,
    **LIKERT_EXPERTISE,
    **LIKERT_RELATIONS,
    **CONCERNS,
    "charter_known": "read",
    "training_received": "no",
    "training_wanted": "maybe",
    "charter_useful": "3",
    "training_topics": "prompting checking",
    "age_band": "age_40_49",
    "seniority": "yrs_11_20",
    "no_identifying": "OK",
    "open_experience": "Je relis tout ; « gain de temps » réel.",
    "open_city_role": '=HYPERLINK("x") <b>pas de HTML</b>',
}


@pytest.fixture
def staff_invitation(live_server) -> str:
    with transaction(live_server.app.state.engine) as session:
        load_study_into_database(session=session, study=load_study(STUDY))
        fielding = get_fielding(session=session, form_id=STAFF_FORM)
        configure_fielding(
            session=session,
            fielding=dataclasses.replace(fielding, opens_on=None, closes_on=None),
        )
        [invitation] = create_invitations(
            session=session,
            form_id=STAFF_FORM,
            attributes=[{"directorate": "dsin", "job_category": "B"}],
        )
    return invitation.token


def _radio(page, name: str, value: str) -> None:
    page.check(f'input[type=radio][name="{name}"][value="{value}"]')


def _checkboxes(page, name: str, values: str) -> None:
    for value in values.split():
        page.check(f'input[type=checkbox][name="{name}"][value="{value}"]')


def _next(page) -> None:
    page.click('button[name="_action"][value="next"]')


def _radios(page, answers: dict[str, str]) -> None:
    for name, value in answers.items():
        _radio(page, name, value)


@pytest.fixture
def respondent(browser):
    context = browser.new_context(locale="fr-FR", java_script_enabled=False)
    yield context.new_page()
    context.close()


def test_a_respondent_answers_the_staff_survey_in_the_browser(
    live_server, staff_invitation, respondent
) -> None:
    page = respondent
    page.goto(f"{live_server.url}/i/{staff_invitation}")
    page.get_by_role("button", name="J'ai lu ces informations").click()
    _next(page)  # introduction note

    page.select_option('select[name="directorate"]', "dsin")
    _radios(page, {"job_category": "B", "work_area": "digital", "manager": "no"})
    _radio(page, "public_contact", "yes")
    _next(page)
    _radio(page, "ai_use", "weekly")
    _next(page)

    _checkboxes(page, "tools_used", "general_pro city_tool")
    page.fill('input[name="ai_hours_week"]', "75")
    _radios(page, {"ai_initiative": "own", "manager_aware": "yes"})
    _next(page)
    # The constraint error: summary at the top, linked to the field, answers kept.
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert page.locator('#error-summary a[href="#q-ai_hours_week"]').count() == 1
    assert page.input_value('input[name="ai_hours_week"]') == "75"
    assert page.is_checked('input[name="tools_used"][value="city_tool"]')
    page.fill('input[name="ai_hours_week"]', "6")
    _next(page)

    # The repeat: one instance per kind of tool chosen (repeat_count).
    assert page.locator("fieldset.repeat-instance").count() == 2
    for number, instance in enumerate(TOOL_INSTANCES, start=1):
        _radio(page, f"tool_frequency.{number}", instance["tool_frequency"])
        _checkboxes(page, f"tool_tasks.{number}", instance["tool_tasks"])
        _radio(page, f"tool_checking.{number}", instance["tool_checking"])
        _radio(page, f"tool_satisfaction.{number}", instance["tool_satisfaction"])
    _next(page)

    _radios(page, LIKERT_WORK)
    _next(page)
    # A back step: the previous page comes back with its answers.
    page.click('button[name="_action"][value="back"]')
    assert page.is_checked('input[name="eff_time"][value="5"]')
    _next(page)
    _radios(page, LIKERT_EXPERTISE)
    _next(page)
    _radios(page, LIKERT_RELATIONS)
    _next(page)
    _radios(page, CONCERNS)
    _next(page)

    _radios(page, {"charter_known": "read", "training_received": "no"})
    _radio(page, "training_wanted", "maybe")
    _next(page)
    _radio(page, "charter_useful", "3")
    _checkboxes(page, "training_topics", "prompting checking")
    _next(page)
    _radios(page, {"age_band": "age_40_49", "seniority": "yrs_11_20"})
    _next(page)
    page.check('input[name="no_identifying"]')
    page.fill('textarea[name="open_experience"]', EXPECTED["open_experience"])
    page.fill('textarea[name="open_city_role"]', EXPECTED["open_city_role"])
    _next(page)
    # The closing note waits for the thanks page: this page only asks to send.
    thanks_note = "Merci pour votre participation."
    assert thanks_note not in page.content()
    assert page.locator("p.closing").is_visible()
    assert page.locator('button[value="next"]').inner_text() == "Envoyer mes réponses"
    _next(page)

    assert page.locator("h1").inner_text() == "Merci !"
    assert thanks_note in page.locator("main").inner_text()
    with transaction(live_server.app.state.engine) as session:
        response = session.scalars(select(ResponseRecord)).one()
        assert response.status == "completed"
        assert response.answers == EXPECTED
        assert response.attributes == {"directorate": "dsin", "job_category": "B"}
        assert response.invitation_id is None


def _to_the_first_likert_page(page) -> None:
    """From the profile page, the shortest way to a Likert table (a non-user)."""
    page.select_option('select[name="directorate"]', "dfa")
    _radios(page, {"job_category": "A", "work_area": "admin", "manager": "no"})
    _radio(page, "public_contact", "no")
    _next(page)
    _radio(page, "ai_use", "never")
    _next(page)
    _next(page)  # non-use reasons are optional
    assert page.locator("table.likert").count() == 1


#: every radio button of the Likert tables, with the visible text of its own
#: column label and of its column header, and their boxes
_LIKERT_RADIOS = """() => [...document.querySelectorAll('table.likert input[type=radio]')]
  .map((input) => {
    const box = (element) => {
      const r = element.getBoundingClientRect();
      const style = getComputedStyle(element);
      const shown = r.width > 0 && r.height > 0 && style.visibility === 'visible';
      return shown ? {x: r.x, y: r.y, right: r.right, bottom: r.bottom} : null;
    };
    const label = input.parentElement.querySelector('label.likert-choice');
    const header = document.getElementById(
      input.getAttribute('aria-labelledby').split(' ')[1]);
    return {radio: box(input), label: label && box(label),
            text: label && label.innerText.trim(),
            header: box(header), headerText: header.innerText.trim()};
  })"""


@pytest.mark.parametrize("width", [375, 1280])
def test_a_likert_table_shows_a_label_by_every_radio_button_on_a_phone_and_a_desk(
    live_server, staff_invitation, axe_page, axe_violations, width, tmp_path
) -> None:
    page = axe_page
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{live_server.url}/i/{staff_invitation}")
    page.get_by_role("button", name="J'ai lu ces informations").click()
    _next(page)
    _to_the_first_likert_page(page)
    radios = page.evaluate(_LIKERT_RADIOS)
    assert len(radios) == 7 * 4  # the concerns: seven statements, four columns
    for radio in radios:
        assert radio["radio"] is not None
        if width == 375:
            # The column headers are out of sight; the label beside the button
            # names its column, on the same line, right of it.
            assert radio["header"] is None
            label = radio["label"]
            assert label is not None and radio["text"] == radio["headerText"]
            assert label["x"] >= radio["radio"]["right"]
            assert label["x"] - radio["radio"]["right"] < 40
            assert label["y"] < radio["radio"]["bottom"]
            assert radio["radio"]["y"] < label["bottom"]
        else:
            # The grid as on a desk: the header above, no label in the cell.
            assert radio["label"] is None
            header = radio["header"]
            assert header is not None and header["bottom"] <= radio["radio"]["y"]
            assert header["x"] <= radio["radio"]["x"] <= header["right"]
    # The buttons keep their accessible names from the row and column headers.
    first = page.locator('table.likert input[type="radio"]').first
    assert first.evaluate("(e) => e.getAttribute('aria-labelledby')").endswith("-c1")
    page.screenshot(path=str(tmp_path / f"likert-{width}.png"), full_page=True)
    assert axe_violations(page) == [], f"Likert page at {width} px"


def test_consent_likert_error_and_thanks_pages_have_no_wcag_violations(
    live_server, staff_invitation, axe_page, axe_violations
) -> None:
    page = axe_page
    page.goto(f"{live_server.url}/i/{staff_invitation}")
    assert axe_violations(page) == [], "consent page"
    page.get_by_role("button", name="J'ai lu ces informations").click()
    _next(page)
    _next(page)  # the profile page, left empty: required errors
    assert page.locator("#error-summary").count() == 1
    assert axe_violations(page) == [], "page with errors"
    _to_the_first_likert_page(page)
    assert axe_violations(page) == [], "Likert page"
    while page.locator("h1").inner_text() != "Merci !":
        if page.locator("p.closing").count():
            assert axe_violations(page) == [], "last page"
        if page.locator('input[name="no_identifying"]').count():
            page.check('input[name="no_identifying"]')
        for name in ("charter_known", "training_received", "training_wanted"):
            if page.locator(f'input[name="{name}"]').count():
                _radio(page, name, "no")
        for name, value in (("age_band", "under_30"), ("seniority", "under_2")):
            if page.locator(f'input[name="{name}"]').count():
                _radio(page, name, value)
        _next(page)
    assert axe_violations(page) == [], "thanks page"


def test_the_open_link_is_consented_to_in_a_browser_without_javascript(
    live_server, respondent
) -> None:
    # A real browser's own form post (Origin: null under no-referrer, Sec-Fetch-Site:
    # same-origin, the visitor cookie) must pass the cross-site and CSRF checks.
    from tests.factories import field_form

    with transaction(live_server.app.state.engine) as session:
        form_id = field_form(session, open_link=True)
    respondent.goto(f"{live_server.url}/o/{form_id}")
    with respondent.expect_response(lambda r: r.request.method == "POST") as posted:
        respondent.locator('form[method="post"] button[type="submit"]').first.click()
    assert posted.value.status == 303
    # The URL changes as the redirected page starts; its form is there once loaded.
    respondent.wait_for_url(f"{live_server.url}/r/**", wait_until="load")
    assert respondent.locator('form[method="post"]').count() == 1


def test_the_browser_gets_the_linked_favicon(
    live_server, staff_invitation, respondent
) -> None:
    with respondent.expect_response(lambda r: "favicon" in r.url, timeout=10_000) as icon:
        respondent.goto(f"{live_server.url}/i/{staff_invitation}")
    assert icon.value.url == f"{live_server.url}/static/favicon.svg"
    assert icon.value.status == 200
