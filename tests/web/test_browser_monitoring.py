"""The fielding monitoring page in a real headless Chromium, at 375 and 1280 px:
charts drawn, axe-core clean, nothing blocked by the Content-Security-Policy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sociaparis.accounts.service import create_user
from sociaparis.core.db import transaction
from sociaparis.survey.fielding import service
from tests.factories import FIELDING_FORM_PAGES, field_form, submit_page

PASSWORD = "a long enough password"
FIRST = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def fielded(live_server) -> str:
    """Two directorates of 30 invited each; over three days 12, 10 and 6 of
    each complete, and 4 of each stop on the first page."""
    with transaction(live_server.app.state.engine) as session:
        create_user(session=session, username="claire", password=PASSWORD)
        form_id = field_form(session)
        for directorate in ("DFA", "DSIN"):
            invited = service.create_invitations(
                session=session,
                form_id=form_id,
                attributes=[{"directorate": directorate, "job_category": "A"}] * 30,
                today=FIRST.date(),
            )
            days = [0] * 12 + [1] * 10 + [2] * 6 + [None] * 4
            for created, day in zip(invited, days, strict=False):
                now = FIRST + timedelta(days=day or 0)
                started = service.start_from_invitation(
                    session=session,
                    token=created.token,
                    secret=live_server.app.state.settings.secret_key,
                    now=now,
                )
                pages = FIELDING_FORM_PAGES if day is not None else []
                for revision, (page, fields, instances) in enumerate(pages):
                    assert submit_page(
                        session,
                        started.resume_token,
                        page,
                        fields,
                        revision,
                        instances=instances,
                        now=now,
                        shown_at=now - timedelta(seconds=20 + revision),
                    ).accepted
    return form_id


def _log_in(page, url: str) -> None:
    page.goto(f"{url}/login")
    page.get_by_label("Identifiant").fill("claire")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{url}/")


@pytest.mark.parametrize("width", [375, 1280])
def test_the_monitoring_page_in_chromium(
    live_server, fielded, page, axe_page, axe_violations, width: int
) -> None:
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    for tab in (page, axe_page):
        tab.set_viewport_size({"width": width, "height": 900})
        _log_in(tab, live_server.url)
        tab.goto(f"{live_server.url}/fielding/{fielded}")
    # Both charts are drawn, named for assistive technologies (role=img,
    # title, description), with their tables after them; on a phone a chart
    # keeps a readable size (480 px at least) and scrolls in its own box.
    for chart in ("svg.funnel", "svg.cumulative"):
        svg = page.locator(chart)
        assert svg.get_attribute("role") == "img"
        box = svg.bounding_box()
        assert box is not None and 480 <= box["width"] <= 768
        figure = page.locator(f"figure:has({chart})").bounding_box()
        assert figure is not None and figure["width"] <= width
    funnel_title = page.locator("svg.funnel title").text_content()
    assert funnel_title == "Réponses arrivées à chaque page"
    assert page.locator("svg.cumulative polyline").count() == 3  # DFA, DSIN, total
    legend = page.locator("ul.legend li").all_inner_texts()
    assert [item.strip() for item in legend] == ["DFA", "DSIN", "Total"]
    # The line colours come from the style sheet (no inline style under the CSP).
    stroke = page.locator("svg.cumulative polyline.series-0").evaluate(
        "e => getComputedStyle(e).stroke"
    )
    assert stroke == "rgb(0, 0, 145)"
    # The document does not scroll sideways: wide tables scroll in their box.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert blocked == []
    assert axe_violations(axe_page) == []
