"""Live logic in Chromium computes what the server's engine computes.

The property: on every page of the three bundled questionnaires and of the forms
in ``tests/survey/forms/``, with random answers to the other pages and a random
sequence of answers typed, ticked and chosen on the page, what the page shows
(the questions, by the ``hidden`` state of their blocks), the values the browser
computed (calculations included) and the errors equal what
:func:`~sociaparis.survey.logic.validate_page` computes for the fields the page
would send at that moment (read by the server's own
:func:`~sociaparis.survey.fielding.submission.read_page`).

The page is the respondent page's form (the HTML of
:mod:`sociaparis.web.questions` and the data islands of
:mod:`sociaparis.survey.fielding.live`), served to Chromium with the static
files of the package; the whole app is exercised in ``test_browser_live.py``.
A new form is picked up by dropping it in ``tests/survey/forms/`` (``.md``) or
adding it to ``studies/``.
"""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sociaparis.survey.fielding.layout import lay_out_page
from sociaparis.survey.fielding.live import has_live_logic, live_data, live_form
from sociaparis.survey.fielding.submission import merge_page, read_page
from sociaparis.survey.instrument import Group, Instrument, Page, Question
from sociaparis.survey.logic import evaluate_form, page_depends_on_itself, validate_page
from sociaparis.survey.xlsform import parse_xlsform
from sociaparis.web.questions import odk_markdown, question_blocks

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "sociaparis" / "web" / "static"
FORMS = sorted(
    [
        *(ROOT / "studies" / "sociaparis").glob("*_survey.xlsx"),
        *(ROOT / "tests" / "survey" / "forms").glob("*.md"),
    ]
)
ORIGIN = "http://live.test"
MOMENT = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
#: What a respondent types: numbers the French way, out of range, not numbers.
TYPED = ["", "0", "1", "3", "2,5", "4.5", "75", "-3", "1 200", "1,200", "abc", "007"]
TYPED_DATES = ["2026-01-15", "1999-12-31", "2026-02-30", "15/01/2026"]
TEXTS = {
    "too_long": "Trop long",
    "error_prefix": "Erreur",
    "one_appeared": "Nouvelle question : {labels}",
    "many_appeared": "{n} nouvelles questions : {labels}",
}


def _instrument(path: Path) -> Instrument:
    return parse_xlsform(path.read_bytes(), filename=path.name).instrument


def _answer_strategy(instrument: Instrument, question: Question) -> st.SearchStrategy:
    kind = question.type
    if kind in ("select_one", "select_multiple"):
        names = [choice.name for choice in instrument.choice_list(question)] or ["x"]
        if kind == "select_one":
            return st.sampled_from(names)
        return st.lists(st.sampled_from(names), max_size=3, unique=True).map(" ".join)
    if kind in ("integer", "decimal", "range"):
        return st.sampled_from(["0", "1", "2", "3", "5", "12", "40", "75"])
    if kind == "date":
        return st.sampled_from(TYPED_DATES[:2])
    if kind == "acknowledge":
        return st.just("OK")
    return st.sampled_from(["", "Oui", "autre"])


@st.composite
def _other_answers(draw: Any, instrument: Instrument, page: Page) -> dict[str, Any]:
    """Random answers to the questions of the other pages (repeats included)."""
    answers: dict[str, Any] = {}
    rows: dict[str, list[dict[str, str]]] = {}
    for item in instrument.items:
        if isinstance(item, Group) and item.kind == "repeat" and item.name != page.name:
            rows[item.name] = [{} for _ in range(draw(st.integers(0, 3)))]
    for question in instrument.questions:
        if not question.answerable or question.name in page.questions:
            continue
        if question.repeat is None:
            if draw(st.booleans()):
                answers[question.name] = draw(_answer_strategy(instrument, question))
        else:
            for row in rows.get(question.repeat, []):
                if draw(st.booleans()):
                    row[question.name] = draw(_answer_strategy(instrument, question))
    answers.update(rows)
    if page.kind == "repeat":
        answers[page.name] = [{} for _ in range(draw(st.integers(1, 3)))]
    return answers


def _page_html(instrument: Instrument, page: Page, answers: dict[str, Any]) -> str:
    """The respondent page's form, with its data islands and the live script."""
    state = evaluate_form(instrument, answers, lang="fr", now=MOMENT)
    view = lay_out_page(
        state,
        page,
        lang="fr",
        shown=answers,
        live=page_depends_on_itself(instrument, page),
    )
    if page.kind == "repeat":
        count = state.instances(page.name)
        body = f'<input type="hidden" name="_instances" value="{count}">' + "".join(
            f'<fieldset id="instance-{i.number}"><legend>n° {i.number}</legend>'
            f"{question_blocks(i.blocks, f'i{i.number}', 'fr')}</fieldset>"
            for i in view.instances
        )
    else:
        body = str(question_blocks(view.blocks, "p", "fr"))
    texts = tuple(TEXTS.items())
    return (
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>t</title>'
        '<link rel="stylesheet" href="/static/sociaparis.css"></head><body><main>'
        f'<form method="post" class="form" novalidate>{body}</form>'
        '<script type="application/json" id="live-form">'
        f"{live_form(instrument, page.name, 'fr', texts)}</script>"
        '<script type="application/json" id="live-data">'
        f"{live_data(instrument, page, answers, MOMENT)}</script>"
        '<script type="module" src="/static/live.js"></script></main></body></html>'
    )


def _serve(tab: Any, html: str) -> None:
    def handle(route: Any) -> None:
        path = route.request.url[len(ORIGIN) :]
        if path.startswith("/static/"):
            file = STATIC / path.removeprefix("/static/")
            kind = "text/javascript" if file.suffix == ".js" else "text/css"
            route.fulfill(status=200, body=file.read_bytes(), content_type=kind)
        else:
            route.fulfill(status=200, body=html, content_type="text/html")

    tab.unroute("**/*")
    tab.route("**/*", handle)
    tab.goto(f"{ORIGIN}/page")
    tab.wait_for_function("() => window.sociaparisLive !== undefined", timeout=5000)


_BROWSER_STATE = """() => {
  const live = window.sociaparisLive;
  const snap = live.snapshot();
  const visible = [...document.querySelectorAll('[data-field]')]
    .filter((el) => !el.hidden).map((el) => el.dataset.field);
  const fields = {};
  for (const [name, value] of new FormData(document.querySelector('form'))) {
    (fields[name] = fields[name] || []).push(String(value));
  }
  const labels = {};
  for (const el of document.querySelectorAll('[data-field]:not([hidden]) [data-label]')) {
    labels[el.closest('[data-field]').dataset.field] = el.textContent;
  }
  return {snap, visible, fields, labels};
}"""


def _server_state(
    instrument: Instrument, page: Page, stored: dict[str, Any], fields: dict
) -> dict[str, Any]:
    """What the server computes for the fields the page would send."""
    instances = int(fields.get("_instances", ["0"])[0])
    submission = read_page(
        instrument, page, fields, instances=instances, too_long_message="Trop long"
    )
    answers = merge_page(stored, page, submission.answers)
    validation = validate_page(instrument, answers, page.name, "fr", now=MOMENT)
    state = validation.state
    shown, values = [], {}
    for step in state.evaluated:
        if step.is_group:
            continue
        scope = (
            [0]
            if step.in_repeat is None
            else range(1, state.instances(step.in_repeat) + 1)
        )
        for index in scope:
            field = f"{step.name}.{index}" if index else step.name
            if state.is_relevant(step.name, index):
                values[field] = state.value(step.name, index)
                if step.name in page.questions:
                    shown.append(field)
    errors = [
        {
            "question": e.question,
            "kind": e.kind,
            "message": e.message,
            "instance": e.instance,
        }
        for e in (*submission.errors, *validation.errors)
    ]
    view = lay_out_page(state, page, lang="fr", shown=answers, live=True)
    blocks = [b for i in view.instances for b in i.blocks] or list(view.blocks)
    questions = [q for b in blocks for q in getattr(b, "items", (b,))]
    labels = {
        q.field: _text(q.label)
        for q in questions
        if q.live_label and state.is_relevant(q.name, int(q.field.partition(".")[2] or 0))
    }
    return {"shown": shown, "values": values, "errors": errors, "labels": labels}


def _text(label: str) -> str:
    """What a browser shows of a label: its markdown rendered, as text."""
    return html.unescape(re.sub(r"<[^>]+>", "", str(odk_markdown(label))))


def _displayed(instrument: Instrument, field: str) -> bool:
    item = instrument.item(field.split(".")[0])
    return isinstance(item, Question) and item.displayed


def _check(tab: Any, instrument: Instrument, page: Page, stored: dict) -> None:
    browser = tab.evaluate(_BROWSER_STATE)
    snap = browser["snap"]
    assert snap["live"], "the page fell back to the server"
    server = _server_state(instrument, page, stored, browser["fields"])
    assert sorted(snap["shown"]) == sorted(server["shown"])
    assert sorted(browser["visible"]) == sorted(
        field for field in server["shown"] if _displayed(instrument, field)
    )
    assert snap["values"] == server["values"]
    assert snap["errors"] == server["errors"]
    assert browser["labels"] == server["labels"]


_ACT = """([index, pick, text]) => {
  const inputs = [...document.querySelectorAll('form input, form select, form textarea')]
    .filter((el) => el.type !== 'hidden' && !el.disabled && el.offsetParent !== null);
  if (!inputs.length) return null;
  const el = inputs[index % inputs.length];
  if (el.type === 'radio' || el.type === 'checkbox') {
    el.click();
  } else if (el.tagName === 'SELECT') {
    const options = [...el.options].filter((o) => !o.disabled);
    el.value = options[pick % options.length].value;
    el.dispatchEvent(new Event('input', {bubbles: true}));
  } else {
    el.value = text;
    el.dispatchEvent(new Event('input', {bubbles: true}));
  }
  return el.name;
}"""


@st.composite
def _case(draw: Any, instrument: Instrument) -> tuple[Page, dict, list]:
    pages = [p for p in instrument.pages() if has_live_logic(instrument, p)]
    page = draw(st.sampled_from(pages))
    stored = draw(_other_answers(instrument, page))
    actions = draw(
        st.lists(
            st.tuples(
                st.integers(0, 400),
                st.integers(0, 40),
                st.sampled_from(TYPED + TYPED_DATES + ["OK", "other", "x" * 10_001]),
            ),
            min_size=1,
            max_size=8,
        )
    )
    return page, stored, actions


@pytest.fixture(scope="module")
def tab(browser: Any) -> Any:
    context = browser.new_context(locale="fr-FR")
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("path", FORMS, ids=[path.stem for path in FORMS])
def test_live_logic_computes_what_the_server_computes(tab: Any, path: Path) -> None:
    instrument = _instrument(path)

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
    )
    @given(case=_case(instrument))
    def check(case: tuple[Page, dict, list]) -> None:
        page, stored, actions = case
        _serve(tab, _page_html(instrument, page, stored))
        _check(tab, instrument, page, stored)
        for action in actions:
            if tab.evaluate(_ACT, list(action)) is None:
                break
            _check(tab, instrument, page, stored)

    check()


def test_the_forms_are_found() -> None:
    names = {path.name for path in FORMS}
    assert {"staff_llm_survey.xlsx", "tool_detail.md"} <= names
    assert json.loads(json.dumps(TEXTS)) == TEXTS
