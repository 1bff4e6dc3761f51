"""The coding view in Chromium, as a person uses it: select and code with the
mouse, then with the keyboard only; open a stripe and move its bounds; undo;
two coders in two browser contexts coding the same document at once lose
nothing; axe-core finds no WCAG 2.1 A/AA violation at 1280 and 375 px, where
the page does not scroll sideways.  The screenshots of docs/workbench.md are
taken here."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from sociaparis.accounts.roles import Role
from sociaparis.core.db import transaction
from sociaparis.qual import codebook_service, coding_service, corpus
from sociaparis.qual.corpus import acting_account
from tests.conftest import BROWSER_PASSWORD, assert_accessible_at_both_widths, doc_images

IMAGES = doc_images()
# The emoji is one code point but two UTF-16 units: offsets after it differ
# between the page's JavaScript and the stored text.
TEXT = (
    "Enquêtrice : Vous utilisez 🤖 Albert dans votre travail ?\n\n"
    "Agent : Oui. Albert aide beaucoup pour les notes ! Parfois il se trompe, "
    "alors je relis tout.\n\n"
    "Enquêtrice : Et vos collègues ?\n\n"
    "Agent : Certains refusent de l'utiliser. D'autres l'adorent."
)
CODES = ("Outils", "Confiance", "Erreurs")


@pytest.fixture
def study(live_server: Any) -> dict[str, Any]:
    from sociaparis.accounts.service import create_user

    with transaction(live_server.app.state.engine) as session:
        boss = create_user(session=session, username="boss", password=BROWSER_PASSWORD)
        doc = corpus.import_document(
            session=session, actor=boss, data=TEXT.encode(), filename="entretien.txt",
            detect_speakers=True, case="Agent A", needs_pseudonymization=False,
        ).id  # fmt: skip
        parent = codebook_service.add_code(session=session, actor=boss, name="Usages")
        codes = {"Usages": parent.guid}
        for name in CODES:
            codes[name] = codebook_service.add_code(
                session=session, actor=boss, name=name, parent=parent.guid
            ).guid
    return {"doc": doc, "codes": codes, "url": f"{live_server.url}/qual/documents/{doc}"}


def _codings(server: Any, doc: int) -> list[tuple[str, int, int, str | None, str]]:
    with transaction(server.app.state.engine) as session:
        names = {c.guid: c.name for c in codebook_service.list_codes(session=session)}
        return [
            (names[c.code_guid], c.start, c.end, c.coder, c.text)
            for c in coding_service.codings_of(session=session, document=doc)
        ]


def _open(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("body[data-coding-ready]")


def _drag(page: Any, start: int, end: int) -> None:
    """Select ``TEXT[start:end]`` with the mouse (press, move, release)."""
    box = page.evaluate(
        """([start, end]) => {
          const point = (offset) => {
            for (const span of document.querySelectorAll('#coding-text span[data-s]')) {
              const s = +span.dataset.s;
              const text = span.firstChild.data;
              const cps = Array.from(text);
              if (offset >= s && offset <= s + cps.length) {
                const index = cps.slice(0, offset - s).join('').length;
                const range = document.createRange();
                range.setStart(span.firstChild, index);
                range.setEnd(span.firstChild, Math.min(index + 1, text.length));
                return range.getBoundingClientRect();
              }
            }
          };
          const a = point(start);
          const b = point(end - 1);
          return [a.left + 1, a.top + a.height / 2, b.right - 1, b.top + b.height / 2];
        }""",
        [start, end],
    )
    page.mouse.move(box[0], box[1])
    page.mouse.down()
    page.mouse.move((box[0] + box[2]) / 2, (box[1] + box[3]) / 2, steps=4)
    page.mouse.move(box[2], box[3], steps=4)
    page.mouse.up()


def test_select_and_code_with_the_mouse(
    live_server: Any, study: dict, axe_page: Any, axe_violations: Any, logged_in: Any
) -> None:
    page = logged_in(axe_page, live_server, "claire", role=Role.CODER)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.click("nav.workbench-nav a:has-text('Entretiens')")
    page.click("a:has-text('entretien.txt')")
    page.wait_for_selector("body[data-coding-ready]")
    assert_accessible_at_both_widths(page, axe_violations, settle_ms=150)

    albert = TEXT.index("Albert")  # a code point offset, after the emoji
    _drag(page, albert, albert + len("Albert dans votre travail"))
    assert "Albert dans votre travail" in page.inner_text("#coding-status")
    page.click("#coding-apply")
    assert page.is_visible("#code-picker")
    page.fill("#picker-search", "out")
    assert page.locator(".picker-item:visible").count() == 1
    page.fill("#picker-search", "")
    page.check("#code-picker .picker-item:has-text('Outils') input")
    page.check("#code-picker .picker-item:has-text('Confiance') input")
    page.screenshot(path=str(IMAGES / "workbench-coding-picker.png"))
    assert_accessible_at_both_widths(page, axe_violations, settle_ms=150)
    page.click("#picker-apply")
    expect(page.locator(".stripe")).to_have_count(2)
    assert "Codé : Outils, Confiance." in page.inner_text("#coding-status")
    span = (albert, albert + len("Albert dans votre travail"))
    assert sorted(_codings(live_server, study["doc"])) == [
        ("Confiance", *span, "claire", "Albert dans votre travail"),
        ("Outils", *span, "claire", "Albert dans votre travail"),
    ]
    # recent codes come first in the picker now
    second = TEXT.index("Parfois")
    _drag(page, second, second + len("Parfois il se trompe"))
    page.click("#coding-apply")
    heading = page.locator("#picker-list .picker-heading").first
    assert heading.inner_text() == "Récents"
    page.check("#pick-t-3")  # Erreurs, in the whole tree
    page.click("#picker-apply")
    expect(page.locator(".stripe")).to_have_count(3)
    # overlapping codings are side by side, in two lanes
    lefts = page.eval_on_selector_all(".stripe", "els => els.map(e => e.style.left)")
    assert sorted(set(lefts)) == ["0px", "7px"]
    page.screenshot(path=str(IMAGES / "workbench-coding.png"))
    assert_accessible_at_both_widths(page, axe_violations, settle_ms=150)


def test_code_with_the_keyboard_only(
    live_server: Any, study: dict, page: Any, logged_in: Any
) -> None:
    page = logged_in(page, live_server, "kim", role=Role.CODER)
    _open(page, study["url"])
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "coding-text":
            break
    assert page.evaluate("document.activeElement.id") == "coding-text"
    first = TEXT.index("Vous")
    end_first = TEXT.index("\n\n")
    page.keyboard.press("ArrowDown")  # the first turn's utterance
    assert f"{first}–{end_first}" in page.inner_text("#coding-status")
    page.keyboard.press("c")
    assert page.evaluate("document.activeElement.id") == "picker-search"
    page.keyboard.type("conf")
    page.keyboard.press("Enter")  # none ticked: the first code shown
    expect(page.locator(".stripe")).to_have_count(1)
    assert page.evaluate("document.activeElement.id") == "coding-text"

    oui = TEXT.index("Oui.")
    page.keyboard.press("ArrowRight")  # the next sentence: "Oui."
    page.keyboard.press("Shift+ArrowRight")  # and the next one
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Shift+ArrowLeft")  # one back
    sentence_end = TEXT.index("notes !") + len("notes !")
    assert f"{oui}–{sentence_end}" in page.inner_text("#coding-status")
    page.keyboard.press("Enter")
    page.keyboard.type("erreur")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # tick the code shown first
    page.keyboard.press("Enter")
    expect(page.locator(".stripe")).to_have_count(2)
    assert sorted(_codings(live_server, study["doc"])) == [
        ("Confiance", first, end_first, "kim", TEXT[first:end_first]),
        ("Erreurs", oui, sentence_end, "kim", TEXT[oui:sentence_end]),
    ]
    assert TEXT[oui:sentence_end] == "Oui. Albert aide beaucoup pour les notes !"

    # to the stripes and back, open one with Enter, close it with Escape
    page.keyboard.press("s")
    assert page.evaluate("document.activeElement.className") == "stripe"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.is_visible("#coding-details")
    assert page.inner_text("#details-coder") == "kim"
    page.keyboard.press("Escape")
    page.keyboard.press("t")
    assert page.evaluate("document.activeElement.id") == "coding-text"
    page.keyboard.press("u")  # undo the last coding
    expect(page.locator(".stripe")).to_have_count(1)
    assert [c[0] for c in _codings(live_server, study["doc"])] == ["Confiance"]
    assert "Action annulée" in page.inner_text("#coding-status")


def test_edit_a_stripe_bounds_change_its_code_and_undo(
    live_server: Any, study: dict, axe_page: Any, axe_violations: Any, logged_in: Any
) -> None:
    start = TEXT.index("Certains")
    with transaction(live_server.app.state.engine) as session:
        create = acting_account(session=session, username="boss")
        coding_service.apply_coding(
            session=session, actor=create, document=study["doc"],
            code=study["codes"]["Outils"], start=start, end=start + 8, memo="trop court",
        )  # fmt: skip
    page = logged_in(axe_page, live_server, "lea", role=Role.RESEARCHER)
    page.set_viewport_size({"width": 1280, "height": 900})
    _open(page, study["url"])
    end = TEXT.index("l'utiliser.") + len("l'utiliser.")
    _drag(page, start, end)  # the new bounds, selected first
    page.click(".stripe")
    assert page.inner_text("#details-coder") == "boss"
    assert page.inner_text("#details-memo") == "trop court"
    assert page.inner_text("#details-excerpt") == "Certains"
    page.click("#details-use-selection")
    page.select_option("#details-code", study["codes"]["Erreurs"])
    page.fill("#details-memo-input", "refus")
    page.screenshot(path=str(IMAGES / "workbench-coding-details.png"))
    assert_accessible_at_both_widths(page, axe_violations, settle_ms=150)
    page.click("#details-form button[type=submit]")
    page.wait_for_selector("#coding-details", state="hidden")
    assert _codings(live_server, study["doc"]) == [
        ("Erreurs", start, end, "boss", "Certains refusent de l'utiliser.")
    ]
    page.click("#coding-undo")
    expect(page.locator("#coding-status")).to_contain_text("annulée")
    assert _codings(live_server, study["doc"]) == [
        ("Outils", start, start + 8, "boss", "Certains")
    ]
    page.click(".stripe")
    page.click("#details-remove")
    expect(page.locator(".stripe")).to_have_count(0)
    assert _codings(live_server, study["doc"]) == []


def test_two_coders_at_once_lose_nothing(
    live_server: Any, study: dict, browser: Any, logged_in: Any
) -> None:
    pages = []
    for name in ("ana", "ben"):
        context = browser.new_context(locale="fr-FR")
        pages.append(logged_in(context.new_page(), live_server, name, role=Role.CODER))
    ana, ben = pages
    for page in pages:
        _open(page, study["url"])
    # each codes in a page that does not show the other's coding yet
    for page, word, code in ((ana, "Albert", "Outils"), (ben, "Parfois", "Erreurs")):
        at = TEXT.index(word)
        _drag(page, at, at + len(word))
        page.click("#coding-apply")
        page.check(f"#code-picker .picker-item:has-text('{code}') input >> nth=0")
        page.click("#picker-apply")
    expect(ben.locator(".stripe")).to_have_count(2)
    # then both send 15 codings at the same moment
    burst = """([codes, n]) => {
      const data = JSON.parse(document.getElementById('coding-data').textContent);
      window.burst = Promise.all(Array.from({length: n}, (_, i) =>
        fetch(location.pathname + '/codings', {method: 'POST',
          headers: {'Content-Type': 'application/json', 'X-CSRF-Token': data.csrf},
          body: JSON.stringify({codes, start: i, end: i + 5})}).then(r => r.status)));
    }"""
    for page, code in ((ana, "Confiance"), (ben, "Outils")):
        page.evaluate(burst, [[study["codes"][code]], 15])
    statuses = [page.evaluate("window.burst") for page in pages]
    assert statuses == [[201] * 15, [201] * 15]
    stored = _codings(live_server, study["doc"])
    assert len(stored) == 32
    assert sorted({(c[0], c[3]) for c in stored}) == [
        ("Confiance", "ana"), ("Erreurs", "ben"), ("Outils", "ana"), ("Outils", "ben"),
    ]  # fmt: skip
    for page in pages:
        _open(page, study["url"])
        assert page.locator(".stripe").count() == 32
        page.context.close()
