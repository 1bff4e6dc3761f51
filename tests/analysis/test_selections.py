"""Select-multiple answers split once per distinct answer."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest

from sociaparis.analysis.selections import (
    choice_flags,
    observed_choices,
    split_answers,
)


@pytest.mark.parametrize(
    ("answers", "choice", "flags"),
    [
        (["a b", None, "b", "a b"], "a", [True, False, False, True]),
        (["a  b", "", None], "b", [True, False, False]),  # two separators side by side
        (["ab", "a"], "a", [False, True]),  # whole names, not prefixes
        ([1.0, "1.0 x", None], "1.0", [True, True, False]),  # non-texts as ODK's text
        ([None, None], "a", [False, False]),
    ],
)
def test_choice_flags(answers: list, choice: str, flags: list[bool]) -> None:
    codes, selected = split_answers(pd.Series(answers, dtype=object))
    assert choice_flags(codes, selected, choice).tolist() == flags


def test_any_whitespace_separates_when_no_separator_is_given() -> None:
    answers = pd.Series(["a\tb", "b\n c", "a b"], dtype=object)
    codes, selected = split_answers(answers, separator=None)
    assert choice_flags(codes, selected, "b").tolist() == [True, True, True]
    codes, selected = split_answers(answers)
    assert choice_flags(codes, selected, "b").tolist() == [False, False, True]


def test_observed_choices_in_order_of_first_selection() -> None:
    _, selected = split_answers(pd.Series(["c a", None, "b c", "a d"], dtype=object))
    assert list(observed_choices(selected)) == ["c", "a", "b", "d"]


def test_the_same_flags_as_splitting_every_answer() -> None:
    rng = random.Random(7)
    names = ["copilot", "chatgpt", "albert", "mistral", "other"]
    answers = pd.Series(
        [
            None if rng.random() < 0.2 else " ".join(rng.sample(names, rng.randint(0, 3)))
            for _ in range(2000)
        ],
        dtype=object,
    )
    split = answers.fillna("").astype(str).str.split(" ")
    codes, selected = split_answers(answers)
    for name in names:
        expected = np.array([name in cell for cell in split], dtype=bool)
        assert (choice_flags(codes, selected, name) == expected).all()
    assert (codes >= 0).tolist() == answers.notna().tolist()
