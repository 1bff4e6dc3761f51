"""The login page in a real headless Chromium: accessible, and it logs in."""

from __future__ import annotations

from sociaparis.accounts.service import create_user
from sociaparis.core.db import transaction

PASSWORD = "a long enough password"


def test_login_page_has_no_wcag_violations(live_server, axe_page, axe_violations) -> None:
    axe_page.goto(f"{live_server.url}/login")
    assert axe_violations(axe_page) == []


def test_login_in_the_browser(live_server, page) -> None:
    with transaction(live_server.app.state.engine) as session:
        create_user(session=session, username="claire", password=PASSWORD)
    page.goto(f"{live_server.url}/")
    page.get_by_label("Identifiant").fill("claire")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("h1").inner_text() == "Études et questionnaires"
