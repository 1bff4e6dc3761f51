"""Jobs in a real headless Chromium at 375 and 1280 px: an export started from
the fielding page, its progress followed by static/jobs.js until the download
is offered, the file downloaded; axe-core clean, no sideways scroll, nothing
blocked by the Content-Security-Policy."""

from __future__ import annotations

import zipfile

import pytest

from sociaparis.accounts.roles import Role
from sociaparis.core.db import transaction
from sociaparis.survey.synthetic import add_synthetic_responses
from tests.factories import field_form, job_workers

SIDEWAYS = "() => document.documentElement.scrollWidth - window.innerWidth"


@pytest.mark.parametrize("width", [375, 1280])
def test_export_job_in_chromium(
    live_server, page, axe_page, axe_violations, logged_in, tmp_path, width: int
) -> None:
    with transaction(live_server.app.state.engine) as session:
        form_id = field_form(session)
        add_synthetic_responses(session=session, form_id=form_id, count=40, seed=7)
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: blocked.append(message.text) if message.type == "error" else None,
    )
    for tab in (page, axe_page):
        tab.set_viewport_size({"width": width, "height": 900})
    logged_in(page, live_server, "claire")
    logged_in(axe_page, live_server, "root", role=Role.ADMIN)

    page.goto(f"{live_server.url}/fielding/{form_id}")
    page.get_by_role("button", name="CSV (tableur, R)").click()
    page.wait_for_url(f"{live_server.url}/jobs/*")
    job_url = page.url.split("?")[0]
    assert page.locator("#job-status-label").inner_text() == "En attente"
    assert page.locator("progress#job-progress").get_attribute("value") == "0"
    # With JavaScript the reload hint is hidden: the bar moves by itself.
    assert page.locator("#job-reload-hint").is_hidden()

    for url in (job_url, f"{live_server.url}/jobs"):  # the admin sees claire's job
        axe_page.goto(url)
        assert axe_violations(axe_page) == [], url
        assert axe_page.evaluate(SIDEWAYS) <= 0, url

    with job_workers(live_server):
        download_link = page.locator("#job-download")
        download_link.wait_for(timeout=60_000)  # jobs.js reloads the page when done
    assert page.locator("#job-status-label").inner_text() == "Terminée"
    assert page.locator("progress#job-progress").get_attribute("value") == "100"
    with page.expect_download() as caught:
        download_link.click()
    download = caught.value
    assert download.suggested_filename == f"{form_id}-csv.zip"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert f"{form_id}.csv" in zipfile.ZipFile(saved).namelist()
    assert page.evaluate(SIDEWAYS) <= 0

    for url in (
        job_url,
        f"{live_server.url}/jobs",
        f"{live_server.url}/fielding/{form_id}",
    ):
        axe_page.goto(url)
        assert axe_violations(axe_page) == [], url
        wide = axe_page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 5).map(e => e.outerHTML.slice(0, 150))""")
        assert axe_page.evaluate(SIDEWAYS) <= 0, (url, wide)
    assert blocked == []
