"""Cross-table audit: small groups worked out from several published tables.

Every case is built by hand from respondents 0..n-1 and the sets each published
count counts."""

from __future__ import annotations

import numpy as np
import pytest

from sociaparis.analysis.disclosure import recoverable_across, revealed_groups


def _cells(n: int, *sets: range | list[int]) -> np.ndarray:
    cells = np.zeros((len(sets), n), dtype=bool)
    for k, members in enumerate(sets):
        cells[k, list(members)] = True
    return cells


def _group(n: int, members: range | list[int]) -> bytes:
    mask = np.zeros(n, dtype=bool)
    mask[list(members)] = True
    return np.packbits(mask).tobytes()


N = 40
X, Y, BOTH = range(20), range(15, 35), range(35)


@pytest.mark.parametrize(
    ("earlier", "new", "revealed"),
    [
        # "everyone" then "everyone but 3": the 3 by subtraction
        ([range(25)], [range(22)], [range(22, 25)]),
        # the same subtraction with 12 left over is no disclosure
        ([range(25)], [range(13)], []),
        # X and Y then X ∪ Y: X + Y - (X ∪ Y) = the 5 in both (no cell holds
        # another: only the linear-algebra test sees it)
        ([X, Y], [BOTH], [range(15, 20)]),
        # X then Y: the overlap stays unknown
        ([X], [Y], []),
        # disjoint tables reveal nothing
        ([range(20)], [range(20, 40)], []),
    ],
)
def test_groups_revealed_only_by_the_combination(
    earlier: list, new: list, revealed: list
) -> None:
    found = recoverable_across(_cells(N, *earlier), _cells(N, *new), min_count=10)
    assert found == {_group(N, members) for members in revealed}


def test_what_one_table_shows_by_itself_is_not_counted_again() -> None:
    # a table publishing 25 and 22 reveals the 3 by itself (the single-table rule's
    # business); showing it again after an unrelated table adds nothing
    alone = _cells(N, range(25), range(22))
    assert revealed_groups(alone, min_count=10) == {_group(N, range(22, 25))}
    assert recoverable_across(_cells(N, range(30, 40)), alone, min_count=10) == set()


def test_no_earlier_table_no_audit() -> None:
    assert (
        recoverable_across(np.zeros((0, N), dtype=bool), _cells(N, X), min_count=10)
        == set()
    )
