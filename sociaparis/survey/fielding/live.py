"""What a respondent page sends to the browser's evaluator of live logic (pure).

The page's questions are evaluated in the browser by ``static/live.js`` with the
engine's own rules (:mod:`sociaparis.survey.logic`): this module turns what
:func:`~sociaparis.survey.logic.validate_page` evaluates for a page (its steps, in
the same order, with the expressions the server parsed) into compact JSON, so
the browser runs the same steps on the same parse trees rather than a second
reading of the XLSForm.

Two data islands (``<script type="application/json">``) carry it:

- the *form* island (:func:`live_form`), the same for every respondent on a page
  in a language, kept in memory: the steps, each with its parse trees, choices,
  type and translated messages, and the texts whose ``${name}`` are filled in;
- the *data* island (:func:`live_data`): the answers of other pages that the
  page's expressions read, and the moment ``today()`` and ``now()`` see.

A parse tree node is ``[kind, value, child, ...]`` with the kinds of
:class:`~sociaparis.survey.xpath.parser.Node` (``num``, ``str``, ``ref``,
``cur``, ``col``, ``parent``, ``neg``, ``tonum``, ``arith``, ``and``, ``or``,
``eq``, ``rel``, ``call``).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sociaparis.core.caches import memoized
from sociaparis.survey.checks import default_message, range_bounds
from sociaparis.survey.formats import offset_text, zone_offsets
from sociaparis.survey.instrument import LIST_TYPES, Instrument, Page, Question
from sociaparis.survey.logic import page_steps
from sociaparis.survey.xpath.dates import now_string, today_string
from sociaparis.survey.xpath.parser import Node, parse_tree

#: Expression fields of a step and their keys in the island.
EXPRESSION_KEYS = {
    "relevant": "rel",
    "calculation": "calc",
    "required": "req",
    "constraint": "con",
    "choice_filter": "cf",
    "repeat_count": "rc",
}
#: Built-in messages the evaluator may show, by kind.
MESSAGE_KINDS = ("required", "constraint", "choice")
_TYPE_MESSAGES = (
    "integer",
    "decimal",
    "date",
    "acknowledge",
    "time",
    "dateTime",
    "geopoint",
    "geotrace",
    "geoshape",
    "rank",
)
# How jr:choice-name() reads its question's name (xpath.functions does the same).
_CHOICE_REF = re.compile(r"[ \t\r\n]*\$\{([^{}]*)\}[ \t\r\n]*")


def tree_to_json(node: Node) -> list[Any]:
    """A parse tree as nested lists: ``[kind, value, child, ...]``.

    >>> tree_to_json(parse_tree("${a} + 1"))
    ['arith', ['+'], ['ref', 'a'], ['num', 1.0]]
    """
    value = node.value
    if isinstance(value, tuple):
        value = list(value)
    elif isinstance(value, float) and not math.isfinite(value):
        value = "Infinity"  # a literal of 309 digits or more; JSON has no infinity
    return [node.kind, value, *(tree_to_json(child) for child in node.children)]


def _type_message(question: Question, lang: str) -> str:
    if question.type == "range":
        start, end, step = range_bounds(question)
        return default_message(
            "range", lang, start=f"{start:g}", end=f"{end:g}", step=f"{step:g}"
        )
    if question.type in _TYPE_MESSAGES:
        return default_message(question.type, lang)
    return ""


def _choice_names(expression_trees: list[list[Any]]) -> set[str]:
    """Questions whose choice labels ``jr:choice-name()`` may read."""
    found: set[str] = set()
    stack = list(expression_trees)
    while stack:
        node = stack.pop()
        if node[0] == "call" and node[1] == "jr:choice-name" and node[3][0] == "str":
            match = _CHOICE_REF.fullmatch(node[3][1])
            found.add(match.group(1) if match else node[3][1].strip(" \t\r\n"))
        stack.extend(node[2:])
    return found


def _step(
    instrument: Instrument, step: Any, on_page: set[str], lang: str
) -> tuple[dict[str, Any], list[list[Any]]]:
    item = step.item
    data: dict[str, Any] = {"n": step.name}
    if step.is_repeat:
        data["k"] = "r"
    elif step.is_group:
        data["k"] = "g"
    if step.in_repeat is not None:
        data["in"] = step.in_repeat
    if step.chain:
        data["cn"] = list(step.chain)
    if step.parent is not None:
        data["p"] = step.parent
        if step.parent_scoped:
            data["ps"] = 1
    trees: list[list[Any]] = []
    for field, key in EXPRESSION_KEYS.items():
        expression = getattr(step, field)
        if expression is not None:
            tree = tree_to_json(
                parse_tree(expression.source, choice_filter=field == "choice_filter")
            )
            data[key] = tree
            trees.append(tree)
    if isinstance(item, Question):
        data["t"] = item.type
        if step.answerable:
            data["a"] = 1
        if step.default:
            data["d"] = step.default
        if step.numeric:
            data["num"] = 1
        if item.type in LIST_TYPES:
            data["ch"] = [choice.name for choice in step.choices]
            columns = sorted(
                step.choice_filter.choice_columns - {"name"}
                if step.choice_filter is not None
                else ()
            )
            if columns:
                data["cc"] = {
                    column: [
                        instrument.text(choice.labels, lang)
                        if column == "label"
                        else choice.extra.get(column, "")
                        for choice in step.choices
                    ]
                    for column in columns
                }
        if item.type == "range":
            data["range"] = list(range_bounds(item))
        message = _type_message(item, lang)
        if message:
            data["tm"] = message
        for field, key in (("constraint_messages", "cm"), ("required_messages", "rm")):
            text = instrument.text(getattr(item, field), lang)
            if text:
                data[key] = text
        if step.name in on_page:
            data["on"] = 1
            for field, key in (("labels", "lt"), ("hints", "ht")):
                text = instrument.text(getattr(item, field), lang)
                if "${" in text:
                    data[key] = text
    return data, trees


@memoized(maxsize=512)
def live_form(
    instrument: Instrument,
    page_name: str,
    lang: str,
    texts: tuple[tuple[str, str], ...] = (),
) -> str:
    """The form island of ``page_name`` in ``lang``, as JSON safe inside ``<script>``.

    Parameters
    ----------
    instrument, page_name
        The questionnaire and the page shown.
    lang
        Language of the messages and texts.
    texts
        The page's own texts, as ``(key, text)`` pairs: ``too_long`` (an answer
        over the length a page accepts), ``error_prefix``, ``one_appeared`` and
        ``many_appeared`` (what a screen reader is told when questions appear,
        with ``{n}`` and ``{labels}``).
    """
    page = instrument.page(page_name)
    if page is None:
        raise KeyError(page_name)
    on_page = set(page.questions)
    order = {item.name: number for number, item in enumerate(instrument.items)}
    steps: list[dict[str, Any]] = []
    trees: list[list[Any]] = []
    for step in page_steps(instrument, page_name):
        data, step_trees = _step(instrument, step, on_page, lang)
        data["o"] = order[step.name]
        steps.append(data)
        trees.extend(step_trees)
    labels = {
        name: {
            choice.name: instrument.text(choice.labels, lang)
            for choice in instrument.choice_list(item)
        }
        for name in sorted(_choice_names(trees))
        if instrument.has(name) and isinstance(item := instrument.item(name), Question)
    }
    messages = {kind: default_message(kind, lang) for kind in MESSAGE_KINDS}
    messages.update(texts)
    return _script_json(
        {
            "page": page.name,
            "kind": page.kind,
            "steps": steps,
            "labels": labels,
            "messages": messages,
        }
    )


#: Answer types whose checks the browser's engine (static/engine.js) has, as
#: checks.value_problem makes them; a page with any other (a file, whose check
#: needs the files the server stored) is left to the server's round trip.
LIVE_TYPES = frozenset(
    {
        "text",
        "integer",
        "decimal",
        "select_one",
        "select_multiple",
        "date",
        "range",
        "acknowledge",
        "note",
        "calculate",
        "hidden",
        "time",
        "dateTime",
        "geopoint",
        "geotrace",
        "geoshape",
        "rank",
    }
)


@memoized(maxsize=1024)
def has_live_logic(instrument: Instrument, page: Page) -> bool:
    """Whether ``page`` gets live logic: it has a question the respondent answers,
    and every question is of a type the browser checks (:data:`LIVE_TYPES`)."""
    items = [instrument.item(name) for name in page.questions]
    questions = [item for item in items if isinstance(item, Question)]
    if any(question.type not in LIVE_TYPES for question in questions):
        return False
    return any(question.answerable for question in questions)


#: What a page reads of other pages' answers: the names outside repeats, and
#: for each repeat, the same for its instances (its repeats inside included).
_Wanted = tuple[tuple[str, ...], tuple[tuple[str, Any], ...]]


@memoized(maxsize=1024)
def _read_elsewhere(instrument: Instrument, page: Page) -> _Wanted:
    """The answers of other pages the page's steps read, repeat by repeat as
    the answers nest them; a repeat with no such answer is listed for its
    instance count."""
    root: dict[str, Any] = {"names": [], "repeats": {}}

    def level(chain: tuple[str, ...]) -> dict[str, Any]:
        node = root
        for repeat in chain:
            node = node["repeats"].setdefault(repeat, {"names": [], "repeats": {}})
        return node

    for step in page_steps(instrument, page.name):
        if step.is_repeat and step.name != page.name:
            level((*step.chain, step.name))
        elif step.answerable and step.name not in page.questions:
            level(step.chain)["names"].append(step.name)

    def frozen(node: dict[str, Any]) -> _Wanted:
        return (
            tuple(node["names"]),
            tuple((repeat, frozen(inner)) for repeat, inner in node["repeats"].items()),
        )

    return frozen(root)


def _given(answers: Mapping[str, Any], wanted: _Wanted) -> dict[str, Any]:
    names, repeats = wanted
    given = {name: answers[name] for name in names if name in answers}
    for repeat, inner in repeats:
        rows = answers.get(repeat)
        if isinstance(rows, list):
            given[repeat] = [
                _given(row, inner) if isinstance(row, Mapping) else {} for row in rows
            ]
    return given


def live_data(
    instrument: Instrument, page: Page, answers: Mapping[str, Any], moment: datetime
) -> str:
    """The data island: the other pages' answers the page reads, and the clock.

    Parameters
    ----------
    instrument, page
        The questionnaire and the page shown.
    answers
        The response's answers (the page's own are read from the page).
    moment
        What ``today()`` and ``now()`` see, as on the server's check of the page;
        it also gives the offset a time typed without one takes (``offset``) and
        those of a dateTime (``zone``: see
        :func:`~sociaparis.survey.formats.zone_offsets`), sent only when the
        page's steps hold a dateTime.
    """
    data: dict[str, Any] = {
        "answers": _given(answers, _read_elsewhere(instrument, page)),
        "now": now_string(moment),
        "today": today_string(moment),
        "offset": offset_text(moment.utcoffset()),
    }
    if _has_datetime(instrument, page):
        zone = zone_offsets(moment)
        data["zone"] = [list(change) for change in zone] if zone is not None else None
    return _script_json(data)


@memoized(maxsize=1024)
def _has_datetime(instrument: Instrument, page: Page) -> bool:
    return any(
        isinstance(step.item, Question) and step.item.type == "dateTime"
        for step in page_steps(instrument, page.name)
    )


def _script_json(data: Any) -> str:
    """JSON that cannot close its ``<script>`` element nor open a comment."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
