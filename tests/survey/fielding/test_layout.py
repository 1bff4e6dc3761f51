"""Laying out a page from an evaluation the page submission already made."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sociaparis.survey.fielding.layout import page_view
from sociaparis.survey.instrument import Instrument
from sociaparis.survey.logic import evaluate_form, following_page
from sociaparis.survey.synthetic import synthetic_answers
from sociaparis.survey.xlsform import parse_xlsform, read_xlsform
from tests.factories import FIELDING_FORM

INSTRUMENT = parse_xlsform(FIELDING_FORM.encode(), filename="form.md").instrument
ANSWERS = {"service": "DSIN", "hours": "2", "tools": "copilot"}


def test_a_matching_evaluation_is_used_instead_of_evaluating_again() -> None:
    evaluation = evaluate_form(INSTRUMENT, ANSWERS, lang="fr")
    # Mark the last page not relevant: only a reused evaluation can say so.
    evaluation.relevant[("comment", 0)] = False
    fresh = page_view(INSTRUMENT, ANSWERS, "effects", lang="fr")
    reused = page_view(INSTRUMENT, ANSWERS, "effects", lang="fr", evaluation=evaluation)
    assert reused.total == fresh.total - 1
    assert reused.blocks == fresh.blocks


@pytest.mark.parametrize(
    ("answers", "lang", "page"),
    [
        ({**ANSWERS, "hours": "0"}, "fr", None),  # other answers
        (ANSWERS, "en", None),  # other language
        (ANSWERS, "fr", "effects"),  # a page's subset, not the whole form
    ],
    ids=["answers", "language", "subset"],
)
def test_an_evaluation_of_anything_else_is_not_used(answers, lang, page) -> None:
    evaluation = evaluate_form(INSTRUMENT, answers, lang=lang, page=page)
    evaluation.relevant[("comment", 0)] = False
    fresh = page_view(INSTRUMENT, ANSWERS, "effects", lang="fr")
    shown = page_view(INSTRUMENT, ANSWERS, "effects", lang="fr", evaluation=evaluation)
    assert shown == fresh


BUNDLED = Path(__file__).parents[3] / "studies" / "sociaparis"
NOW = datetime(2026, 6, 1, 9, 30, tzinfo=UTC)


def _walk(instrument: Instrument, full: dict) -> list[tuple[int, int]]:
    """The (position, total) each page shows to a respondent giving ``full``."""
    answers: dict = {}
    name = following_page(evaluate_form(instrument, answers, now=NOW), None)
    shown = []
    while name is not None:
        view = page_view(instrument, answers, name, lang="fr", now=NOW)
        shown.append((view.position, view.total))
        page = instrument.page(name)
        names = [name] if page.kind == "repeat" else page.questions
        answers.update({n: full[n] for n in names if n in full})
        name = following_page(evaluate_form(instrument, answers, now=NOW), name)
    return shown


@pytest.mark.parametrize(
    ("form", "pages"),
    [
        ("cio_city_survey.xlsx", 20),
        ("staff_llm_survey.xlsx", 16),
        ("transport_vision_survey.xlsx", 9),
    ],
)
def test_the_progress_starts_at_the_reachable_pages_and_never_misleads(
    form: str, pages: int
) -> None:
    instrument = read_xlsform(BUNDLED / form).instrument
    respondents = [
        synthetic_answers(instrument, rng=random.Random(seed), now=NOW)
        for seed in range(12)
    ]
    reachable = {
        page.name
        for full in respondents
        for page in evaluate_form(instrument, full, now=NOW).pages()
    }
    assert len(reachable) == pages
    for full in respondents:
        shown = _walk(instrument, full)
        assert shown[0] == (1, pages)
        assert [position for position, _ in shown] == list(range(1, len(shown) + 1))
        totals = [total for _, total in shown]
        assert totals == sorted(totals, reverse=True)  # it never grows
        assert all(total >= position for position, total in shown)
