"""The speaker panel in Chromium, with the keyboard only: reach it from the
coding view, merge the voice the diarization split, mark the moderator; axe-core
finds no WCAG 2.1 A/AA violation at 1280 and 375 px, where the page does not
scroll sideways.  The page has no script: plain forms, posted and redirected."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from sociaparis.accounts.roles import Role
from sociaparis.core.db import transaction
from sociaparis.qual import corpus, participant_service
from sociaparis.qual.corpus import acting_account
from tests.conftest import assert_accessible_at_both_widths
from tests.qual.focus_group_data import TEXT


def _row(page: Any, speaker: str) -> Any:
    return page.locator("#speaker-table tbody tr").filter(
        has=page.locator(f'th:text-is("{speaker}")')
    )


def test_merge_and_mark_the_moderator_with_the_keyboard(
    live_server: Any, axe_page: Any, axe_violations: Any, logged_in: Any
) -> None:
    page = logged_in(axe_page, live_server, "boss", role=Role.RESEARCHER)
    with transaction(live_server.app.state.engine) as session:
        actor = acting_account(session=session, username="boss")
        doc = corpus.import_document(
            session=session, actor=actor, data=TEXT.encode(), filename="focus.txt",
            detect_speakers=True, case="Focus group 1", needs_pseudonymization=False,
        ).id  # fmt: skip
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/qual/documents/{doc}")
    page.focus("#speakers-link")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/qual/documents/{doc}/speakers?lang=fr")
    expect(page.locator("h1")).to_have_text("Intervenants – focus.txt")
    expect(page.locator("#speaker-table tbody tr")).to_have_count(8)
    assert_accessible_at_both_widths(page, axe_violations)

    # merge SPEAKER_07 (the last) into SPEAKER_06 (the one before it)
    page.focus("#merge-speaker")
    page.keyboard.press("End")
    expect(page.locator("#merge-speaker")).to_have_value("SPEAKER_07")
    page.keyboard.press("Tab")
    expect(page.locator("#merge-into")).to_be_focused()
    page.keyboard.press("End")
    page.keyboard.press("ArrowUp")
    expect(page.locator("#merge-into")).to_have_value("SPEAKER_06")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.locator("#speaker-table tbody tr")).to_have_count(7)
    expect(_row(page, "SPEAKER_06").locator("td")).to_have_text(
        ["2", "9", "Participant", "–"]
    )

    # the first speaker, Animatrice, is chosen already: Tab to the button, Space
    page.focus("#moderator-speaker")
    expect(page.locator("#moderator-speaker")).to_have_value("Animatrice")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Marquer comme animateur")).to_be_focused()
    page.keyboard.press("Space")
    page.wait_for_load_state()
    expect(_row(page, "Animatrice").locator("td")).to_have_text(
        ["2", "11", "Animateur", "–"]
    )
    assert_accessible_at_both_widths(page, axe_violations)

    with transaction(live_server.app.state.engine) as session:
        actor = acting_account(session=session, username="boss")
        stored = participant_service.list_speakers(
            session=session, actor=actor, document=doc
        )
    assert [(s.speaker, s.turns, s.words, s.moderator) for s in stored][:1] == [
        ("Animatrice", 2, 11, True)
    ]
    assert "SPEAKER_07" not in [s.speaker for s in stored]
