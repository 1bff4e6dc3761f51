"""Exact minimal covers for large parsimonious problems, prime implicants on demand.

With many conditions and remainders the number of prime implicants explodes (a
20-condition table with 2,000 observed rows has millions), so listing them all, as
R's CCubes does, cannot finish. The minimal models need only a few of them. This
module finds every cover by the fewest prime implicants with a branch-and-bound
search that never lists the whole chart:

* positive rows are bit sets (Python integers) and, for every positive row ``a`` and
  condition ``j``, the positive and negative rows that agree with ``a`` on ``j`` are
  precomputed, so a cube through ``a`` fixing the conditions ``S`` covers the AND of
  those sets, and is an implicant when the negative AND is empty;
* two positive rows are *compatible* when the smallest cube holding both contains no
  negative row; a set of pairwise incompatible rows needs one implicant each, which
  gives the lower bound (computed with numpy over packed agreement masks);
* at each node, branch on the uncovered positive row of a greedy incompatible set,
  generate the prime implicants through it by a depth-first search over the fixed
  conditions, and prune every cube whose remaining incompatible rows exceed the
  budget; iterative deepening on the number of implicants makes the first
  complete level the minimum, and that level is searched exhaustively.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sociaparis.core.errors import Reason, SociaparisError

from .errors import QCAError

Cube = tuple[int, ...]

#: up to this many conditions every prime implicant is listed (full PI chart)
FULL_SEARCH_MAX_CONDITIONS = 12

#: independent sets avoiding the branching row used to prune its implicants
EXTRA_BOUNDS = 8

#: depth (fixed conditions) up to which the lower bound is recomputed in the search
DYNAMIC_BOUND_DEPTH = 2

#: search nodes visited before giving up (QCA_015)
MAX_NODES = 2_000_000


def _popcount(value: int) -> int:
    return value.bit_count()


def _bit_list(value: int) -> list[int]:
    out = []
    while value:
        low = value & -value
        out.append(low.bit_length() - 1)
        value ^= low
    return out


def _to_bits(mask: np.ndarray) -> int:
    packed = np.packbits(mask.astype(np.uint8), bitorder="little")
    return int.from_bytes(packed.tobytes(), "little")


class _Problem:
    def __init__(self, on: np.ndarray, off: np.ndarray, levels: Sequence[int]) -> None:
        self.on = on
        self.off = off
        self.k = on.shape[1]
        self.n = on.shape[0]
        self.eq_on: list[list[int]] = []
        self.eq_off: list[list[int]] = []
        for a in range(self.n):
            self.eq_on.append([_to_bits(on[:, j] == on[a, j]) for j in range(self.k)])
            self.eq_off.append([_to_bits(off[:, j] == on[a, j]) for j in range(self.k)])
        self.all_off = (1 << len(off)) - 1
        self.compatible = self._compatibility()
        self.nodes = 0

    def _compatibility(self) -> list[int]:
        weights = (1 << np.arange(self.k, dtype=np.int64)).astype(np.int64)
        out = []
        for a in range(self.n):
            agree_on = (self.on == self.on[a]) @ weights
            agree_off = np.unique((self.off == self.on[a]) @ weights)
            if len(agree_off):
                # b is incompatible with a when some negative row agrees with a
                # wherever b does: agree_on[b] is a subset of agree_off[o]
                blocked = np.zeros(self.n, dtype=bool)
                for start in range(0, len(agree_off), 256):
                    chunk = agree_off[start : start + 256]
                    blocked |= ((agree_on[:, None] & ~chunk[None, :]) == 0).any(axis=1)
                out.append(_to_bits(~blocked))
            else:
                out.append((1 << self.n) - 1)
        return out

    def independent(self, uncovered: int) -> int:
        """A greedy set of pairwise incompatible rows of ``uncovered``."""
        chosen = 0
        candidates = uncovered
        while candidates:
            # prefer the row compatible with the fewest remaining candidates
            best, best_degree = -1, None
            scan = candidates
            steps = 0
            while scan and steps < 64:
                low = scan & -scan
                a = low.bit_length() - 1
                degree = _popcount(self.compatible[a] & candidates)
                if best_degree is None or degree < best_degree:
                    best, best_degree = a, degree
                scan ^= low
                steps += 1
            chosen |= 1 << best
            candidates &= ~(self.compatible[best] | (1 << best))
        return chosen

    def primes_through(
        self, a: int, uncovered: int, bounds: list[int], budget: int, excluded: set[Cube]
    ) -> list[tuple[Cube, int]]:
        """Prime implicants through row ``a`` worth trying with ``budget`` terms.

        ``bounds`` are sets of pairwise incompatible uncovered rows: an implicant
        covers at most one row of each, so one that leaves more than ``budget - 1``
        of them uncovered cannot be part of a cover of that size.
        """
        found: list[tuple[Cube, int]] = []
        eq_on, eq_off = self.eq_on[a], self.eq_off[a]
        row = self.on[a]

        def dfs(fixed: list[int], start: int, on_bits: int, off_bits: int) -> None:
            self.nodes += 1
            if self.nodes > MAX_NODES:
                raise SociaparisError(
                    QCAError.TOO_COMPLEX,
                    reason=Reason(
                        en=f"more than {MAX_NODES} search nodes",
                        fr=f"plus de {MAX_NODES} nœuds de recherche",
                    ),
                )
            for bound in bounds:
                if _popcount(bound & ~on_bits) > budget - 1:
                    return
            if len(fixed) <= DYNAMIC_BOUND_DEPTH:
                # the rows this cube leaves uncovered only grow deeper in the search,
                # so a lower bound above budget - 1 prunes the whole branch
                rest = uncovered & ~on_bits
                if rest and _popcount(self.independent(rest)) > budget - 1:
                    return
            if off_bits == 0:
                for drop in fixed:
                    rest = self.all_off
                    for j in fixed:
                        if j != drop:
                            rest &= eq_off[j]
                    if rest == 0:
                        return
                cube = [-1] * self.k
                for j in fixed:
                    cube[j] = int(row[j])
                key = tuple(cube)
                if key not in excluded:
                    found.append((key, on_bits))
                return
            for j in range(start, self.k):
                fixed.append(j)
                dfs(fixed, j + 1, on_bits & eq_on[j], off_bits & eq_off[j])
                fixed.pop()

        dfs([], 0, (1 << self.n) - 1, self.all_off)
        found.sort(key=lambda item: -_popcount(item[1] & uncovered))
        return found


def minimal_covers_on_demand(
    on: np.ndarray, off: np.ndarray, levels: Sequence[int]
) -> tuple[list[Cube], list[tuple[int, ...]]]:
    """Every cover of the positive rows by the fewest prime implicants.

    Parameters
    ----------
    on, off
        Positive and negative configurations (rows × conditions); every other
        configuration is a remainder.
    levels
        Number of levels per condition.

    Returns
    -------
    cubes, covers
        The prime implicants used by some minimal cover, and each cover as indices
        into ``cubes``.
    """
    on = np.asarray(on, dtype=np.int64)
    off = np.asarray(off, dtype=np.int64).reshape(-1, on.shape[1])
    problem = _Problem(on, off, levels)
    universe = (1 << problem.n) - 1
    covers: set[frozenset[Cube]] = set()

    def search(
        uncovered: int, budget: int, chosen: list[Cube], excluded: set[Cube]
    ) -> None:
        if not uncovered:
            covers.add(frozenset(chosen))
            return
        if budget == 0:
            return
        hard = problem.independent(uncovered)
        if _popcount(hard) > budget:
            return
        # branch on the most constrained row: the fewest compatible uncovered rows
        a = min(
            _bit_list(hard), key=lambda r: _popcount(problem.compatible[r] & uncovered)
        )
        bounds = [hard]
        blocked = 1 << a
        for _ in range(EXTRA_BOUNDS):
            other = problem.independent(uncovered & ~blocked)
            size = _popcount(other)
            if size > budget:
                return
            if size == budget:
                bounds.append(other)
            blocked |= other & -other
        tried: set[Cube] = set()
        for cube, bits in problem.primes_through(a, uncovered, bounds, budget, excluded):
            rest = uncovered & ~bits
            if rest and _popcount(problem.independent(rest)) > budget - 1:
                tried.add(cube)
                continue
            chosen.append(cube)
            search(rest, budget - 1, chosen, excluded | tried)
            chosen.pop()
            tried.add(cube)

    budget = max(1, _popcount(problem.independent(universe)))
    while not covers:
        search(universe, budget, [], set())
        budget += 1
    cubes = sorted({cube for cover in covers for cube in cover})
    index = {cube: i for i, cube in enumerate(cubes)}
    return cubes, sorted(tuple(sorted(index[c] for c in cover)) for cover in covers)
