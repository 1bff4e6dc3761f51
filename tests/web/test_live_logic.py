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
from sociaparis.survey.fielding.submission import index_suffix, merge_page, read_page
from sociaparis.survey.instrument import Group, Instrument, Page, Question
from sociaparis.survey.logic import evaluate_form, page_depends_on_itself, validate_page
from sociaparis.survey.xlsform import parse_xlsform
from sociaparis.web.questions import nested_repeats, odk_markdown, question_blocks

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
#: Times, dateTimes and places, well and badly written.
TYPED_FORMATS = [
    "14:30",
    "05:59",
    "8h",
    "25:00",
    "2026-03-05T14:30",
    "2026-03-14 10:00:30+02:00",
    "2026-02-30T10:00",
    "48,85 2,35",
    "48.85 2.35 35 -1",
    "91 0",
    "0 0;0 1;1 1",
    "48.85 2.35\n48.86 2.36",
]
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
    if kind == "time":
        return st.sampled_from(["14:30:00.000+00:00", "07:00", "bad"])
    if kind == "dateTime":
        return st.sampled_from(["2026-03-05T14:30:00.000+01:00", "2026-01-01T08:00"])
    if kind == "geopoint":
        return st.sampled_from(["48.85 2.35 0 0", "10 20", "? 2"])
    if kind in ("geotrace", "geoshape"):
        return st.sampled_from(["0 0 0 0;0 1 0 0;1 1 0 0;0 0 0 0", "1 1"])
    if kind == "rank":
        names = [choice.name for choice in instrument.choice_list(question)]
        return st.permutations(names).map(" ".join)
    return st.sampled_from(["", "Oui", "autre"])


@st.composite
def _other_answers(draw: Any, instrument: Instrument, page: Page) -> dict[str, Any]:
    """Random answers to the questions of the other pages (repeats included)."""
    answers: dict[str, Any] = {}
    rows: dict[str, list[dict[str, Any]]] = {}
    for item in instrument.items:
        if (
            isinstance(item, Group)
            and item.kind == "repeat"
            and item.name != page.name
            and item.repeat is None
        ):
            rows[item.name] = _nested_rows(draw, instrument, item.name, 0)
    for question in instrument.questions:
        if not question.answerable or question.name in page.questions:
            continue
        if question.repeat is None and draw(st.booleans()):
            answers[question.name] = draw(_answer_strategy(instrument, question))
    answers.update(rows)
    if page.kind == "repeat":
        answers[page.name] = _nested_rows(draw, instrument, page.name, 1)
    return answers


def _nested_rows(draw: Any, instrument: Instrument, repeat: str, least: int) -> list:
    """Instances of ``repeat``, each with instances of the repeats inside it
    and, at random, answers to their questions (the page shows them)."""
    rows = []
    for _ in range(draw(st.integers(least, 3 if least else 2))):
        row: dict[str, Any] = {}
        for item in instrument.level(repeat):
            if isinstance(item, Group):
                row[item.name] = _nested_rows(draw, instrument, item.name, 0)
            elif item.answerable and draw(st.booleans()):
                row[item.name] = draw(_answer_strategy(instrument, item))
        rows.append(row)
    return rows


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
            f"{question_blocks(i.blocks, f'i{i.number}', 'fr')}"
            f"{nested_repeats(i, 'fr') if i.nested else ''}</fieldset>"
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


def _serve(tab: Any, html: str, *, wait: bool = True, path: str = "/page") -> None:
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
    tab.goto(f"{ORIGIN}{path}")
    if wait:
        tab.wait_for_function("() => window.sociaparisLive !== undefined", timeout=30_000)


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
        scope = [0] if step.in_repeat is None else state.indexes(step.in_repeat)
        for index in scope:
            field = f"{step.name}.{index_suffix(index)}" if index else step.name
            if state.is_relevant(step.name, index):
                values[field] = state.value(step.name, index)
                if step.name in page.questions:
                    shown.append(field)
    errors = [
        {
            "question": e.question,
            "kind": e.kind,
            "message": e.message,
            "instance": list(e.instance) if isinstance(e.instance, tuple) else e.instance,
        }
        for e in (*submission.errors, *validation.errors)
    ]
    # The labels a page fills in as answers change: those of a page whose
    # questions read each other (the others' are written once, by the server).
    live = page_depends_on_itself(instrument, page)
    view = lay_out_page(state, page, lang="fr", shown=answers, live=live)
    blocks = [b for i in view.instances for b in i.blocks] or list(view.blocks)
    questions = [q for b in blocks for q in getattr(b, "items", (b,))]
    labels = {
        q.field: _text(q.label)
        for q in questions
        if q.live_label and state.is_relevant(q.name, _index(q.field))
    }
    return {"shown": shown, "values": values, "errors": errors, "labels": labels}


def _index(field: str) -> int | tuple[int, ...]:
    """The engine's index of a field name: 0, 2 or (2, 1)."""
    numbers = tuple(int(part) for part in field.split(".")[1:])
    if not numbers:
        return 0
    return numbers[0] if len(numbers) == 1 else numbers


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
                st.sampled_from(
                    TYPED + TYPED_DATES + TYPED_FORMATS + ["OK", "other", "x" * 10_001]
                ),
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


#: Expressions without answers, whose value the browser must write as the server
#: does: numbers, strings, dates, node-set rules and every function in the table.
EXPRESSIONS = [
    "1 div 3",
    "2 div 0",
    "-2 div 0",
    "0 div 0",
    "0.1 + 0.2",
    "100000000000000000000000",
    "0.000001",
    "0.0000001 * 3",
    "7 mod -3",
    "-7 mod 3",
    "5.5 mod 0",
    "-0",
    "- - 4",
    "'' + 1",
    "' 12.5 ' * 2",
    "'1 200' + 0",
    "'2,5' + 0",
    "true() + true()",
    "1 = '1'",
    "'a' != 'b'",
    "true() = 'false'",
    "2 > '10'",
    "'abc' < 'abd'",
    "round(2.5)",
    "round(-2.5)",
    "round(1.005, 2)",
    "round(1234.5678, -2)",
    "round(0.5, 0)",
    "round(1 div 3, 300)",
    "round(123.456, 'x')",
    "int(-3.7)",
    "floor(-3.5)",
    "ceiling(-0.5)",
    "abs(-2)",
    "sqrt(2)",
    "sqrt(-1)",
    "pi()",
    "number('x')",
    "number(' -.5 ')",
    "string(1 div 3)",
    "string(123456789012345680000)",
    "string(0.1 * 3)",
    "string(-0.0)",
    "boolean('')",
    "boolean(0 div 0)",
    "boolean-from-string(' TRUE ')",
    "not(1)",
    "if(1 > 2, 'a', 'b')",
    "coalesce('', 'b')",
    "concat('a', 1, true())",
    "join('-', 'a', 'b', 'c')",
    "string-length('héé😀')",
    "normalize-space('  a \t b  ')",
    "contains('abc', 'bc')",
    "starts-with('abc', 'ab')",
    "ends-with('abc', 'bc')",
    "substr('😀abcdef', 1, 3)",
    "substr('abcdef', -2)",
    "substr('abc', 1 div 0)",
    "substring('12345', 1.5, 2.6)",
    "substring('12345', 0, 3)",
    "substring('12345', -1 div 0, 1 div 0)",
    "substring-before('a-b-c', '-')",
    "substring-after('a-b-c', '-')",
    "translate('bar', 'abc', 'AB')",
    "selected('a b c', ' b ')",
    "count-selected(' a  b ')",
    "selected-at('a b c', 1)",
    "selected-at('a b', -1)",
    "selected-at('a b', 1.9)",
    "regex('2024-01-05', '^[0-9]{4}-')",
    "checklist(1, 2, true(), false(), 'x')",
    "checklist(-1, 0, true())",
    "weighted-checklist(2, -1, true(), 1.5, false(), 3, 1, 0.5)",
    "min(3, '1', 2)",
    "max(3, 'x')",
    "today()",
    "now()",
    "date('2026-02-28') + 1",
    "date(20000)",
    "date('2026-03-14T23:30:00+05:00')",
    "date(-1.5)",
    "decimal-date-time('2026-03-14T12:00:00Z')",
    "decimal-date-time('1970-01-02T00:00:00+01:00')",
    "format-date('2026-03-04', '%Y/%m/%d %e %n %b %a %y')",
    "format-date(20000.75, '%H:%M:%S.%3 %h')",
    "format-date-time('2026-03-04T05:06:07.089', '%d %H:%M:%S.%3')",
    "format-date(1 div 0, '%Y')",
    "format-date(-719162.5, '%Y-%m-%d %H')",
    "'2026-03-14' > '2026-03-13'",
    "date('2026-02-30')",
    "'2026-03-14T24:00:00' + 0",
    "selected('a\u00a0b', 'b')",
    "count-selected('a\u2003b\x1fc')",
    "translate('😀a😀', '😀', 'x')",
    "regex('\u00a0', '^\\s$')",
    "regex('a\rb', '^a.b$')",
    "string(decimal-date-time('2026-03-14T10:00:00.5'))",
    "decimal-time('06:00:00.000-07:00')",
    "decimal-time('2026-03-14T18:00:30.5+02:00')",
    "decimal-time('2026-03-14T24:00')",
    "decimal-time('2026-03-14')",
    "decimal-time('25:00')",
    "decimal-time('x')",
]


class _NoAnswers:
    def resolve(self, name: str) -> str:
        return ""

    def current(self) -> str:
        return ""

    def now(self) -> datetime:
        return MOMENT


def test_the_browser_writes_every_value_as_the_server_does(tab: Any) -> None:
    from sociaparis.survey.fielding.live import tree_to_json
    from sociaparis.survey.xpath import evaluate, parse, to_string
    from sociaparis.survey.xpath.dates import now_string, today_string
    from sociaparis.survey.xpath.parser import parse_tree

    _serve(tab, "<!DOCTYPE html><title>x</title>", wait=False)
    trees = [tree_to_json(parse_tree(source)) for source in EXPRESSIONS]
    written = tab.evaluate(
        """async ([trees, now, today]) => {
          const x = await import('/static/xpath.js');
          const ctx = {resolve: () => '', current: () => '', now: () => now,
                       today: () => today, position: () => 0};
          return trees.map((tree) => x.toString(x.evaluate(tree, ctx)));
        }""",
        [trees, now_string(MOMENT), today_string(MOMENT)],
    )
    expected = [
        to_string(evaluate(parse(source), _NoAnswers())) for source in EXPRESSIONS
    ]
    assert dict(zip(EXPRESSIONS, written, strict=True)) == dict(
        zip(EXPRESSIONS, expected, strict=True)
    )


class _Answers(_NoAnswers):
    def __init__(self, values: dict[str, str]) -> None:
        self.values = values

    def resolve(self, name: str) -> str:
        return self.values[name]


@settings(max_examples=300, deadline=None, database=None)
@given(
    number=st.floats(allow_nan=False, allow_infinity=False)
    | st.integers(-(10**6), 10**6).map(float),
    digits=st.integers(-5, 8),
)
def test_numbers_and_round_are_written_as_the_server_writes_them(
    tab: Any, number: float, digits: int
) -> None:
    from sociaparis.survey.xpath import evaluate, parse, to_string
    from sociaparis.survey.xpath.values import number_to_string

    answers = {"n": number_to_string(number), "d": str(digits)}
    sources = ["${n} * 1", "round(${n}, ${d})", "${n} div 7", "int(${n})"]
    expected = [to_string(evaluate(parse(s), _Answers(answers))) for s in sources]
    if "xpath" not in tab.url:
        _serve(tab, "<!DOCTYPE html><title>xpath</title>", wait=False, path="/xpath")
    written = tab.evaluate(
        """async ([trees, answers]) => {
          const x = await import('/static/xpath.js');
          const ctx = {resolve: (name) => answers[name]};
          return trees.map((tree) => x.toString(x.evaluate(tree, ctx)));
        }""",
        [[_tree(s) for s in sources], answers],
    )
    assert written == expected


def _tree(source: str) -> list:
    from sociaparis.survey.fielding.live import tree_to_json
    from sociaparis.survey.xpath.parser import parse_tree

    return tree_to_json(parse_tree(source))


FALLBACK = """| survey |
| | type | name | label | relevant | appearance |
| | begin group | p | P | | field-list |
| | integer | n | N | | |
| | text | big | Big | pow(${n}, 2) > 10 | |
| | end group | | | | |
"""


def test_a_page_the_browser_cannot_compute_is_left_to_the_server(tab: Any) -> None:
    instrument = parse_xlsform(FALLBACK.encode(), filename="f.md").instrument
    page = instrument.page("p")
    _serve(tab, _page_html(instrument, page, {}), wait=False)
    tab.wait_for_load_state("networkidle")
    tab.fill('input[name="n"]', "5")
    # Nothing changed: the follow-up waits for the server, no _live is sent.
    assert tab.evaluate("() => window.sociaparisLive") is None
    assert tab.locator('[data-field="big"]').is_hidden()
    assert tab.locator('input[name="_live"]').count() == 0


#: What respondents type in time, dateTime and geographic questions.
FORMATTED_CASES = [
    ("time", "14:30"),
    ("time", " 8 h 05 "),
    ("time", "14h"),
    ("time", "23:59:59.1234567"),
    ("time", "08:05:09.5Z"),
    ("time", "08:05+0530"),
    ("time", "08:05+15:00"),
    ("time", "24:00"),
    ("time", "8:5"),
    ("dateTime", "2026-03-05T14:30"),
    ("dateTime", "2026-07-05 14:30:15"),
    ("dateTime", "2026-03-29T02:30"),
    ("dateTime", "2026-03-29T03:00"),
    ("dateTime", "2026-10-25T02:30"),
    ("dateTime", "1890-06-01T12:00"),
    ("dateTime", "2026-03-05T14:30-03:00"),
    ("dateTime", "2026-02-30T10:00"),
    ("dateTime", "0000-01-01T10:00"),
    ("dateTime", "2026-03-05 \r14:30"),
    ("geopoint", "48,8566 2,3522"),
    ("geopoint", "48.85 2.35 35 5"),
    ("geopoint", "-0 -.5 1e3"),
    ("geopoint", "91 0"),
    ("geopoint", "0 181"),
    ("geopoint", "1 2 3 -4"),
    ("geopoint", "? 2"),
    ("geopoint", "1 2 3 4 5"),
    ("geotrace", "48.85 2.35\n48.86 2.36 10 3"),
    ("geotrace", "48.85 2.35;"),
    ("geotrace", "1 1;x 2"),
    ("geoshape", "0 0; 0 1; 1 1"),
    ("geoshape", "0 0;0 1;1 1;0 0"),
    ("geoshape", "0 0;0 1;0 0"),
    ("geoshape", "0 0;-0 1;0 1;1 1"),
]


@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris", "America/Santiago"])
def test_the_browser_writes_times_and_places_as_the_server_does(
    tab: Any, zone: str
) -> None:
    from zoneinfo import ZoneInfo

    from sociaparis.survey.formats import formatted, offset_text, zone_offsets

    moment = datetime(2026, 3, 14, 9, 30, tzinfo=ZoneInfo(zone))
    clock = {
        "offset": offset_text(moment.utcoffset()),
        "zone": [list(change) for change in zone_offsets(moment) or ()],
    }
    _serve(tab, "<!DOCTYPE html><title>x</title>", wait=False)
    written = tab.evaluate(
        """async ([cases, clock]) => {
          const engine = await import('/static/engine.js');
          return cases.map(([kind, raw]) => [
            engine.formatted(kind, raw, clock), engine.formatted(kind, raw, null)]);
        }""",
        [FORMATTED_CASES, clock],
    )

    def server(kind: str, raw: str, at: datetime | None) -> str | None:
        try:
            return formatted(kind, raw, moment=at)
        except ValueError:
            return None

    expected = [
        [server(kind, raw, moment), server(kind, raw, None)]
        for kind, raw in FORMATTED_CASES
    ]
    assert dict(zip(map(tuple, FORMATTED_CASES), map(tuple, written), strict=True)) == (
        dict(zip(map(tuple, FORMATTED_CASES), map(tuple, expected), strict=True))
    )
    # Summer time: the offset of the dateTime's own day.
    if zone == "Europe/Paris":
        assert (
            written[FORMATTED_CASES.index(("dateTime", "2026-07-05 14:30:15"))][0]
            == "2026-07-05T14:30:15.000+02:00"
        )


def test_a_geopoint_and_a_time_act_live(tab: Any) -> None:
    instrument = _instrument(ROOT / "tests" / "survey" / "forms" / "live_types.md")
    page = instrument.page("when")
    _serve(tab, _page_html(instrument, page, {}))
    assert tab.is_hidden('[data-field="route"]')
    tab.fill("#q-start", "05:00")
    assert tab.text_content("#q-start-error").endswith("Pas avant 6 h")
    tab.fill("#q-place-lat", "48,5")
    tab.fill("#q-place-lon", "2")
    # The latitude is read from the geopoint's parts: the trace is asked for.
    assert tab.is_visible('[data-field="route"]')
    assert tab.text_content('[data-field="lat_n"] [data-label]') == (
        "Latitude 48.5, lieu 48.5 2 0 0"
    )
    values = tab.evaluate("() => window.sociaparisLive.snapshot().values")
    assert values["start"] == "05:00:00.000+00:00"
    assert values["start_h"] == "5"
    tab.fill("#q-start", "06:30")
    assert tab.locator("#q-start-error").count() == 0


def test_a_repeat_inside_a_repeat_is_live(tab: Any) -> None:
    instrument = _instrument(ROOT / "tests" / "survey" / "forms" / "live_types.md")
    page = instrument.page("trips")
    stored = {
        "start": "07:00:00.000+00:00",
        "trips": [
            {"dest": "Lyon", "legs": [{}, {"leg_at": "06:00"}]},
            {"dest": "", "legs": [{}]},
        ],
    }
    _serve(tab, _page_html(instrument, page, stored))
    _check(tab, instrument, page, stored)
    # Trip 2 has no destination: its legs are not asked for.
    assert tab.is_hidden('[data-field="leg_at.2.1"]')
    assert tab.is_visible('[data-field="leg_at.1.2"]')
    assert tab.is_visible('[data-field="leg_from.1.2"]')
    assert tab.is_hidden('[data-field="leg_from.1.1"]')
    tab.fill("#q-leg_at-1-1", "08:15")
    _check(tab, instrument, page, stored)
    assert tab.is_visible('[data-field="leg_from.1.1"]')
    snap = tab.evaluate("() => window.sociaparisLive.snapshot()")
    # Before the start of the day: refused, in trip 1's leg 2.
    assert {
        "question": "leg_at",
        "kind": "constraint",
        "message": "Cette réponse n'est pas acceptée.",
        "instance": [1, 2],
    } in snap["errors"]
    assert snap["values"]["leg_at.1.2"] == "06:00:00.000+00:00"
    assert snap["values"]["leg_at.1.1"] == "08:15:00.000+00:00"
    # Without a destination, trip 1's legs go (their repeat is not relevant).
    tab.fill("#q-dest-1", "")
    _check(tab, instrument, page, stored)
    assert tab.is_hidden('[data-field="leg_at.1.2"]')
    assert tab.locator('[data-field="leg_at.1.2"]').count() == 1
