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
from sociaparis.survey.fielding.submission import field_name
from sociaparis.survey.instrument import Group, Instrument, Page, Question
from sociaparis.survey.logic import FormState

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
    ``decimal``, ``date``, ``radio``, ``dropdown``, ``checkbox``,
    ``acknowledge``, ``number_range``.
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
    relevant: bool = True  # False: kept hidden (and disabled) for live logic
    live_label: bool = False  # its label shows values that live logic fills in
    live_hint: bool = False

    @property
    def dom_id(self) -> str:
        """The HTML id of the field (names may contain dots inside repeats)."""
        return "q-" + self.field.replace(".", "-")


@dataclass(frozen=True, slots=True)
class LikertView:
    """Consecutive Likert items sharing one scale, shown as one table."""

    scale: tuple[tuple[str, str], ...]
    items: tuple[QuestionView, ...]
    caption: str = ""


Block = QuestionView | LikertView


@dataclass(frozen=True, slots=True)
class InstanceView:
    """One instance of a repeat: its number and its blocks."""

    number: int
    blocks: tuple[Block, ...]


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

    def located_errors(self) -> tuple[tuple[int | None, QuestionView], ...]:
        """Each question with an error and the number of its repeat instance (None
        outside a repeat), in page order: what the error summary lists."""
        if self.kind != "repeat":
            return tuple((None, q) for q in self.errors)
        return tuple(
            (instance.number, q)
            for instance in self.instances
            for q in _questions(instance.blocks)
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


def _fill(text: str, state: FormState, instance: int) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if not state.instrument.has(name):
            return match.group(0)
        item = state.instrument.item(name)
        index = instance if item.repeat is not None else 0
        return state.value(name, index)

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
    return question.type  # integer, decimal, date, acknowledge


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
            choice.name: _text(instrument, choice.labels, lang)
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
        relevant=state.is_relevant(question.name, index),
        live_label=live and "${" in texts.label,
        live_hint=live and "${" in texts.hint,
    )


def _range_values(start: float, step: float, count: int) -> list[str]:
    values = [start + i * step for i in range(count)]
    return [str(int(v)) if v == int(v) else str(v) for v in values]


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

    def flush() -> None:
        if not run:
            return
        if len(run) == 1:
            blocks.append(
                _question_view(
                    run[0], state, shown, errors, lang, instance, initial, live
                )
            )
        else:
            scale = tuple(
                (c.name, _text(instrument, c.labels, lang))
                for c in instrument.choice_list(run[0])
            )
            items = tuple(
                _question_view(q, state, shown, errors, lang, instance, initial, live)
                for q in run
            )
            blocks.append(LikertView(scale, items))
        run.clear()

    index = instance or 0
    for name in names:
        item = instrument.item(name)
        if not isinstance(item, Question) or not item.displayed:
            continue
        if not live and not state.is_relevant(name, index):
            continue
        likert = item.type == "select_one" and "likert" in item.appearance.split()
        if likert and run and run[0].list_name == item.list_name:
            run.append(item)
            continue
        flush()
        if likert:
            run.append(item)
        else:
            blocks.append(
                _question_view(item, state, shown, errors, lang, instance, initial, live)
            )
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
        instances = tuple(
            InstanceView(
                number,
                _blocks(
                    page.questions, state, row, by_field, lang, number, initial, live
                ),
            )
            for number, row in enumerate(rows, start=1)
        )
        repeat = instrument.item(page.name)
        can_add = isinstance(repeat, Group) and not repeat.repeat_count
        flat = [q for inst in instances for q in _questions(inst.blocks)]
        return PageView(
            page.name,
            page.kind,
            title,
            instances=instances,
            can_add=can_add,
            errors=tuple(q for q in flat if q.error),
            position=position,
            total=total,
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
    )


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
