"""Parameters of fit of terms and solutions (R: ``pof()`` for sufficiency)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .data import QCAData
from .notation import format_term
from .truth_table import sufficiency_fit

Cube = tuple[int, ...]


@dataclass(frozen=True, slots=True)
class TermFit:
    """Fit of one term of a solution.

    Attributes
    ----------
    term
        The term in R's notation.
    incl
        Sufficiency inclusion (inclS).
    pri
        Proportional reduction in inconsistency.
    cov
        Raw coverage (covS).
    cov_unique
        Unique coverage (covU): coverage lost when the term is dropped from the terms
        it is compared with; ``None`` when there is a single term.
    cases
        Cases with membership above 0.5 in the term.
    """

    term: str
    incl: float
    pri: float
    cov: float
    cov_unique: float | None
    cases: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """R's column names: inclS, PRI, covS, covU."""
        return {
            "inclS": self.incl,
            "PRI": self.pri,
            "covS": self.cov,
            "covU": self.cov_unique,
        }


@dataclass(frozen=True, slots=True)
class SolutionFit:
    """Fit of a whole solution (the disjunction of its terms).

    Attributes
    ----------
    incl, pri, cov
        inclS, PRI and covS of the union of the terms.
    terms
        Each term's fit, with covU computed within this solution.
    """

    incl: float
    pri: float
    cov: float
    terms: tuple[TermFit, ...]

    def to_dict(self) -> dict[str, Any]:
        """``{"inclS", "PRI", "covS"}`` of the solution."""
        return {"inclS": self.incl, "PRI": self.pri, "covS": self.cov}

    def to_frame(self) -> pd.DataFrame:
        """One line per term: inclS, PRI, covS, covU, cases."""
        return pd.DataFrame.from_records(
            [
                {**t.to_dict(), "cases": ", ".join(t.cases), "term": t.term}
                for t in self.terms
            ],
            columns=["term", "inclS", "PRI", "covS", "covU", "cases"],
        ).set_index("term")


def _union(memberships: Sequence[np.ndarray], size: int) -> np.ndarray:
    out = np.zeros(size)
    for membership in memberships:
        out = np.maximum(out, membership)
    return out


def terms_fit(qdata: QCAData, cubes: Sequence[Cube]) -> tuple[TermFit, ...]:
    """Fit of each term, with covU computed against all the other ``cubes``."""
    names = [format_term(c, qdata.conditions, mv=qdata.mv) for c in cubes]
    memberships = [qdata.term_membership(c) for c in cubes]
    size = len(qdata.cases)
    _, _, cov_all = sufficiency_fit(_union(memberships, size), qdata.y)
    out = []
    for i, (name, membership) in enumerate(zip(names, memberships, strict=True)):
        incl, pri, cov = sufficiency_fit(membership, qdata.y)
        unique: float | None = None
        if len(cubes) > 1:
            others = _union([m for j, m in enumerate(memberships) if j != i], size)
            _, _, cov_others = sufficiency_fit(others, qdata.y)
            unique = cov_all - cov_others
        cases = tuple(qdata.cases[c] for c in np.flatnonzero(membership > 0.5))
        out.append(TermFit(name, incl, pri, cov, unique, cases))
    return tuple(out)


def solution_fit(qdata: QCAData, cubes: Sequence[Cube]) -> SolutionFit:
    """Fit of a solution and of its terms (covU within the solution)."""
    union = _union([qdata.term_membership(c) for c in cubes], len(qdata.cases))
    incl, pri, cov = sufficiency_fit(union, qdata.y)
    return SolutionFit(incl=incl, pri=pri, cov=cov, terms=terms_fit(qdata, cubes))
