"""Disclosure control for published tables: primary and complementary cell suppression.

Rule
----
1. **Primary suppression.** Every cell (margins included) counting between 1
   and ``min_count - 1`` respondents is hidden. ``min_count`` defaults to 10
   and may never be set below 5. Empty cells (0) are not sensitive by
   themselves and stay visible unless ``suppress_zeros=True``.
2. **Complementary suppression.** The table is published with its row and
   column totals, so a hidden cell alone on its row or column could be
   recovered by subtraction. While some line (row or column, totals included)
   has exactly one hidden cell, the smallest other visible cell of that line is
   hidden too (interior cells before totals, non-zero before zero).
3. **Audit.** Two hidden cells per line is not always enough (two protected
   blocks joined by a single hidden cell leave that cell determined). The
   published totals are linear equations in the hidden cells; a hidden cell is
   recoverable exactly when its unit vector lies in the row space of those
   equations. Any recoverable cell gets another complementary suppression (the
   smallest visible cell of its row or column that makes it unrecoverable),
   then steps 2-3 repeat until nothing hidden can be recovered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sociaparis.analysis.errors import AnalysisError
from sociaparis.core.errors import Reason, SociaparisError

MIN_COUNT_FLOOR = 5
DEFAULT_MIN_COUNT = 10
TOTAL = "Total"


@dataclass(frozen=True, slots=True)
class SuppressedTable:
    """A count table with margins, ready to publish.

    Attributes
    ----------
    counts
        The full table with a ``Total`` row and column (never publish this).
    published
        The same table with every suppressed cell set to missing (``<NA>``).
    primary
        Boolean mask of cells hidden because they are small.
    secondary
        Boolean mask of cells hidden so that small ones cannot be recovered.
    min_count
        The threshold used.
    """

    counts: pd.DataFrame
    published: pd.DataFrame
    primary: pd.DataFrame
    secondary: pd.DataFrame
    min_count: int

    @property
    def suppressed(self) -> pd.DataFrame:
        """Mask of every hidden cell."""
        return self.primary | self.secondary

    def to_frame(self) -> pd.DataFrame:
        """The publishable table (suppressed cells missing)."""
        return self.published.copy()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready publishable table: ``None`` marks a suppressed cell."""
        rows = []
        for label, row in self.published.iterrows():
            rows.append(
                {
                    "row": str(label),
                    "cells": {
                        str(c): (None if pd.isna(v) else int(v)) for c, v in row.items()
                    },
                }
            )
        return {
            "min_count": self.min_count,
            "n_primary": int(self.primary.to_numpy().sum()),
            "n_secondary": int(self.secondary.to_numpy().sum()),
            "rows": rows,
        }


def check_min_count(min_count: int) -> None:
    """Refuse a threshold below the floor of 5 respondents."""
    if min_count < MIN_COUNT_FLOOR:
        raise SociaparisError(
            AnalysisError.MIN_COUNT_TOO_LOW, value=min_count, floor=MIN_COUNT_FLOOR
        )


def _lines(shape: tuple[int, int]) -> list[list[tuple[int, int]]]:
    """Cells of every row and column of the table with margins."""
    nr, nc = shape
    rows = [[(i, j) for j in range(nc)] for i in range(nr)]
    cols = [[(i, j) for i in range(nr)] for j in range(nc)]
    return rows + cols


def margin_equations(
    hidden: np.ndarray,
) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Coefficients of the published-total equations in the hidden cells.

    Row ``i``: sum of interior cells minus the row total = 0; column ``j``
    likewise. Returns the matrix (equations x hidden cells) and the cells.
    """
    nr, nc = hidden.shape
    cells = [tuple(map(int, ij)) for ij in np.argwhere(hidden)]
    index = {cell: k for k, cell in enumerate(cells)}
    eqs = []
    for i in range(nr):
        eq = np.zeros(len(cells))
        for j in range(nc):
            if (i, j) in index:
                eq[index[(i, j)]] = -1.0 if j == nc - 1 else 1.0
        eqs.append(eq)
    for j in range(nc):
        eq = np.zeros(len(cells))
        for i in range(nr):
            if (i, j) in index:
                eq[index[(i, j)]] = -1.0 if i == nr - 1 else 1.0
        eqs.append(eq)
    return np.array(eqs).reshape(len(eqs), len(cells)), cells


def recoverable_cells(hidden: np.ndarray) -> list[tuple[int, int]]:
    """Hidden cells whose value follows from the published totals.

    A cell is determined by the equations iff every vector of their null space
    is zero on it.
    """
    eqs, cells = margin_equations(hidden)
    if not cells:
        return []
    _, sing, vt = np.linalg.svd(eqs, full_matrices=True)
    rank = int((sing > 1e-9 * max(1.0, sing.max(initial=0.0))).sum())
    null = vt[rank:].T
    if null.size == 0:
        return cells
    norms = np.abs(null).max(axis=1)
    return [cell for cell, n in zip(cells, norms, strict=True) if n < 1e-9]


def _candidate_order(
    values: np.ndarray, hidden: np.ndarray, line: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Visible cells of ``line``, best complementary suppression first.

    Interior cells before totals; then cells whose crossing line already has a
    hidden cell (hiding them creates no new lone hidden cell); then non-zero
    before zero; then the smallest.
    """
    nr, nc = values.shape
    along_row = len({i for i, _ in line}) == 1

    def key(cell: tuple[int, int]) -> tuple:
        i, j = cell
        is_margin = i == nr - 1 or j == nc - 1
        crossing = hidden[:, j].sum() if along_row else hidden[i, :].sum()
        v = values[i, j]
        return (is_margin, crossing == 0, v == 0, v)

    return sorted((c for c in line if not hidden[c]), key=key)


def _plain_integers(frame: pd.DataFrame) -> bool:
    """Whether ``frame`` holds only numpy ``int64`` columns under flat labels."""
    return (
        frame.shape[1] > 0
        and type(frame.index) in (pd.Index, pd.RangeIndex)
        and type(frame.columns) in (pd.Index, pd.RangeIndex)
        and all(dtype == np.dtype("int64") for dtype in frame.dtypes)
    )


def _with_margins(counts: pd.DataFrame) -> pd.DataFrame:
    """``counts`` with a ``Total`` column and row.

    On a table of plain integers (the monitoring page's, several per view)
    the sums are taken on the array: the same frame as pandas' column and
    row insertion below, in a fraction of the time.
    """
    if _plain_integers(counts):
        values = counts.to_numpy()
        inner = np.column_stack([values, values.sum(axis=1)])
        full = np.vstack([inner, inner.sum(axis=0)])
        index = counts.index.insert(len(counts.index), TOTAL)
        columns = counts.columns.insert(len(counts.columns), TOTAL)
        return pd.DataFrame(full, index=index, columns=columns)
    table = counts.copy()
    table[TOTAL] = table.sum(axis=1)
    table.loc[TOTAL] = table.sum(axis=0)
    return table


def _published(table: pd.DataFrame, hidden: np.ndarray) -> pd.DataFrame:
    """``table`` as nullable integers, the ``hidden`` cells missing."""
    if _plain_integers(table):
        values = table.to_numpy().astype("int64")
        published = pd.DataFrame(
            {
                n: pd.arrays.IntegerArray(values[:, n].copy(), hidden[:, n].copy())
                for n in range(table.shape[1])
            },
            index=table.index,
        )
        published.columns = table.columns
        return published
    return table.astype("Int64").mask(hidden)


def suppress(
    counts: pd.DataFrame,
    *,
    min_count: int = DEFAULT_MIN_COUNT,
    suppress_zeros: bool = False,
) -> SuppressedTable:
    """Hide small cells of a count table and enough others to protect them.

    Parameters
    ----------
    counts
        Respondent counts (unweighted), rows x columns, without totals.
    min_count
        Smallest count that may be shown (default 10; never below 5).
    suppress_zeros
        Also treat empty cells as sensitive.

    Returns
    -------
    SuppressedTable

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"a": [3, 20, 30], "b": [25, 22, 18]}, index=["x", "y", "z"])
    >>> result = suppress(t)
    >>> result.published.loc["x"].isna().tolist()
    [True, True, False]
    """
    check_min_count(min_count)
    table = _with_margins(counts)
    values = table.to_numpy(dtype=float)
    bad = (values < 0) | (values != np.round(values))
    if np.any(bad):
        raise SociaparisError(
            AnalysisError.BAD_OPTION,
            name="counts",
            value=float(values[bad][0]),  # the first cell that is not a count
            allowed=Reason(
                en="respondent counts (whole numbers, 0 or more)",
                fr="des effectifs de répondants (nombres entiers, positifs ou nuls)",
            ),
        )
    low = 0 if suppress_zeros else 1
    primary = (values >= low) & (values < min_count)
    if not suppress_zeros:
        primary &= values > 0
    hidden = primary.copy()
    shape = values.shape
    lines = _lines(shape)
    while True:
        changed = True
        while changed:
            changed = False
            for line in lines:
                if sum(hidden[c] for c in line) == 1:
                    candidates = _candidate_order(values, hidden, line)
                    if candidates:
                        hidden[candidates[0]] = True
                        changed = True
        exposed = recoverable_cells(hidden)
        if not exposed:
            break
        i, j = exposed[0]
        options = _candidate_order(
            values, hidden, [(i, k) for k in range(shape[1])]
        ) + _candidate_order(values, hidden, [(k, j) for k in range(shape[0])])
        fixed = False
        for cell in options:
            trial = hidden.copy()
            trial[cell] = True
            if (i, j) not in recoverable_cells(trial):
                hidden = trial
                fixed = True
                break
        if not fixed:
            if not options:
                hidden[:] = True
                break
            hidden[options[0]] = True
    published = _published(table, hidden)

    def frame(mask: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(mask, index=table.index, columns=table.columns)

    return SuppressedTable(
        counts=table,
        published=published,
        primary=frame(primary),
        secondary=frame(hidden & ~primary),
        min_count=min_count,
    )


def _signature_keys(cells: np.ndarray) -> np.ndarray:
    """One hashable key per respondent: the published cells they are counted in."""
    packed = np.packbits(cells.T, axis=1)
    return np.ascontiguousarray(packed).view(np.dtype((np.void, packed.shape[1]))).ravel()


def revealed_groups(cells: np.ndarray, *, min_count: int) -> set[bytes]:
    """Groups of 1 to ``min_count - 1`` respondents that published counts give away.

    Parameters
    ----------
    cells
        Boolean matrix, one row per published count (every visible cell and
        margin of every table published), one column per respondent: who the
        count counts.
    min_count
        The disclosure threshold.

    Returns
    -------
    set of bytes
        Each revealed group as the packed bits of its respondents (a key that
        identifies the same group across calls with the same respondents).

    Notes
    -----
    The respondents fall into *atoms*: those counted in exactly the same
    published cells. A published count is the sum of its atoms' sizes, so the
    published counts are linear equations in the atom sizes. Two ways of
    working out a small group are checked:

    1. an atom whose size is determined by the equations (its unit vector
       lies in the row space of the cell-by-atom matrix, the test of
       :func:`recoverable_cells` one level down), and
    2. the difference of two published counts, one cell inside the other
       (the classic differencing attack, e.g. "everyone" minus "everyone but
       the directorate's managers").
    """
    n_cells, n_people = cells.shape
    if n_cells == 0 or n_people == 0:
        return set()
    keys = _signature_keys(cells)
    _, first, inverse, sizes = np.unique(
        keys, return_index=True, return_inverse=True, return_counts=True
    )
    atoms = cells[:, first]
    counted = atoms.any(axis=0)
    revealed: set[bytes] = set()

    def group(mask: np.ndarray) -> bytes:
        return np.packbits(mask).tobytes()

    small = counted & (sizes > 0) & (sizes < min_count)
    if small.any():
        _, sing, vt = np.linalg.svd(atoms.astype(float), full_matrices=False)
        rank = int((sing > 1e-9 * max(1.0, sing.max(initial=0.0))).sum())
        in_rows = (vt[:rank] ** 2).sum(axis=0)
        for k in np.flatnonzero(small & (in_rows > 1 - 1e-9)):
            revealed.add(group(inverse == k))
    a = atoms.astype(np.int64)
    outside = (a * sizes) @ (1 - a).T  # respondents of cell i not in cell j
    totals = a @ sizes
    for i, j in zip(*np.nonzero(outside == 0), strict=True):
        diff = int(totals[j] - totals[i])
        if 0 < diff < min_count:
            revealed.add(group(cells[j] & ~cells[i]))
    return revealed


def recoverable_across(
    earlier: np.ndarray, new: np.ndarray, *, min_count: int
) -> set[bytes]:
    """Small groups revealed by ``new`` after ``earlier`` and by neither alone.

    Parameters
    ----------
    earlier, new
        Cell-by-respondent membership matrices (see :func:`revealed_groups`) of
        the counts already published to a person, and of the table they ask
        for now, over the same respondents in the same order.
    min_count
        The disclosure threshold.

    Returns
    -------
    set of bytes
        The groups only the combination gives away (empty: ``new`` may be shown).
        What one suppressed table shows by itself is the single-table rule's
        business (:func:`suppress`), so it is not counted again here.
    """
    if earlier.shape[0] == 0:
        return set()
    both = revealed_groups(np.vstack([earlier, new]), min_count=min_count)
    if not both:
        return set()
    alone = revealed_groups(new, min_count=min_count) | revealed_groups(
        earlier, min_count=min_count
    )
    return both - alone
