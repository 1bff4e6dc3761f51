"""Benchmark: what live logic costs the browser per change, on the largest page.

The largest page is the page of the bundled questionnaires
(``studies/sociaparis/``) whose live logic evaluates the most step instances
(a step of a repeat counts once per instance), for a synthetic response
(:func:`~sociaparis.survey.synthetic.synthetic_answers`, seeds 0 to 19). It is
laid out as the respondent page lays it out, with its data islands and
``static/live.js``, and loaded in headless Chromium (``/usr/bin/chromium``).
Each change ticks a box, picks a radio button or an option, or types a
number, in turn over the page's inputs, and the time the page's handler takes
for it (reading the fields, evaluating the page, showing the result, again
while showing it changes what the page sends) is measured in the page with
``performance.now()``.

Run: ``.venv/bin/python benchmarks/live_logic.py [--changes 400]``.
Target: < 5 ms per change (median and p95 printed).
"""

from __future__ import annotations

import argparse
import random
import statistics
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sociaparis.survey.fielding.layout import lay_out_page
from sociaparis.survey.fielding.live import has_live_logic, live_data, live_form
from sociaparis.survey.instrument import Instrument, Page
from sociaparis.survey.logic import evaluate_form, page_depends_on_itself, page_steps
from sociaparis.survey.synthetic import synthetic_answers
from sociaparis.survey.xlsform import parse_xlsform
from sociaparis.web.i18n import translate
from sociaparis.web.questions import question_blocks

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "sociaparis" / "web" / "static"
CHROMIUM = "/usr/bin/chromium"
ORIGIN = "http://live.bench"
MOMENT = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
TARGET_MS = 5.0
TYPED = ["3", "2,5", "75", "", "12", "abc"]


def _size(instrument: Instrument, page: Page, answers: dict[str, Any]) -> int:
    state = evaluate_form(instrument, answers, now=MOMENT)
    return sum(
        1 if step.in_repeat is None else state.instances(step.in_repeat)
        for step in page_steps(instrument, page.name)
    )


def largest_page() -> tuple[Instrument, Page, dict[str, Any], int]:
    """The bundled page with the most step instances, and the answers giving it."""
    best: tuple[Instrument, Page, dict[str, Any], int] | None = None
    for path in sorted((ROOT / "studies" / "sociaparis").glob("*_survey.xlsx")):
        instrument = parse_xlsform(path.read_bytes(), filename=path.name).instrument
        for seed in range(20):
            answers = synthetic_answers(instrument, rng=random.Random(seed), now=MOMENT)
            for page in instrument.pages():
                if not has_live_logic(instrument, page):
                    continue
                size = _size(instrument, page, answers)
                if best is None or size > best[3]:
                    best = (instrument, page, answers, size)
    if best is None:
        raise SystemExit("no bundled page has live logic")
    return best


def page_html(instrument: Instrument, page: Page, answers: dict[str, Any]) -> str:
    """The respondent page's form with its data islands and the live script."""
    state = evaluate_form(instrument, answers, lang="fr", now=MOMENT)
    view = lay_out_page(
        state,
        page,
        lang="fr",
        shown=answers,
        live=page_depends_on_itself(instrument, page),
    )
    if page.kind == "repeat":
        body = f'<input type="hidden" name="_instances" value="{len(view.instances)}">'
        body += "".join(
            f"<fieldset><legend>{i.number}</legend>"
            f"{question_blocks(i.blocks, f'i{i.number}', 'fr')}</fieldset>"
            for i in view.instances
        )
    else:
        body = str(question_blocks(view.blocks, "p", "fr"))
    texts = (
        ("too_long", translate("too_long", "fr")),
        ("error_prefix", translate("error_title", "fr")),
        ("one_appeared", translate("live_one_appeared", "fr")),
        ("many_appeared", translate("live_many_appeared", "fr")),
    )
    return (
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">'
        '<title>bench</title><link rel="stylesheet" href="/static/sociaparis.css">'
        f'</head><body><main><form class="form">{body}</form>'
        '<script type="application/json" id="live-form">'
        f"{live_form(instrument, page.name, 'fr', texts)}</script>"
        '<script type="application/json" id="live-data">'
        f"{live_data(instrument, page, answers, MOMENT)}</script>"
        '<script type="module" src="/static/live.js"></script></main></body></html>'
    )


_CHANGES = """([count, typed]) => {
  const live = window.sociaparisLive;
  const times = [];
  for (let i = 0; i < count; i++) {
    const inputs = [...document.querySelectorAll('form [name]')]
      .filter((el) => el.type !== 'hidden' && !el.disabled && !el.closest('[hidden]'));
    const el = inputs[(i * 7) % inputs.length];
    if (el.type === 'radio' || el.type === 'checkbox') el.checked = !el.checked;
    else if (el.tagName === 'SELECT') {
      el.selectedIndex = (el.selectedIndex + 1) % el.options.length;
    }
    else el.value = typed[i % typed.length];
    const start = performance.now();
    el.dispatchEvent(new Event('input', {bubbles: true}));
    times.push(performance.now() - start);
  }
  return {times, live: live.snapshot().live};
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=400)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    instrument, page, answers, size = largest_page()
    html = page_html(instrument, page, answers)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless=new", "--no-sandbox"]
        )
        tab = browser.new_page()

        def handle(route: Any) -> None:
            path = route.request.url[len(ORIGIN) :]
            if path.startswith("/static/"):
                file = STATIC / path.removeprefix("/static/")
                kind = "text/javascript" if file.suffix == ".js" else "text/css"
                route.fulfill(body=file.read_bytes(), content_type=kind)
            else:
                route.fulfill(body=html, content_type="text/html")

        tab.route("**/*", handle)
        tab.goto(f"{ORIGIN}/page")
        tab.wait_for_function("() => window.sociaparisLive !== undefined")
        tab.evaluate(_CHANGES, [50, TYPED])  # warm-up: the JIT compiles
        result = tab.evaluate(_CHANGES, [args.changes, TYPED])
        browser.close()
    if not result["live"]:
        raise SystemExit("the page fell back to the server: nothing measured")
    times = sorted(result["times"])
    median = statistics.median(times)
    p95 = times[int(0.95 * (len(times) - 1))]
    print(
        f"largest page: {instrument.form_id} / {page.name} ({page.kind}), "
        f"{size} step instances, {len(html) / 1024:.1f} KiB"
    )
    print(f"{len(times)} changes: median {median:.2f} ms, p95 {p95:.2f} ms per change")
    verdict = "met" if p95 < TARGET_MS else "MISSED"
    print(f"target < {TARGET_MS:g} ms per change (p95): {verdict}")


if __name__ == "__main__":
    main()
