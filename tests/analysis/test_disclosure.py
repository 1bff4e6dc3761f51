"""Disclosure control: no suppressed cell can be recovered from published totals.

The recoverability check here is independent of the module: a hidden cell is
recoverable by subtraction (any linear combination of the published row and
column totals and visible cells) iff its unit vector is in the row space of
the margin equations restricted to the hidden cells, i.e. iff adding that unit
vector does not raise the rank.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sociaparis.analysis.disclosure import suppress
from sociaparis.analysis.errors import AnalysisError
from sociaparis.core.errors import SociaparisError


def equations(hidden: np.ndarray) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Margin equations of a table with a last Total row and column."""
    nr, nc = hidden.shape
    cells = [(i, j) for i in range(nr) for j in range(nc) if hidden[i, j]]
    rows = [
        [(-1 if j == nc - 1 else 1) if a == i else 0 for a, j in cells] for i in range(nr)
    ]
    rows += [
        [(-1 if i == nr - 1 else 1) if b == j else 0 for i, b in cells] for j in range(nc)
    ]
    return np.array(rows, dtype=float).reshape(len(rows), len(cells)), cells


def recoverable(hidden: np.ndarray) -> list[tuple[int, int]]:
    a, cells = equations(hidden)
    rank = np.linalg.matrix_rank(a)
    found = []
    for k, cell in enumerate(cells):
        unit = np.zeros(len(cells))
        unit[k] = 1
        if np.linalg.matrix_rank(np.vstack([a, unit])) == rank:
            found.append(cell)
    return found


TABLES = {
    "one small cell": [[3, 40, 50], [45, 60, 55], [50, 60, 70]],
    "two small cells in a row": [[3, 4, 50, 60], [45, 20, 55, 70], [50, 60, 70, 80]],
    "small cells on a diagonal": [[2, 30, 40], [30, 7, 40], [40, 40, 9]],
    # two blocks that each protect themselves, joined by one small cell: two
    # hidden cells per line is not enough there, the audit must catch it
    "bridge": [
        [3, 4, 2, 50, 50],
        [4, 3, 50, 50, 50],
        [50, 50, 2, 3, 50],
        [50, 50, 3, 2, 50],
        [50, 50, 50, 50, 50],
    ],
    "small row total": [[2, 3, 1], [40, 50, 60], [45, 55, 65]],
    "nothing small": [[20, 30], [40, 50]],
    "zeros are not sensitive": [[0, 30, 40], [25, 0, 35], [45, 55, 0]],
}


@pytest.mark.parametrize("name", list(TABLES))
def test_no_hidden_cell_can_be_recovered(name) -> None:
    counts = pd.DataFrame(TABLES[name])
    result = suppress(counts, min_count=10)
    hidden = result.suppressed.to_numpy()
    values = result.counts.to_numpy()
    # every small non-zero cell (margins included) is hidden
    assert not ((values > 0) & (values < 10) & ~hidden).any()
    assert recoverable(hidden) == []
    # the published table shows exactly the visible cells, unchanged
    published = result.published.to_numpy(dtype=float, na_value=np.nan)
    assert np.array_equal(np.isnan(published), hidden)
    assert np.array_equal(published[~hidden], values[~hidden])


def test_single_small_cell_needs_three_complements() -> None:
    result = suppress(pd.DataFrame(TABLES["one small cell"]), min_count=10)
    assert int(result.primary.to_numpy().sum()) == 1
    assert int(result.secondary.to_numpy().sum()) == 3  # a 2x2 rectangle


def test_a_lone_hidden_cell_would_be_recoverable() -> None:
    hidden = np.zeros((4, 4), dtype=bool)
    hidden[0, 0] = True
    assert recoverable(hidden) == [(0, 0)]
    hidden[0, 1] = hidden[1, 0] = hidden[1, 1] = True
    assert recoverable(hidden) == []


@pytest.mark.parametrize("min_count", [0, 3, 4])
def test_threshold_never_below_five(min_count) -> None:
    with pytest.raises(SociaparisError) as info:
        suppress(pd.DataFrame([[1, 2]]), min_count=min_count)
    assert info.value.error is AnalysisError.MIN_COUNT_TOO_LOW


def test_default_threshold_is_ten() -> None:
    result = suppress(pd.DataFrame({"a": [9, 40, 50], "b": [10, 45, 60]}))
    assert result.min_count == 10
    assert result.primary.iloc[0, 0] and not result.primary.iloc[0, 1]
    assert result.to_dict()["rows"][0]["cells"]["a"] is None
