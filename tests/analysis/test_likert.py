"""Likert batteries and multiple-choice shares, checked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from sociaparis.analysis import likert
from sociaparis.analysis.design import svydesign

DATA = pd.DataFrame(
    {
        "q1": [1, 2, 3, 4, 5, 5, np.nan, 2],
        "g": list("aabbaabb"),
        "w": [1.0, 2, 1, 2, 1, 2, 1, 2],
        "tools": [
            "chatgpt mistral",
            "chatgpt",
            None,
            "albert",
            "mistral",
            "",
            "chatgpt albert",
            "chatgpt",
        ],
    }
)
DES = svydesign(DATA, weights="w")


def test_distribution_shares_among_respondents() -> None:
    table = likert.likert_distribution(DES, items="q1", levels=[1, 2, 3, 4, 5]).table
    # answered weights: 1, 2, 1, 2, 1, 2, 2 (sum 11)
    assert_allclose(table["share"], [1 / 11, 4 / 11, 1 / 11, 2 / 11, 3 / 11])
    assert table["n"].tolist() == [1, 2, 1, 1, 2]
    assert_allclose(table["share"].sum(), 1.0)


def test_diverging_segments() -> None:
    dist = likert.likert_distribution(DES, items="q1", levels=[1, 2, 3, 4, 5])
    seg = likert.diverging(dist).table.set_index("level")
    # neutral (3) split around zero; disagree on the left, agree on the right
    assert_allclose(seg.loc[3, ["start", "end"]], [-0.5 / 11, 0.5 / 11])
    assert_allclose(seg.loc[1, "start"], -(1 + 4 + 0.5) / 11)
    assert_allclose(seg.loc[5, "end"], (0.5 + 2 + 3) / 11)


@pytest.mark.parametrize(
    ("by", "expected"),
    [
        (None, [(1 + 4 + 3 + 8 + 5 + 10 + 4) / 11]),
        # a: rows 0,1,4,5 -> (1 + 4 + 5 + 10) / 6; b: rows 2,3,7 -> (3 + 8 + 4) / 5
        ("g", [20 / 6, 15 / 5]),
    ],
)
def test_mean_scores(by, expected) -> None:
    table = likert.likert_means(DES, items="q1", by=by).table
    assert_allclose(table["mean"], expected)
    assert (table["ci_low"] < table["mean"]).all()


def test_multiple_choice_shares() -> None:
    table = likert.multiple_choice(DES, column="tools").table.set_index("choice")
    # answered: every row but row 2 (weights 12 - 1 = 11); "" answered, chose none
    assert_allclose(table.loc["chatgpt", "share"], (1 + 2 + 1 + 2) / 11)
    assert_allclose(table.loc["albert", "share"], (2 + 1) / 11)
    assert_allclose(table.loc["mistral", "share"], (1 + 1) / 11)
    assert (table["n"] == 7).all()


def test_multiple_choice_by_group() -> None:
    table = likert.multiple_choice(DES, column="tools", choices=["chatgpt"], by="g").table
    # a: rows 0,1,4,5 weights 1,2,1,2 -> chatgpt in rows 0,1; b: rows 3,6,7
    assert_allclose(table["share"], [3 / 6, 3 / 5])
    assert list(table.columns) == ["choice", "g", "share", "se", "ci_low", "ci_high", "n"]


def test_distribution_by_group() -> None:
    table = likert.likert_distribution(DES, items="q1", levels=[2, 5], by="g").table
    # a: rows 0,1,4,5 (q1 1,2,5,5; w 1,2,1,2); b: rows 2,3,7 (q1 3,4,2; w 1,2,2)
    got = {(r.g, r.level): (r.share, r.n) for r in table.itertuples()}
    assert got[("a", 2)] == pytest.approx((2 / 6, 1))
    assert got[("a", 5)] == pytest.approx((3 / 6, 2))
    assert got[("b", 2)] == pytest.approx((2 / 5, 1))
    assert got[("b", 5)] == pytest.approx((0.0, 0))
