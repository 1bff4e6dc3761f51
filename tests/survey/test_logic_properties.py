"""The engine on arbitrary (tampered) answers, as a web server receives them."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from unittest import mock
from uuid import UUID

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sociaparis.survey.logic import (
    FormState,
    evaluate_after_page,
    evaluate_form,
    validate_page,
)
from sociaparis.survey.study import load_study
from sociaparis.survey.synthetic import synthetic_answers
from sociaparis.survey.xlsform import parse_xlsform, read_xlsform

TOOLS = parse_xlsform(
    (Path(__file__).parent / "forms" / "tools.md").read_bytes(), filename="tools.md"
).instrument
NAMES = ["age", "tools", "hours", "why", "n", "thanks", "total", "per_tool", "zzz"]
text = st.text(max_size=20)
instance = st.dictionaries(st.sampled_from(NAMES), text, max_size=4)
value = st.one_of(text, st.lists(instance, max_size=4), st.integers(), st.none())
answers = st.dictionaries(st.sampled_from(NAMES), value, max_size=8)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers=answers, page=st.sampled_from([p.name for p in TOOLS.pages()]))
def test_any_submission_is_judged_never_crashes(answers, page) -> None:
    result = validate_page(TOOLS, answers, page, "en")
    state = evaluate_form(TOOLS, answers)
    # nothing non-relevant is stored, and every value is a string
    for name, stored in result.record.items():
        if isinstance(stored, list):
            assert all(isinstance(v, str) for inst in stored for v in inst.values())
        else:
            assert isinstance(stored, str)
            assert state.is_relevant(name)
    for error in result.errors:
        assert error.question in TOOLS.page(page).questions


@settings(max_examples=200, deadline=None)
@given(answers=answers)
def test_record_holds_only_relevant_items(answers) -> None:
    state = evaluate_form(TOOLS, answers)
    record = state.record()
    for name, stored in record.items():
        assert state.is_relevant(name)
        if isinstance(stored, list):
            assert len(stored) == state.instances(name)
            for index, inst in enumerate(stored, start=1):
                assert all(state.is_relevant(key, index) for key in inst)
    # the repeat count is count-selected(tools), whatever was submitted for it
    assert state.instances("per_tool") == (
        len(state.value("tools").split()) if state.is_relevant("per_tool") else 0
    )


# -- evaluating again after a page: the same state as evaluating everything -------

CLOCKED = parse_xlsform(
    (Path(__file__).parent / "forms" / "clocked.md").read_bytes(), filename="clocked.md"
).instrument
STUDY_FORMS = [
    read_xlsform(instrument.file).instrument
    for instrument in load_study(
        Path(__file__).parents[2] / "studies" / "sociaparis"
    ).instruments
]
FORMS = [TOOLS, CLOCKED, *STUDY_FORMS]
NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)


@contextmanager
def _fixed_chance() -> Iterator[None]:
    """random() and uuid() give the same value every time (the clock is ``NOW``)."""
    with (
        mock.patch("random.random", return_value=0.5),
        mock.patch("uuid.uuid4", return_value=UUID(int=7)),
    ):
        yield


def _same_state(after: FormState, whole: FormState) -> None:
    assert after.values == whole.values
    assert after.relevant == whole.relevant
    assert after.counts == whole.counts
    assert after.options == whole.options
    assert after.submitted == whole.submitted
    assert after.record() == whole.record()
    assert [p.name for p in after.pages()] == [p.name for p in whole.pages()]


def test_the_study_forms_are_there() -> None:
    assert len(STUDY_FORMS) >= 3  # the bundled study's questionnaires


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(), form=st.sampled_from(FORMS), lang=st.sampled_from([None, "en", "fr"])
)
def test_evaluating_after_a_page_gives_the_whole_evaluation(data, form, lang) -> None:
    before = synthetic_answers(form, rng=random.Random(data.draw(st.integers(0, 10**6))))
    other = synthetic_answers(form, rng=random.Random(data.draw(st.integers(0, 10**6))))
    page = data.draw(st.sampled_from(form.pages()))
    answers = dict(before)
    for name in [*page.questions, page.name]:
        choice = data.draw(st.sampled_from(["keep", "other", "drop", "tamper"]))
        if choice == "other" and name in other:
            answers[name] = other[name]
        elif choice == "drop":
            answers.pop(name, None)
        elif choice == "tamper":
            answers[name] = data.draw(st.text(max_size=8))
    with _fixed_chance():
        previous = evaluate_form(form, before, lang=lang, now=NOW)
        after = evaluate_after_page(previous, answers, page.name, lang=lang, now=NOW)
        whole = evaluate_form(form, answers, lang=lang, now=NOW)
    _same_state(after, whole)


def test_a_page_others_read_is_evaluated_again_and_the_rest_kept() -> None:
    previous = evaluate_form(CLOCKED, {"age": "40", "why": "x"}, now=NOW)
    after = evaluate_after_page(previous, {"age": "12", "why": "x"}, "age", now=NOW)
    assert (after.value("adult"), after.is_relevant("why"), after.value("echo")) == (
        "no",
        False,
        "",
    )
    assert after.value("stamp") == "2026-11-26/12"  # the clock is read again
    assert after.value("draw") != previous.value("draw")  # and chance
    # a previous evaluation in another language: the whole form is evaluated
    with _fixed_chance():
        english = evaluate_after_page(previous, {"age": "12"}, "age", lang="en", now=NOW)
        whole = evaluate_form(CLOCKED, {"age": "12"}, lang="en", now=NOW)
    _same_state(english, whole)
