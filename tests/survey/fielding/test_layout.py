"""Laying out a page from an evaluation the page submission already made."""

from __future__ import annotations

import pytest

from sociaparis.survey.fielding.layout import page_view
from sociaparis.survey.logic import evaluate_form
from sociaparis.survey.xlsform import parse_xlsform
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
