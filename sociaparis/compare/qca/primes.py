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
        Prime implicants by increasing number of literals.
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

    Returns
    -------
    list of Cube
        Prime implicants by increasing number of literals.
    """
    k = len(levels)
    current: set[Cube] = {tuple(int(v) for v in row) for row in allowed}
    primes: list[Cube] = []
    while current:
        merged: set[Cube] = set()
        absorbed: set[Cube] = set()
        for cube in current:
            for j in range(k):
                if cube[j] < 0:
                    continue
                siblings = [
                    cube[:j] + (level,) + cube[j + 1 :] for level in range(levels[j])
                ]
                if all(s in current for s in siblings):
                    merged.add(cube[:j] + (-1,) + cube[j + 1 :])
                    absorbed.update(siblings)
        primes.extend(c for c in current if c not in absorbed)
        current = merged
    primes.sort(key=lambda c: (-sum(v < 0 for v in c), c))
    return primes


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
