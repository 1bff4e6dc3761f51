"""The register of systems in a real headless Chromium: a viewer filters the
biometric systems, reads the counts and the verdict chart; axe-core clean at
1280 and 375 px."""

from __future__ import annotations

from pathlib import Path

from sociaparis.accounts.roles import Role
from sociaparis.compare.register.examples import (
    EXAMPLE_ORGANISATIONS,
    TRANSPORT_FORM_ID,
    add_example_responses,
)
from sociaparis.core.db import transaction
from sociaparis.survey.fielding.service import Fielding, configure_fielding
from sociaparis.survey.service import add_instrument
from sociaparis.survey.xlsform import parse_xlsform
from tests.conftest import assert_accessible_at_both_widths

FORM = (
    Path(__file__).resolve().parents[2]
    / "studies"
    / "sociaparis"
    / "transport_vision_survey.xlsx"
)


def test_a_viewer_filters_the_register_and_reads_counts_and_a_chart(
    live_server_with,
    axe_page,
    axe_violations,
    logged_in,  # noqa: ANN001
) -> None:
    server = live_server_with(min_cell_count=5)
    with transaction(server.app.state.engine) as session:
        form = parse_xlsform(FORM.read_bytes(), filename=FORM.name)
        add_instrument(session=session, form=form)
        configure_fielding(session=session, fielding=Fielding(form_id=TRANSPORT_FORM_ID))
        # the examples twice: 16 systems, so that some counts reach 5
        add_example_responses(session=session, organisations=EXAMPLE_ORGANISATIONS * 2)
    page = logged_in(axe_page, server, "vic", role=Role.VIEWER)
    page.goto(f"{server.url}/register?lang=en")
    assert page.locator("#register-counted").inner_text().startswith("16 systems counted")
    # verdicts 2 prohibited (hidden), 6 high-risk, 8 none of these: the 6 is hidden
    # too, or 16 - 8 - 6 would give the 2 back
    chart = page.locator("#verdict-chart svg")
    assert chart.get_attribute("role") == "img"
    assert chart.locator("rect.bar").count() == 1
    assert chart.locator("text.chart-value").all_text_contents() == ["8"]
    assert chart.locator("text.chart-hidden").all_text_contents() == ["hidden", "hidden"]
    rows = page.locator("#verdict-table tbody tr")
    assert rows.all_inner_texts() == [
        "Likely prohibited\thidden",
        "Likely high-risk\thidden",
        "None of these\t8",
    ]
    assert_accessible_at_both_widths(page, axe_violations)

    page.select_option("#filter-biometric", "yes")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/register?*biometric=yes*")
    assert page.locator("#register-counted").inner_text() == (
        "4 systems counted, 2 of them from organisations that did not agree to be "
        "named (counted, not named)."
    )
    titles = page.locator("#systems h3").all_inner_texts()
    assert len(titles) == 2 and all("Reconnaissance faciale" in t for t in titles)
    assert "Opérateur D" not in page.content()
    # Lyon holds the 4 systems: its cells are hidden, so is its total
    city = page.locator("#counts-table tbody tr", has_text="Lyon")
    assert "hidden" in city.inner_text()
    assert (
        page.locator("#counts-table tbody tr", has_text="Total")
        .inner_text()
        .endswith("hidden")
    )
    assert_accessible_at_both_widths(page, axe_violations)
