"""How a page is laid out for a respondent: a plain view model (pure function).

The templates only display what :func:`lay_out_page` returns: labels in the
chosen language with ``${name}`` references filled in, the choices a select
offers after its filter, the values to show, each field's error, Likert runs
grouped into one table, and repeat instances.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sociaparis.core.caches import memoized
from sociaparis.survey.checks import FieldError
from sociaparis.survey.fielding.submission import count_field, field_name, index_suffix
from sociaparis.survey.fielding.uploads import accept_attribute
from sociaparis.survey.formats import geopoint_parts, wall_clock
from sociaparis.survey.instrument import FILE_TYPES, Group, Instrument, Page, Question
from sociaparis.survey.logic import FormState, Index, index_prefix

_REFERENCE = re.compile(r"\$\{([A-Za-z_][\w.-]*)\}")
_RADIO_RANGE_LIMIT = 11


@dataclass(frozen=True, slots=True)
class ChoiceView:
    """One choice as shown: its code, label, and whether it is selected."""

    value: str
    label: str
    selected: bool
    offered: bool = True  # False: filtered out, kept hidden for live logic
    filtered: bool = False  # in a list whose filter live logic applies


@dataclass(frozen=True, slots=True)
class QuestionView:
    """One question as shown.

    ``widget`` is one of ``note``, ``text``, ``textarea``, ``integer``,
    ``decimal``, ``date``, ``time``, ``datetime``, ``geopoint``, ``geotrace``
    (also for a geoshape), ``rank``, ``radio``, ``dropdown``, ``checkbox``,
    ``acknowledge``, ``number_range``, ``file`` (an upload: ``value`` is the
    stored file's name, ``accept`` and ``capture`` the input's attributes).
    ``parts`` holds what the inputs of a multi-input question show: a
    geopoint's latitude, longitude, altitude and accuracy; a rank's choices
    in their ranks.
    """

    name: str
    field: str
    widget: str
    label: str
    hint: str = ""
    value: str = ""
    choices: tuple[ChoiceView, ...] = ()
    required: bool = False
    error: str = ""
    minimum: str = ""
    maximum: str = ""
    step: str = ""
    accept: str = ""
    capture: str = ""
    parts: tuple[str, ...] = ()
    relevant: bool = True  # False: kept hidden (and disabled) for live logic
    live_label: bool = False  # its label shows values that live logic fills in
    live_hint: bool = False

    @property
    def dom_id(self) -> str:
        """The HTML id of the field (names may contain dots inside repeats)."""
        return "q-" + self.field.replace(".", "-")


@dataclass(frozen=True, slots=True)
class LikertView:
    """Consecutive selects sharing one list, shown as one table: Likert items
    (``likert``), or the rows of a table-list (``list-nolabel``, after an
    optional ``label`` select whose label is the caption), whose rows may mix
    ``select_one`` (radio buttons) and ``select_multiple`` (check boxes).
    """

    scale: tuple[tuple[str, str], ...]
    items: tuple[QuestionView, ...]
    caption: str = ""


Block = QuestionView | LikertView


@dataclass(frozen=True, slots=True)
class InstanceView:
    """One instance of a repeat: its number, its blocks, and the repeats inside
    it (shown after its questions).

    ``suffix`` is its place from the page's repeat down (``2``, ``2.1``): what
    its fields and buttons are named with.
    """

    number: int
    blocks: tuple[Block, ...]
    nested: tuple[NestedRepeatView, ...] = ()
    suffix: str = ""


@dataclass(frozen=True, slots=True)
class NestedRepeatView:
    """A repeat inside an instance of the page's repeat.

    ``count_field`` carries how many instances the page shows (the form sends
    it back); ``parent`` is the suffix of the instance it is in, which its
    "add" button names.
    """

    name: str
    title: str
    count_field: str
    parent: str
    instances: tuple[InstanceView, ...]
    can_add: bool


@dataclass(frozen=True, slots=True)
class PageView:
    """A whole page: title, blocks (or repeat instances), errors, progress."""

    name: str
    kind: str
    title: str
    blocks: tuple[Block, ...] = ()
    instances: tuple[InstanceView, ...] = ()
    can_add: bool = False
    errors: tuple[QuestionView, ...] = field(default=())
    position: int = 1
    total: int = 1
    closing: bool = False
    # the page has a file question: its form is sent multipart
    has_upload: bool = False

    def located_errors(self) -> tuple[tuple[int | None, QuestionView], ...]:
        """Each question with an error and the number of its repeat instance (None
        outside a repeat), in page order: what the error summary lists."""
        if self.kind != "repeat":
            return tuple((None, q) for q in self.errors)
        return tuple(
            (instance.number, q)
            for instance in self.instances
            for q in _instance_questions((instance,))
            if q.error
        )


def closing_page(instrument: Instrument) -> Page | None:
    """The form's last page if it shows only notes (a closing "thank you"), else None.

    Such notes are meant for a respondent who has finished, so they are shown on
    the thanks page, once the answers are sent; the page itself is still the
    last step before sending (``closing`` in its :class:`PageView`).
    """
    pages = instrument.pages()
    if not pages or pages[-1].kind == "repeat":
        return None
    last = pages[-1]
    notes = (instrument.item(name) for name in last.questions)
    if all(isinstance(q, Question) and q.type == "note" for q in notes):
        return last
    return None


def _text(instrument: Instrument, texts: Mapping[str, str], lang: str) -> str:
    return instrument.text(texts, lang)


def _fill(text: str, state: FormState, instance: Index) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if not state.instrument.has(name):
            return match.group(0)
        item = state.instrument.item(name)
        if item.repeat is None or isinstance(instance, int):
            return state.value(name, instance if item.repeat is not None else 0)
        # in a nested repeat: the answer in the instance enclosing this one
        depth = len(state.plan.chain_of(item.repeat))
        return state.value(name, index_prefix(instance, min(depth, len(instance))))

    return _REFERENCE.sub(value, text) if "${" in text else text


def _widget(question: Question) -> str:
    appearance = question.appearance.split()
    if question.type == "note":
        return "note"
    if question.type == "text":
        return "textarea" if "multiline" in appearance else "text"
    if question.type == "select_one":
        return "dropdown" if "minimal" in appearance else "radio"
    if question.type == "select_multiple":
        return "checkbox"
    if question.type == "range":
        return "number_range"
    if question.type in FILE_TYPES:
        return "file"
    return _WIDGETS.get(question.type, question.type)  # integer, decimal, date...


_WIDGETS = {"dateTime": "datetime", "geoshape": "geotrace"}


@dataclass(frozen=True, slots=True)
class _QuestionTexts:
    """What a question shows whatever the answers, in one language."""

    widget: str
    label: str  # before its ${...} references are filled in
    hint: str
    required: bool
    choice_labels: Mapping[str, str]


@memoized(maxsize=8192)
def _question_texts(instrument: Instrument, name: str, lang: str) -> _QuestionTexts:
    # Every page view lays out tens of questions and choices; their texts only
    # change with the instrument version (its hash is the key) and the language.
    question = instrument.item(name)
    assert isinstance(question, Question)  # noqa: S101 - pages hold questions
    return _QuestionTexts(
        widget=_widget(question),
        label=_text(instrument, question.labels, lang),
        hint=_text(instrument, question.hints, lang),
        required=question.required not in {"", "false()"},
        choice_labels={
            choice.name: _text(instrument, choice.labels, lang) or choice.name
            for choice in instrument.choice_list(question)
        },
    )


def _question_view(
    question: Question,
    state: FormState,
    shown: Mapping[str, Any],
    errors: Mapping[tuple[str, int | None], str],
    lang: str,
    instance: int | None,
    initial: Mapping[str, str],
    live: bool = False,
) -> QuestionView:
    instrument = state.instrument
    texts = _question_texts(instrument, question.name, lang)
    index = instance or 0
    if shown and question.name in shown:
        value = str(shown[question.name])
    else:
        value = initial.get(question.name, "")
    widget = texts.widget
    choices: tuple[ChoiceView, ...] = ()
    parts: tuple[str, ...] = ()
    if question.type in {"time", "dateTime"}:
        value = wall_clock(question.type, value)
    elif question.type == "geopoint":
        parts = geopoint_parts(value)
    elif question.type in {"geotrace", "geoshape"}:
        value = value.replace(";", "\n")
    elif question.type == "rank":
        labels = texts.choice_labels
        choices = tuple(
            ChoiceView(c.name, labels[c.name], False)
            for c in state.offered(question.name, index)
        )
        parts = tuple(value.split())
    if question.type in {"select_one", "select_multiple"}:
        chosen = set(value.split()) if question.type == "select_multiple" else {value}
        labels = texts.choice_labels
        offered = state.offered(question.name, index)
        if live and question.choice_filter:
            names = {c.name for c in offered}
            choices = tuple(
                ChoiceView(
                    c.name, labels[c.name], c.name in chosen, c.name in names, True
                )
                for c in instrument.choice_list(question)
            )
        else:
            choices = tuple(
                ChoiceView(c.name, labels[c.name], c.name in chosen) for c in offered
            )
    minimum = maximum = step = ""
    if question.type == "range":
        minimum = question.parameters.get("start", "1")
        maximum = question.parameters.get("end", "10")
        step = question.parameters.get("step", "1")
        try:
            count = (float(maximum) - float(minimum)) / float(step)
        except (ValueError, ZeroDivisionError):
            count = _RADIO_RANGE_LIMIT
        if 0 <= count < _RADIO_RANGE_LIMIT:
            widget = "radio"
            choices = tuple(
                ChoiceView(v, v, v == value)
                for v in _range_values(float(minimum), float(step), int(count) + 1)
            )
    accept = capture = ""
    if widget == "file":
        accept = accept_attribute(question)
        words = question.appearance.split()
        if "new" in words:
            capture = "environment"
        elif "new-front" in words or "selfie" in words:
            capture = "user"
    return QuestionView(
        name=question.name,
        field=field_name(question.name, instance),
        widget=widget,
        label=_fill(texts.label, state, index),
        hint=_fill(texts.hint, state, index),
        value=value,
        choices=choices,
        required=texts.required,
        error=errors.get((question.name, instance), ""),
        minimum=minimum,
        maximum=maximum,
        step=step,
        accept=accept,
        capture=capture,
        parts=parts,
        relevant=state.is_relevant(question.name, index),
        live_label=live and "${" in texts.label,
        live_hint=live and "${" in texts.hint,
    )


def _range_values(start: float, step: float, count: int) -> list[str]:
    values = [start + i * step for i in range(count)]
    return [str(int(v)) if v == int(v) else str(v) for v in values]


def _table_kind(question: Question) -> str:
    """``likert``, ``label`` or ``row`` (``list-nolabel``) for a select shown in
    a table, ``''`` otherwise."""
    if question.type not in {"select_one", "select_multiple"}:
        return ""
    appearance = question.appearance.split()
    if "list-nolabel" in appearance:
        return "row"
    if "label" in appearance:
        return "label"
    if question.type == "select_one" and "likert" in appearance:
        return "likert"
    return ""


def _blocks(
    names: Sequence[str],
    state: FormState,
    shown: Mapping[str, Any],
    errors: Mapping[tuple[str, int | None], str],
    lang: str,
    instance: int | None,
    initial: Mapping[str, str],
    live: bool = False,
) -> tuple[Block, ...]:
    instrument = state.instrument
    blocks: list[Block] = []
    run: list[Question] = []
    caption: Question | None = None  # a table-list's ``label`` select
    table_list = False  # the run is a table-list's rows (else Likert items)

    def flush() -> None:
        nonlocal caption, table_list
        if len(run) == 1 and not table_list:
            blocks.append(
                _question_view(
                    run[0], state, shown, errors, lang, instance, initial, live
                )
            )
        elif run or caption is not None:
            first = caption or run[0]
            scale = tuple(
                (c.name, _text(instrument, c.labels, lang) or c.name)
                for c in instrument.choice_list(first)
            )
            items = tuple(
                _question_view(q, state, shown, errors, lang, instance, initial, live)
                for q in run
            )
            title = ""
            if caption is not None:
                title = _fill(_text(instrument, caption.labels, lang), state, index)
            blocks.append(LikertView(scale, items, title))
        run.clear()
        caption = None
        table_list = False

    index = instance or 0
    for name in names:
        item = instrument.item(name)
        if not isinstance(item, Question) or not item.displayed:
            continue
        if not live and not state.is_relevant(name, index):
            continue
        kind = _table_kind(item) if item.appearance else ""
        if not kind:
            if run or caption is not None:
                flush()
            blocks.append(
                _question_view(item, state, shown, errors, lang, instance, initial, live)
            )
            continue
        rows = kind != "likert"
        first = caption or (run[0] if run else None)
        if (
            kind == "label"
            or first is None
            or first.list_name != item.list_name
            or rows != table_list
        ):
            flush()
            table_list = rows
        if kind == "label":
            caption = item
        else:
            run.append(item)
    flush()
    return tuple(blocks)


def lay_out_page(
    state: FormState,
    page: Page,
    *,
    lang: str,
    shown: Mapping[str, Any],
    errors: Sequence[FieldError] = (),
    position: int = 1,
    total: int = 1,
    initial: Mapping[str, str] | None = None,
    live: bool = False,
) -> PageView:
    """Build the view of ``page``.

    Parameters
    ----------
    state
        The engine's evaluation of the response (relevance, values, choices).
    page
        The page to show.
    lang
        Language of the texts.
    shown
        Values to put in the fields: the stored answers, or the answers just
        submitted when the page comes back with errors.
    errors
        The page's errors, shown beside their fields and in a summary.
    position, total
        Where the page is among the pages (for the progress bar, see
        :meth:`~sociaparis.survey.logic.FormState.progress`).
    initial
        Values shown in the questions that ``shown`` holds no answer to (not
        even an empty one): see :func:`initial_values`.
    live
        Lay out for live logic (:mod:`~sociaparis.survey.fielding.live`): the
        questions that are not relevant too (``relevant=False``, shown hidden
        and disabled, so that a browser without JavaScript sends nothing for
        them), every choice of a filtered list (``offered``), and which texts
        show values.
    """
    instrument = state.instrument
    initial = initial or {}
    item = instrument.item(page.name)
    title = _text(instrument, item.labels, lang) if isinstance(item, Group) else ""
    by_field = {(e.question, e.instance): e.message for e in errors}
    if page.kind == "repeat":
        rows = list(shown.get(page.name, []) if shown else [])
        rows += [{}] * (state.instances(page.name) - len(rows))
        instances = _instance_views(
            state, page.name, (), rows, (by_field, lang, initial, live)
        )
        repeat = instrument.item(page.name)
        can_add = isinstance(repeat, Group) and not repeat.repeat_count
        flat = _instance_questions(instances)
        return PageView(
            page.name,
            page.kind,
            title,
            instances=instances,
            can_add=can_add,
            errors=tuple(q for q in flat if q.error),
            position=position,
            total=total,
            has_upload=page_has_files(instrument, page.name),
        )
    blocks = _blocks(page.questions, state, shown, by_field, lang, None, initial, live)
    return PageView(
        page.name,
        page.kind,
        title,
        blocks=blocks,
        errors=tuple(q for q in _questions(blocks) if q.error),
        position=position,
        total=total,
        closing=closing_page(instrument) == page,
        has_upload=page_has_files(instrument, page.name),
    )


def _instance_views(
    state: FormState,
    repeat: str,
    parent: tuple[int, ...],
    rows: Sequence[Any],
    shared: tuple[Mapping[tuple[str, Any], str], str, Mapping[str, str], bool],
) -> tuple[InstanceView, ...]:
    """The views of ``rows``, the instances of ``repeat`` in the instance
    ``parent`` (its numbers from the page's repeat down; ``()`` at the top)."""
    by_field, lang, initial, live = shared
    instrument = state.instrument
    level = instrument.level(repeat)
    own = [item.name for item in level if isinstance(item, Question)]
    inner = [item for item in level if isinstance(item, Group)]
    views = []
    for number, row in enumerate(rows, start=1):
        numbers = (*parent, number)
        index: Any = number if not parent else numbers
        row = row if isinstance(row, Mapping) else {}
        blocks = _blocks(own, state, row, by_field, lang, index, initial, live)
        nested = []
        for group in inner:
            if not state.is_relevant(group.name, index):
                continue
            given = row.get(group.name)
            sub_rows = list(given) if isinstance(given, list) else []
            sub_rows += [{}] * (state.instances(group.name, index) - len(sub_rows))
            nested.append(
                NestedRepeatView(
                    name=group.name,
                    title=_text(instrument, group.labels, lang),
                    count_field=count_field(group.name, index),
                    parent=index_suffix(index),
                    instances=_instance_views(
                        state, group.name, numbers, sub_rows, shared
                    ),
                    can_add=not group.repeat_count,
                )
            )
        views.append(InstanceView(number, blocks, tuple(nested), index_suffix(index)))
    return tuple(views)


def _instance_questions(instances: Sequence[InstanceView]) -> list[QuestionView]:
    """Every question of ``instances`` and of the repeats inside them, in order."""
    found: list[QuestionView] = []
    for instance in instances:
        found.extend(_questions(instance.blocks))
        for nested in instance.nested:
            found.extend(_instance_questions(nested.instances))
    return found


@memoized(maxsize=4096)
def page_has_files(instrument: Instrument, page_name: str) -> bool:
    """Whether the page ``page_name`` shows a file question (image, audio...)."""
    page = instrument.page(page_name)
    return page is not None and any(
        isinstance(q := instrument.item(name), Question) and q.type in FILE_TYPES
        for name in page.questions
    )


@memoized(maxsize=256)
def has_files(instrument: Instrument) -> bool:
    """Whether the form has a file question anywhere."""
    return any(q.type in FILE_TYPES for q in instrument.questions)


def _questions(blocks: Sequence[Block]) -> list[QuestionView]:
    out: list[QuestionView] = []
    for block in blocks:
        out.extend(block.items if isinstance(block, LikertView) else [block])
    return out


def page_view(
    instrument: Instrument,
    answers: Mapping[str, Any],
    page_name: str,
    *,
    lang: str,
    errors: Sequence[FieldError] = (),
    now: Any = None,
    evaluation: FormState | None = None,
    initial: Mapping[str, str] | None = None,
    live: bool = False,
) -> PageView:
    """Evaluate ``answers`` and lay out ``page_name`` with its place among pages.

    A repeat page without ``repeat_count`` and without instances yet is shown
    with one empty instance, so that the respondent can start answering.
    ``evaluation``, a whole-form evaluation made moments before (by the page
    submission that led here), is used instead of evaluating again only if it
    is of exactly these answers in this language. ``initial``: the values of
    questions not answered yet (:func:`initial_values`). ``live``: lay out
    for live logic (see :func:`lay_out_page`).
    """
    from sociaparis.survey.logic import evaluate_form

    page = instrument.page(page_name)
    if page is None:
        raise KeyError(page_name)
    shown = dict(answers)
    repeat = instrument.item(page_name)
    if (
        page.kind == "repeat"
        and isinstance(repeat, Group)
        and not repeat.repeat_count
        and not shown.get(page_name)
    ):
        shown[page_name] = [{}]
    if (
        evaluation is not None
        and evaluation.lang == lang
        and evaluation.evaluated is evaluation.plan.steps
        and evaluation.answers == shown
    ):
        state = evaluation
    else:
        state = evaluate_form(instrument, shown, lang=lang, now=now)
    position, total = state.progress(page)
    return lay_out_page(
        state,
        page,
        lang=lang,
        shown=shown,
        errors=errors,
        position=position,
        total=total,
        initial=initial,
        live=live,
    )


def closing_notes(
    instrument: Instrument, answers: Mapping[str, Any], *, lang: str
) -> tuple[Block, ...]:
    """The notes of the :func:`closing_page` that are relevant to ``answers``.

    Empty when the form has no closing page (then nothing is evaluated).
    """
    closing = closing_page(instrument)
    if closing is None:
        return ()
    if _static(instrument, closing):
        return _static_closing_notes(instrument, lang)
    return page_view(instrument, answers, closing.name, lang=lang).blocks


def _static(instrument: Instrument, page: Page) -> bool:
    """Whether ``page`` looks the same whatever the answers (no relevance, no
    ``${...}`` in its texts)."""
    items = [*instrument.ancestors(page.name), instrument.item(page.name)]
    items += [instrument.item(name) for name in page.questions]
    return not any(
        getattr(item, "relevant", "")
        or any("${" in text for text in item.labels.values())
        or any("${" in text for text in getattr(item, "hints", {}).values())
        for item in items
    )


@memoized(maxsize=64)  # the same for every respondent: no evaluation per response
def _static_closing_notes(instrument: Instrument, lang: str) -> tuple[Block, ...]:
    closing = closing_page(instrument)
    return (
        ()
        if closing is None
        else page_view(instrument, {}, closing.name, lang=lang).blocks
    )


@memoized(maxsize=256)
def _form_defaults(instrument: Instrument) -> Mapping[str, str]:
    return {
        item.name: item.default
        for item in instrument.questions
        if item.default and item.answerable
    }


def initial_values(
    instrument: Instrument, attributes: Mapping[str, Any] | None = None
) -> Mapping[str, str]:
    """What a question shows before it is answered: its prefill or its ``default``.

    A question shows its initial value only while the response holds no answer
    to it at all: once its page is accepted the answer is stored, even an empty
    one, so a respondent's answer is never overwritten and a cleared default
    stays cleared. The value is shown as if the respondent had typed or ticked
    it, and it is stored only when they submit the page.

    Parameters
    ----------
    instrument
        The questionnaire: the XLSForm ``default`` column of its questions.
    attributes
        The response's recorded attributes (copied from its invitation): each
        one named as a question outside a repeat prefills that question, in
        place of its ``default``; the respondent may change it.
    """
    if not attributes:
        return _form_defaults(instrument)
    return _prefilled(
        instrument, tuple(sorted((str(k), str(v)) for k, v in attributes.items()))
    )


# Attributes are coarse (a directorate, a job category): few combinations.
@memoized(maxsize=1024)
def _prefilled(
    instrument: Instrument, attributes: tuple[tuple[str, str], ...]
) -> Mapping[str, str]:
    prefilled = {
        name: value
        for name, value in attributes
        if value
        and instrument.has(name)
        and isinstance(item := instrument.item(name), Question)
        and item.answerable
        and item.repeat is None
    }
    return {**_form_defaults(instrument), **prefilled}
