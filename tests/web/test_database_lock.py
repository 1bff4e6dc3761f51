"""A study whose SQLite database another program keeps locked (a command writing
to it): the server goes on answering, and respondents get 503 with their answers
kept, never a 500, then save once the lock is gone."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from sociaparis.core.config import Settings
from sociaparis.core.db import transaction
from sociaparis.survey.fielding.service import create_invitations
from sociaparis.survey.models import ResponseRecord
from sociaparis.web.app import create_app
from sociaparis.web.i18n import translate
from tests.conftest import LiveServer
from tests.factories import field_form
from tests.web.test_fielding_http import _current, _hidden, _post, _start

LOCK_TIMEOUT = 3.0


@pytest.fixture
def server(tmp_path) -> Iterator[LiveServer]:
    settings = Settings(
        data_dir=tmp_path / "data",
        secret_key="test-secret-key-0123456789",
        lock_timeout=LOCK_TIMEOUT,
    )
    server = LiveServer(create_app(settings)).start()
    yield server
    server.stop()
    server.app.state.engine.dispose()


def _invitations(server: LiveServer, count: int) -> list[str]:
    with transaction(server.app.state.engine) as session:
        form_id = field_form(session)
        created = create_invitations(
            session=session,
            form_id=form_id,
            attributes=[{"directorate": "DFA", "job_category": "A"}] * count,
        )
    return [invitation.token for invitation in created]


def _answers(server: LiveServer) -> list[dict]:
    with transaction(server.app.state.engine) as session:
        return [r.answers for r in session.scalars(select(ResponseRecord))]


def _hold_write_lock(server: LiveServer) -> sqlite3.Connection:
    """Another program's connection in a write transaction, as a long import is."""
    holder = sqlite3.connect(server.app.state.engine.url.database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    return holder


def test_a_locked_database_answers_503_with_the_answers_and_keeps_the_server_up(
    server: LiveServer,
) -> None:
    first, second = _invitations(server, 2)
    http = httpx.Client(base_url=server.url, timeout=60)
    resume = _start(http, first)
    url, html = _current(http, resume)
    notice = http.get(f"/i/{second}")

    holder = _hold_write_lock(server)
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            submission = pool.submit(_post, http, url, html, {"service": "DSIN"})
            time.sleep(0.3)  # the submission reaches the locked database
            health = httpx.get(f"{server.url}/healthz", timeout=60)
            # The server answered while the submission was still waiting.
            assert health.status_code == 200
            assert not submission.done()
            refused = submission.result()
        consent = httpx.post(
            f"{server.url}/i/{second}",
            data={"csrf_token": _hidden(notice.text, "csrf_token")},
            timeout=60,
        )
    finally:
        holder.rollback()
        holder.close()

    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "3"
    assert 'value="DSIN"' in refused.text
    assert 'id="busy-title"' in refused.text
    assert str(escape(translate("busy_retry", "fr"))) in refused.text
    assert consent.status_code == 503 and consent.headers["retry-after"] == "3"
    assert _answers(server) == [{}]

    # The lock gone, the page sent again as it came back is saved.
    saved = _post(http, url, refused.text, {"service": "DSIN"})
    assert saved.status_code == 303
    assert _answers(server) == [{"service": "DSIN"}]
    http.close()


def test_a_researcher_page_that_finds_the_database_locked_answers_503(
    server: LiveServer,
) -> None:
    def locked() -> None:
        raise OperationalError(
            "UPDATE x", {}, sqlite3.OperationalError("database is locked")
        )

    def broken() -> None:
        raise OperationalError("SELECT x", {}, sqlite3.OperationalError("no such table"))

    server.app.site.add_api_route("/test-locked", locked)
    server.app.site.add_api_route("/test-broken", broken)
    with httpx.Client(base_url=server.url, timeout=60) as http:
        busy = http.get("/test-locked?lang=en")
        other = http.get("/test-broken")
    assert busy.status_code == 503 and busy.headers["retry-after"] == "3"
    assert translate("busy", "en") in busy.text
    assert other.status_code == 500


@pytest.mark.parametrize("width", [1280, 375])
def test_the_busy_page_in_a_browser_keeps_the_answer_and_passes_axe(
    server: LiveServer, axe_page, axe_violations, width: int, tmp_path
) -> None:
    """As a respondent meets it: Suivant while another program writes, the page
    comes back with the notice at the top and the answer in its box."""
    [token] = _invitations(server, 1)
    page = axe_page
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{server.url}/i/{token}")
    page.click("form button[type=submit]")
    page.fill('input[name="service"]', "Direction des finances")
    holder = _hold_write_lock(server)
    try:
        with page.expect_response(lambda r: r.request.method == "POST") as sent:
            page.click('button[name="_action"][value="next"]')
        assert sent.value.status == 503
    finally:
        holder.rollback()
        holder.close()
    notice = page.locator("#error-summary")
    assert notice.is_visible()
    assert notice.locator("h2").inner_text() == translate("busy_title", "fr")
    assert page.input_value('input[name="service"]') == "Direction des finances"
    # The notice is the first thing on the page, above the question.
    question = page.locator('input[name="service"]').bounding_box()
    assert notice.bounding_box()["y"] < question["y"]
    page.screenshot(path=str(tmp_path / f"busy-{width}.png"), full_page=True)
    assert axe_violations(page) == [], f"busy page at {width} px"
    # Sent again once the lock is gone, the page is saved.
    page.click('button[name="_action"][value="next"]')
    assert _answers(server) == [{"service": "Direction des finances"}]
