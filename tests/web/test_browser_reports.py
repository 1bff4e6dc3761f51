"""The reports and open answers pages in a real headless Chromium: a researcher
builds a report with chosen sections, follows its progress (static/jobs.js),
downloads it, then opens the themes of an open question; axe-core clean at
1280 and 375 px, nothing blocked by the Content-Security-Policy."""

from __future__ import annotations

from sociaparis.core.db import transaction
from tests.conftest import BROWSER_PASSWORD, assert_accessible_at_both_widths
from tests.factories import job_workers
from tests.reports.conftest import STUDY_DIR
from tests.reports.test_service import FORM, _load_demo


def _same_person(tab, server, username: str) -> None:
    """Log a second tab (the one axe-core may run in) in as ``username``."""
    tab.goto(f"{server.url}/login")
    tab.fill("#username", username)
    tab.fill("#password", BROWSER_PASSWORD)
    tab.click("button[type=submit]")
    tab.wait_for_url(f"{server.url}/**")


def _accessible(tab, url: str, axe_violations) -> None:
    """axe-core at both widths on ``url``, then the tab is emptied: a page with a
    job in progress reloads itself when the job ends (jobs.js), and that reload
    would interrupt the tab's next navigation."""
    tab.goto(url)
    assert_accessible_at_both_widths(tab, axe_violations)
    tab.goto("about:blank")


def test_build_a_report_and_read_the_themes(
    live_server_with, page, axe_page, axe_violations, logged_in, tmp_path
) -> None:
    server = live_server_with(study_dir=STUDY_DIR)
    with transaction(server.app.state.engine) as session:
        _load_demo(session)
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: blocked.append(message.text) if message.type == "error" else None,
    )
    logged_in(page, server, "claire")
    _same_person(axe_page, server, "claire")
    page.get_by_role("link", name="Rapports").first.click()
    page.locator(f'#report-forms a[href^="/reports/{FORM}"]').click()
    page.wait_for_url(f"{server.url}/reports/{FORM}*")
    _accessible(axe_page, page.url, axe_violations)

    for left_out in ("Participation", "Pondération", "Votre poste"):
        page.get_by_label(left_out, exact=True).uncheck()
    page.get_by_label("Anglais").check()
    page.get_by_role("button", name="Construire le rapport").click()
    page.wait_for_url(f"{server.url}/reports/{FORM}*")
    assert page.locator("#job-status-label").inner_text() == "En attente"
    assert page.locator("#job-reload-hint").is_hidden()  # jobs.js moves the bar
    _accessible(axe_page, page.url, axe_violations)  # with the progress bar

    with job_workers(server):
        download_link = page.locator("#report-builds .build-download").first
        download_link.wait_for(timeout=120_000)  # jobs.js reloads the page when done
    row = page.locator("#report-builds tbody tr").first.inner_text()
    assert "claire" in row and "Anglais" in row and "Calée sur les marges" in row
    assert "Vos usages" in row and "Votre poste" not in row
    with page.expect_download() as caught:
        download_link.click()
    saved = tmp_path / caught.value.suggested_filename
    caught.value.save_as(saved)
    html = saved.read_text(encoding="utf-8")
    assert '<html lang="en"' in html
    assert 'id="q-use"' in html and 'id="participation"' not in html
    _accessible(axe_page, page.url, axe_violations)  # with the build listed
    _accessible(axe_page, f"{server.url}/reports", axe_violations)

    page.get_by_role("link", name="Réponses ouvertes").first.click()
    page.locator('#open-questions a[href*="/open_city_role"]').click()
    assert page.locator("#themes-not-yet").is_visible()
    # 60 responses: the smallest theme the rule allows (5) keeps some quotes
    page.get_by_label("Plus petit thème montré").fill("5")
    page.get_by_role("button", name="Calculer les thèmes").click()
    page.wait_for_url("**min_count=5**")
    _accessible(axe_page, page.url, axe_violations)  # with the progress bar
    with job_workers(server):
        page.locator("#themes-table").wait_for(timeout=120_000)  # jobs.js reloads
    assert (
        page.locator("svg.chart.themes rect.bar").count()
        == page.locator("#themes-table tbody tr").count()
    )
    assert page.locator("ul.quotes q").count() > 0
    _accessible(axe_page, page.url, axe_violations)
    assert blocked == []
