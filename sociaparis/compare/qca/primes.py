"""Prime implicants, computed exactly over the observed configurations.

Two search modes, both exact:

* :func:`primes_avoiding` (parsimonious solutions): a cube is an implicant when it
  contains no negative (OFF) configuration, remainders being free. The search runs
  over the sets of fixed conditions by increasing size, as CCubes does, and tests all
  observed positive configurations of one set of conditions at once with integer
  keys (numpy), instead of enumerating the 3^k cubes.
* :func:`primes_within` (conservative and intermediate solutions): a cube is an
  implicant when all its configurations are allowed (positive or an included
  remainder); found by merging cubes upwards from the allowed configurations
  (Quine-McCluskey for multi-value data).

A cube is a tuple of values, one per condition, ``-1`` where the condition is free.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import combinations

import numpy as np

Cube = tuple[int, ...]


def _bases(levels: Sequence[int]) -> np.ndarray:
    bases = np.ones(len(levels), dtype=np.int64)
    for j in range(len(levels) - 2, -1, -1):
        bases[j] = bases[j + 1] * levels[j + 1]
    return bases


def primes_avoiding(
    on: np.ndarray, off: np.ndarray, levels: Sequence[int], *, max_size: int | None = None
) -> list[Cube]:
    """All prime implicants that cover a positive row and no negative row.

    Parameters
    ----------
    on, off
        Positive and negative configurations, shape (rows, conditions).
    levels
        Number of levels per condition.
    max_size
        Largest number of literals to search (default: all conditions).

    Returns
    -------
    list of Cube
        Prime implicants by increasing number of literals, then sets of conditions
        in combination order, then first positive row (R's CCubes order).
    """
    k = len(levels)
    on = np.asarray(on, dtype=np.int64).reshape(-1, k)
    off = np.asarray(off, dtype=np.int64).reshape(-1, k)
    bases = _bases(levels)
    limit = k if max_size is None else min(k, max_size)
    found: list[Cube] = []
    if len(on) == 0:
        return found
    space = int(np.prod(levels))
    # a reusable lookup table of negative keys is much faster than np.isin
    table = np.zeros(space, dtype=bool) if space <= 1 << 22 else None

    def member(keys: np.ndarray, reference: np.ndarray) -> np.ndarray:
        if table is None:
            return np.isin(keys, reference)
        table[reference] = True
        out = table[keys]
        table[reference] = False
        return out

    for size in range(1, limit + 1):
        for subset in combinations(range(k), size):
            cols = list(subset)
            on_keys = on[:, cols] @ bases[cols]
            off_keys = off[:, cols] @ bases[cols]
            keys, first = np.unique(on_keys, return_index=True)
            # in order of first positive row, as R's CCubes finds them
            by_row = np.argsort(first, kind="stable")
            keys, first = keys[by_row], first[by_row]
            if len(off_keys):
                keep = ~member(keys, off_keys)
                keys, first = keys[keep], first[keep]
            if not len(keys):
                continue
            values = on[first][:, cols]
            prime = np.ones(len(keys), dtype=bool)
            if size > 1 or len(off_keys):
                for position, j in enumerate(cols):
                    dropped_off = off_keys - off[:, j] * bases[j]
                    dropped = keys - values[:, position] * bases[j]
                    prime &= member(dropped, dropped_off)
            for row in values[prime]:
                cube = [-1] * k
                for position, j in enumerate(cols):
                    cube[j] = int(row[position])
                found.append(tuple(cube))
    return found


def primes_within(allowed: Iterable[Sequence[int]], levels: Sequence[int]) -> list[Cube]:
    """All prime implicants of a set of allowed configurations (every point inside).

    Quine-McCluskey as R's ``C_QMC`` runs it, so that the implicants come out in
    its order, which :func:`r_order` needs to list models as R does: each round
    merges the pairs of cubes (in the order of the pairs of their positions) that
    differ in one condition and whose siblings on it are all present; the next
    round's list is the new cubes in the order found, then the cubes of this round
    that were not merged.

    Parameters
    ----------
    allowed
        The allowed configurations, in R's order (truth-table row order, then any
        added remainders); duplicates are dropped.
    levels
        Number of levels per condition.

    Returns
    -------
    list of Cube
        The prime implicants in the order R's ``C_QMC`` leaves them before sorting.
    """
    current = list(dict.fromkeys(tuple(int(v) for v in row) for row in allowed))
    while len(current) > 1:
        index = {cube: i for i, cube in enumerate(current)}
        merged = [False] * len(current)
        found: dict[Cube, None] = {}
        for ia, a in enumerate(current):
            pairs = []
            for j, value in enumerate(a):
                if value < 0:
                    continue
                for level in range(levels[j]):
                    ib = index.get(a[:j] + (level,) + a[j + 1 :], -1)
                    if ib > ia:
                        pairs.append((ib, j))
            for _, j in sorted(pairs):
                siblings = [
                    index.get(a[:j] + (lv,) + a[j + 1 :], -1) for lv in range(levels[j])
                ]
                if -1 in siblings:
                    continue
                for i in siblings:
                    merged[i] = True
                found.setdefault(a[:j] + (-1,) + a[j + 1 :], None)
        if not found:
            break
        current = [*found, *(c for i, c in enumerate(current) if not merged[i])]
    return current


def r_order(cubes: Sequence[Cube]) -> list[Cube]:
    """Prime implicants in R's order (``sort_matrix``/``sort_cols`` in QCA's C code).

    R sorts by condition, last to first: on each condition the cubes that fix it
    come first, by increasing value, then those where it is free; finally by the
    number of literals. All sorts are stable. When every cube fixes the condition,
    R leaves the last cube of the descending order out of the increasing sort, so
    the order can depend on the order the cubes came in (see :func:`primes_within`
    and :func:`primes_avoiding`, which follow R's).

    Examples
    --------
    >>> r_order([(0, 1), (1, -1), (-1, 0)])
    [(1, -1), (-1, 0), (0, 1)]
    >>> r_order([(1, 1, 1), (1, 0, 0)])  # every cube fixes every condition
    [(1, 1, 1), (1, 0, 0)]
    """
    order = list(range(len(cubes)))
    k = len(cubes[0]) if cubes else 0
    for j in range(k - 1, -1, -1):
        order.sort(key=lambda i: -cubes[i][j] - 1 if cubes[i][j] >= 0 else 0)
        fixed = sum(1 for c in cubes if c[j] >= 0)
        end = fixed if fixed < len(cubes) else len(cubes) - 1
        order[:end] = sorted(order[:end], key=lambda i: cubes[i][j])
    order.sort(key=lambda i: sum(v >= 0 for v in cubes[i]))
    return [cubes[i] for i in order]


def covers(cube: Sequence[int], rows: np.ndarray) -> np.ndarray:
    """Boolean mask of the configurations in ``rows`` that lie inside ``cube``."""
    rows = np.asarray(rows).reshape(-1, len(cube))
    mask = np.ones(len(rows), dtype=bool)
    for j, value in enumerate(cube):
        if value >= 0:
            mask &= rows[:, j] == value
    return mask


def coverage_bits(cube: Sequence[int], rows: np.ndarray) -> int:
    """The rows a cube covers, as the bits of a Python integer (bit i = row i)."""
    mask = covers(cube, rows)
    bits = 0
    for i in np.flatnonzero(mask):
        bits |= 1 << int(i)
    return bits
