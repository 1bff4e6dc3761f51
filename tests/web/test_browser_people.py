"""People and access in Chromium: an admin creates an account, sees its
one-time password, finds a locked account, reads and filters the audit log;
axe-core finds no WCAG 2.1 A/AA violation at 1280 and 375 px and the page
never scrolls sideways on a phone."""

from __future__ import annotations

from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import authenticate, create_user
from sociaparis.core.db import transaction
from tests.conftest import assert_accessible_at_both_widths

WIDTHS = (1280, 375)
LONG_NAME = "claire-with-a-rather-long-user-name.of.the.directorate"


def test_people_and_audit_pages_in_chromium(
    live_server, axe_page, axe_violations, logged_in
) -> None:
    with transaction(live_server.app.state.engine) as session:
        create_user(
            session=session,
            username=LONG_NAME,
            password="a long enough password",
            display_name="Claire Dupont-Lefebvre de la Direction des Finances",
        )
        for _ in range(10):
            authenticate(
                session=session,
                username=LONG_NAME,
                password="x",
            )
    page = logged_in(axe_page, live_server, "boss", role=Role.ADMIN)
    page.click("nav.workbench-nav >> text=Personnes")
    page.wait_for_url(f"{live_server.url}/admin/people**")
    assert page.locator("nav.workbench-nav a[aria-current=page]").inner_text() == (
        "Personnes"
    )
    state = page.locator(f"tr:has(th a:text-is('{LONG_NAME}')) td.account-state")
    assert "verrouillé" in state.inner_text()
    assert_accessible_at_both_widths(page, axe_violations)

    page.fill("#new-username", "nadia")
    page.select_option("#new-role", "coder")
    page.click("form[aria-labelledby=create-title] button[type=submit]")
    page.wait_for_selector("code.password-value")
    assert len(page.inner_text("code.password-value")) == 24
    assert_accessible_at_both_widths(page, axe_violations)

    page.goto(f"{live_server.url}/admin/audit")
    assert page.locator("table.audit tbody tr").count() >= 12
    assert_accessible_at_both_widths(page, axe_violations)
    page.select_option("#filter-action", "account.create")
    page.click(".audit-filters button[type=submit]")
    page.wait_for_url("**action=account.create**")
    assert page.locator("table.audit tbody tr").count() == 1
    assert_accessible_at_both_widths(page, axe_violations)
