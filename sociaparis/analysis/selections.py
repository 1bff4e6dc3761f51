"""The answers to a select-multiple question, choice by choice.

ODK and KoboToolbox export a ``select_multiple`` answer as the names of the
selected choices separated by spaces (``"copilot chatgpt"``). The functions
here split each distinct answer once, not every response's: a column of
100,000 answers holds a few hundred distinct ones.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import pandas as pd


def split_answers(
    answers: pd.Series, *, separator: str | None = " "
) -> tuple[np.ndarray, list[list[str]]]:
    """Each row's distinct answer, and the choices each distinct answer selects.

    Parameters
    ----------
    answers
        One answer per row; missing where not answered.
    separator
        Separator of the selected choices; None for any run of whitespace.

    Returns
    -------
    codes
        For each row, the position of its answer among the distinct ones, -1
        where it is missing.
    selected
        For each distinct answer, its choice names in order (empty names, as
        two separators side by side leave, are dropped).

    Examples
    --------
    >>> codes, selected = split_answers(pd.Series(["a b", None, "b", "a b"]))
    >>> codes.tolist(), selected
    ([0, -1, 1, 0], [['a', 'b'], ['b']])
    """
    codes, uniques = pd.factorize(answers, use_na_sentinel=True)
    selected = [[c for c in str(u).split(separator) if c] for u in uniques]
    return np.asarray(codes), selected


def observed_choices(selected: Sequence[Sequence[str]]) -> Iterator[str]:
    """The choice names of :func:`split_answers`, in order of first selection."""
    return iter(dict.fromkeys(c for choices in selected for c in choices))


def choice_flags(
    codes: np.ndarray, selected: Sequence[Sequence[str]], choice: str
) -> np.ndarray:
    """Which rows selected ``choice`` (False where not answered).

    Examples
    --------
    >>> codes, selected = split_answers(pd.Series(["a b", None, "b"]))
    >>> choice_flags(codes, selected, "a").tolist()
    [True, False, False]
    """
    member = np.fromiter(
        (choice in choices for choices in selected), dtype=bool, count=len(selected)
    )
    flags = np.zeros(len(codes), dtype=bool)
    present = codes >= 0
    flags[present] = member[codes[present]]
    return flags


def choice_indicator(
    codes: np.ndarray, selected: Sequence[Sequence[str]], choice: str
) -> np.ndarray:
    """1.0 where a row selected ``choice``, 0.0 where it answered without it,
    NaN where it did not answer (the variable whose mean is the share).

    Examples
    --------
    >>> codes, selected = split_answers(pd.Series(["a b", None, "b"]))
    >>> choice_indicator(codes, selected, "a").tolist()
    [1.0, nan, 0.0]
    """
    flags = choice_flags(codes, selected, choice).astype(float)
    flags[codes < 0] = np.nan
    return flags
