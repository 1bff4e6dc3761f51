"""Necessity analysis: R's ``superSubset()`` and ``pof(..., relation = "necessity")``."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sociaparis.core.errors import SociaparisError

from .data import QCAData, prepare
from .errors import QCAError
from .notation import format_term
from .truth_table import EPS


@dataclass(frozen=True, slots=True)
class NecessityTerm:
    """One necessary condition, conjunction or disjunction.

    Attributes
    ----------
    term
        In R's notation (``A*B`` for a conjunction, ``A + ~B`` for a disjunction).
    incl
        Inclusion of necessity (inclN): ``sum(min(X, Y)) / sum(Y)``.
    ron
        Relevance of necessity (RoN): ``sum(1 - X) / sum(1 - min(X, Y))``.
    cov
        Coverage of necessity (covN): ``sum(min(X, Y)) / sum(X)``.
    """

    term: str
    incl: float
    ron: float
    cov: float

    def to_dict(self) -> dict[str, Any]:
        """R's column names: term, inclN, RoN, covN."""
        return {"term": self.term, "inclN": self.incl, "RoN": self.ron, "covN": self.cov}


@dataclass(frozen=True, slots=True)
class NecessityResult:
    """Result of a necessity analysis.

    Attributes
    ----------
    outcome, negate_outcome, conditions
        What was analysed.
    incl_cut, cov_cut
        The cut-offs used (0 for ``pof_necessity``).
    terms
        The terms found, in search order (conjunctions, then disjunctions).
    """

    outcome: str
    negate_outcome: bool
    conditions: tuple[str, ...]
    incl_cut: float
    cov_cut: float
    terms: tuple[NecessityTerm, ...]

    def to_frame(self) -> pd.DataFrame:
        """One line per term: inclN, RoN, covN."""
        return pd.DataFrame.from_records(
            [t.to_dict() for t in self.terms], columns=["term", "inclN", "RoN", "covN"]
        ).set_index("term")

    def to_dict(self) -> dict[str, Any]:
        """JSON twin."""
        return {
            "outcome": self.outcome,
            "negate_outcome": self.negate_outcome,
            "conditions": list(self.conditions),
            "incl_cut": self.incl_cut,
            "cov_cut": self.cov_cut,
            "terms": [t.to_dict() for t in self.terms],
        }


def necessity_fit(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """inclN, RoN and covN of set ``x`` as necessary for ``y``."""
    both = np.minimum(x, y)
    sum_both = float(both.sum())
    incl = sum_both / float(y.sum()) if y.sum() > 0 else float("nan")
    denominator = float((1.0 - both).sum())
    ron = float((1.0 - x).sum()) / denominator if denominator > 0 else float("nan")
    cov = sum_both / float(x.sum()) if x.sum() > 0 else float("nan")
    return incl, ron, cov


def _literals(qdata: QCAData, j: int) -> list[int]:
    return list(range(qdata.levels[j]))


def _disjunction_name(qdata: QCAData, literals: Sequence[tuple[int, int]]) -> str:
    parts = []
    for j, value in literals:
        cube = [-1] * len(qdata.conditions)
        cube[j] = value
        parts.append(format_term(cube, qdata.conditions, mv=qdata.mv))
    return " + ".join(parts)


def superset_subset(
    data: pd.DataFrame | QCAData,
    *,
    outcome: str = "",
    conditions: Sequence[str] | None = None,
    incl_cut: float = 1.0,
    cov_cut: float = 0.0,
    negate_outcome: bool = False,
    depth: int | None = None,
) -> NecessityResult:
    """Necessary conjunctions and disjunctions (R: ``superSubset(relation = "nec")``).

    Parameters
    ----------
    data
        Cases × columns, or already prepared :class:`QCAData`.
    outcome, conditions, negate_outcome
        As in :func:`truth_table` (``"~Y"`` negates).
    incl_cut, cov_cut
        Keep terms with inclN >= incl_cut and covN >= cov_cut (R's defaults 1 and 0).
    depth
        Largest number of conditions in a term (default: all).

    Returns
    -------
    NecessityResult
        Every conjunction that passes both cut-offs, then every disjunction that
        passes them and contains no smaller necessary disjunction or condition.

    Notes
    -----
    Each condition enters a term with one of its values (``A`` or ``~A``; ``A[v]``
    for multi-value data). Comparisons use R's tolerance (``sqrt(eps)``).

    Examples
    --------
    >>> df = pd.DataFrame({"A": [1, 1, 0, 1], "B": [1, 0, 1, 0], "Y": [1, 1, 0, 0]})
    >>> [t.term for t in superset_subset(df, outcome="Y").terms]
    ['A']
    """
    qdata = (
        data
        if isinstance(data, QCAData)
        else prepare(
            data, outcome=outcome, conditions=conditions, negate_outcome=negate_outcome
        )
    )
    k = len(qdata.conditions)
    depth = k if depth is None else min(depth, k)
    incl_min = incl_cut - EPS
    cov_min = cov_cut - EPS if cov_cut > 0 else cov_cut
    y = qdata.y
    conjunctions: list[NecessityTerm] = []
    disjunctions: list[NecessityTerm] = []
    necessary: list[frozenset[tuple[int, int]]] = []
    for size in range(1, depth + 1):
        for subset in itertools.combinations(range(k), size):
            for values in itertools.product(*(_literals(qdata, j) for j in subset)):
                literals = list(zip(subset, values, strict=True))
                memberships = [qdata.literal_membership(j, v) for j, v in literals]
                conj = np.minimum.reduce(memberships)
                incl, ron, cov = necessity_fit(conj, y)
                if incl >= incl_min and cov >= cov_min:
                    cube = [-1] * k
                    for j, v in literals:
                        cube[j] = v
                    name = format_term(cube, qdata.conditions, mv=qdata.mv)
                    conjunctions.append(NecessityTerm(name, incl, ron, cov))
                key = frozenset(literals)
                if any(previous <= key for previous in necessary):
                    continue
                disj = np.maximum.reduce(memberships)
                incl, ron, cov = necessity_fit(disj, y)
                if incl >= incl_min:
                    necessary.append(key)
                    if size > 1 and cov >= cov_min:
                        name = _disjunction_name(qdata, literals)
                        disjunctions.append(NecessityTerm(name, incl, ron, cov))
    terms = conjunctions + disjunctions
    if not terms:
        raise SociaparisError(QCAError.NO_NECESSARY, incl_cut=incl_cut, cov_cut=cov_cut)
    return NecessityResult(
        outcome=qdata.outcome,
        negate_outcome=qdata.negate_outcome,
        conditions=qdata.conditions,
        incl_cut=incl_cut,
        cov_cut=cov_cut,
        terms=tuple(terms),
    )


def pof_necessity(
    data: pd.DataFrame | QCAData,
    *,
    outcome: str = "",
    conditions: Sequence[str] | None = None,
    negate_outcome: bool = False,
) -> NecessityResult:
    """Necessity fit of each single condition (R: ``pof(X, Y, relation = "nec")``).

    Returns
    -------
    NecessityResult
        One term per condition (its value 1, or each value of a multi-value one).

    Examples
    --------
    >>> df = pd.DataFrame({"A": [1, 1, 0, 1], "Y": [1, 1, 0, 0]})
    >>> pof_necessity(df, outcome="Y").terms[0].cov
    0.6666666666666666
    """
    qdata = (
        data
        if isinstance(data, QCAData)
        else prepare(
            data, outcome=outcome, conditions=conditions, negate_outcome=negate_outcome
        )
    )
    terms = []
    for j in range(len(qdata.conditions)):
        values = [1] if not qdata.mv else list(range(qdata.levels[j]))
        for value in values:
            cube = [-1] * len(qdata.conditions)
            cube[j] = value
            incl, ron, cov = necessity_fit(qdata.literal_membership(j, value), qdata.y)
            name = format_term(cube, qdata.conditions, mv=qdata.mv)
            terms.append(NecessityTerm(name, incl, ron, cov))
    return NecessityResult(
        outcome=qdata.outcome,
        negate_outcome=qdata.negate_outcome,
        conditions=qdata.conditions,
        incl_cut=0.0,
        cov_cut=0.0,
        terms=tuple(terms),
    )
