"""Exact minimum set covers of a prime implicant chart, all of them.

Columns (positive configurations) and the prime implicants covering them are bit
sets held in Python integers. Covers of the smallest size are enumerated by
iterative deepening on the size with a branch-and-bound search: branch on the
uncovered column with the fewest candidate implicants, exclude implicants already
tried at a sibling (so every cover is found once), and prune with a lower bound from
a greedy set of pairwise incompatible columns.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from sociaparis.core.errors import Reason, SociaparisError

from .errors import QCAError

#: maximum number of minimal covers listed before giving up
MAX_COVERS = 10_000

#: seconds of depth-first search before switching to integer programming (both exact)
DFS_SECONDS = 1.0

#: deepest depth-first search (implicants beyond the essential ones) before switching
#: to integer programming
MAX_DEPTH = 300

#: seconds spent listing equally minimal models by integer programming before QCA_015
MAX_SECONDS = 60.0


def _bits(value: int) -> list[int]:
    out = []
    while value:
        low = value & -value
        out.append(low.bit_length() - 1)
        value ^= low
    return out


class _Chart:
    def __init__(self, pis: Sequence[int], columns: int) -> None:
        self.pis = list(pis)
        self.by_column: list[list[int]] = [[] for _ in range(columns)]
        for index, bits in enumerate(self.pis):
            for column in _bits(bits):
                self.by_column[column].append(index)

    def lower_bound(self, uncovered: int, allowed: int) -> int:
        count = 0
        remaining = uncovered
        while remaining:
            low = remaining & -remaining
            column = low.bit_length() - 1
            reach = 0
            for index in self.by_column[column]:
                if allowed >> index & 1:
                    reach |= self.pis[index]
            if not reach:
                return 1 << 30
            remaining &= ~(reach | low)
            count += 1
        return count


def minimum_covers(
    pis: Sequence[int], universe: int, *, limit: int = MAX_COVERS
) -> list[tuple[int, ...]]:
    """All covers of ``universe`` by the fewest implicants.

    Parameters
    ----------
    pis
        Coverage of each implicant (bit i = column i).
    universe
        The columns to cover.
    limit
        Raise ``QCA_015`` when more covers than this exist.

    Returns
    -------
    list of tuple of int
        Each cover as sorted implicant indices; ``[]`` if ``universe`` cannot be
        covered.

    Examples
    --------
    >>> minimum_covers([0b011, 0b110, 0b100, 0b001], 0b111)
    [(0, 1), (0, 2), (1, 3)]
    """
    if universe == 0:
        return [()]
    columns = universe.bit_length()
    chart = _Chart(pis, columns)
    everything = (1 << len(pis)) - 1
    reachable = 0
    for bits in pis:
        reachable |= bits
    if universe & ~reachable:
        return []
    found: list[tuple[int, ...]] = []
    nodes = 0
    start = time.perf_counter()

    def search(uncovered: int, budget: int, allowed: int, chosen: list[int]) -> None:
        nonlocal nodes
        nodes += 1
        if nodes % 256 == 0:
            elapsed = time.perf_counter() - start
            if not found and elapsed > DFS_SECONDS:
                raise _Budget
            if elapsed > MAX_SECONDS:
                reason = Reason(
                    en=f"{len(found)} models found in {elapsed:.0f} s and more remain",
                    fr=f"{len(found)} modèles trouvés en {elapsed:.0f} s, et il en "
                    "reste d'autres",
                )
                raise SociaparisError(QCAError.TOO_COMPLEX, reason=reason)
        if not uncovered:
            found.append(tuple(sorted(chosen)))
            if len(found) > limit:
                raise SociaparisError(
                    QCAError.TOO_COMPLEX,
                    reason=Reason(
                        en=f"more than {limit} minimal models",
                        fr=f"plus de {limit} modèles minimaux",
                    ),
                )
            return
        if budget == 0 or chart.lower_bound(uncovered, allowed) > budget:
            return
        best_column = -1
        best: list[int] = []
        for column in _bits(uncovered):
            candidates = [i for i in chart.by_column[column] if allowed >> i & 1]
            if best_column < 0 or len(candidates) < len(best):
                best_column, best = column, candidates
                if len(candidates) <= 1:
                    break
        for index in best:
            chosen.append(index)
            search(uncovered & ~chart.pis[index], budget - 1, allowed, chosen)
            chosen.pop()
            allowed &= ~(1 << index)

    # essential implicants (sole cover of a column) are in every cover: take them first
    forced = sorted(
        {chart.by_column[c][0] for c in _bits(universe) if len(chart.by_column[c]) == 1}
    )
    rest = universe
    allowed = everything
    for index in forced:
        rest &= ~chart.pis[index]
        allowed &= ~(1 << index)
    budget = chart.lower_bound(rest, allowed)
    try:
        while not found:
            if budget > MAX_DEPTH:
                raise _Budget
            search(rest, budget, allowed, list(forced))
            budget += 1
    except _Budget:
        return _milp_covers(pis, universe, limit)
    return sorted(found)


class _Budget(Exception):
    """The depth-first search ran out of nodes: switch to integer programming."""


def _milp_covers(pis: Sequence[int], universe: int, limit: int) -> list[tuple[int, ...]]:
    """All minimum covers by integer programming (HiGHS through scipy).

    The minimum size comes from one solve; every cover of that size is then found by
    solving again with a cut that excludes each cover already found
    (``sum of its x <= size - 1``) until the problem becomes infeasible.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import csr_array, vstack

    columns = _bits(universe)
    position = {c: i for i, c in enumerate(columns)}
    rows, cols = [], []
    for j, bits in enumerate(pis):
        for c in _bits(bits & universe):
            rows.append(position[c])
            cols.append(j)
    n = len(pis)
    cover = csr_array(([1.0] * len(rows), (rows, cols)), shape=(len(columns), n))
    cost = np.ones(n)
    integrality = np.ones(n)
    bounds = Bounds(0, 1)
    options = {"time_limit": MAX_SECONDS}
    first = milp(
        cost,
        constraints=[LinearConstraint(cover, lb=1)],
        integrality=integrality,
        bounds=bounds,
        options=options,
    )
    if first.status == 2:
        return []
    if first.status != 0:
        raise SociaparisError(QCAError.TOO_COMPLEX, reason=first.message)
    size = int(round(first.fun))
    start = time.perf_counter()
    found: list[tuple[int, ...]] = []
    cuts: list[np.ndarray] = []
    matrix = vstack([cover, csr_array(np.ones((1, n)))])
    lower = np.r_[np.ones(len(columns)), size]
    upper = np.r_[np.full(len(columns), np.inf), size]
    while True:
        constraints = [LinearConstraint(matrix, lb=lower, ub=upper)]
        if cuts:
            constraints.append(LinearConstraint(np.array(cuts), lb=-np.inf, ub=size - 1))
        result = milp(
            cost, constraints=constraints, integrality=integrality, bounds=bounds
        )
        if result.status != 0:
            break
        chosen = tuple(int(j) for j in np.flatnonzero(result.x > 0.5))
        found.append(chosen)
        if len(found) > limit or time.perf_counter() - start > MAX_SECONDS:
            seconds = time.perf_counter() - start
            reason = Reason(
                en=f"{len(found)} models of {size} terms found in {seconds:.0f} s and "
                "more remain",
                fr=f"{len(found)} modèles de {size} termes trouvés en {seconds:.0f} s, "
                "et il en reste d'autres",
            )
            raise SociaparisError(QCAError.TOO_COMPLEX, reason=reason)
        cut = np.zeros(n)
        cut[list(chosen)] = 1.0
        cuts.append(cut)
    return sorted(found)


def essential(pis: Sequence[int], universe: int) -> list[int]:
    """Indices of the implicants that alone cover some column of ``universe``."""
    chart = _Chart(pis, max(universe.bit_length(), 1))
    out = set()
    for column in _bits(universe):
        if len(chart.by_column[column]) == 1:
            out.add(chart.by_column[column][0])
    return sorted(out)


def dominated(pis: Sequence[int]) -> set[int]:
    """Implicants whose coverage is a strict subset of another's (R's row dominance).

    Implicants with equal coverage are all kept, as R's ``rowDominance()`` does.

    Examples
    --------
    >>> sorted(dominated([0b011, 0b001, 0b011, 0b100]))
    [1]
    """
    out: set[int] = set()
    for i, bits_i in enumerate(pis):
        for j, bits_j in enumerate(pis):
            if i != j and bits_i & ~bits_j == 0 and bits_i != bits_j:
                out.add(i)
                break
    return out
