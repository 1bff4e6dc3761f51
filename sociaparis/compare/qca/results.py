"""Result objects of the minimization (frozen dataclasses with to_frame/to_dict)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from .fit import SolutionFit, TermFit
from .truth_table import TruthTable

Cube = tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Model:
    """One minimal solution (a disjunction of prime implicants).

    Attributes
    ----------
    terms
        Terms in R's notation.
    cubes
        The same terms as value tuples (-1 = condition absent).
    fit
        Fit of the solution and of each term (covU within this model).
    simplifying_assumptions
        Row numbers of the remainders the model uses (``None`` when the space of
        configurations is too large to list them).
    """

    terms: tuple[str, ...]
    cubes: tuple[Cube, ...]
    fit: SolutionFit
    simplifying_assumptions: tuple[int, ...] | None = None

    @property
    def expression(self) -> str:
        """The model as ``A*B + ~C``."""
        return " + ".join(self.terms)

    def to_dict(self) -> dict[str, Any]:
        """Terms, solution fit, per-term fit and simplifying assumptions."""
        return {
            "expression": self.expression,
            "terms": list(self.terms),
            "fit": self.fit.to_dict(),
            "term_fit": {t.term: t.to_dict() for t in self.fit.terms},
            "cases": {t.term: list(t.cases) for t in self.fit.terms},
            "simplifying_assumptions": None
            if self.simplifying_assumptions is None
            else list(self.simplifying_assumptions),
        }


@dataclass(frozen=True, slots=True)
class IntermediateSolution:
    """Intermediate solution(s) for one conservative × parsimonious model pair.

    Attributes
    ----------
    key
        R's ``C{i}P{j}`` label.
    models
        The intermediate models.
    essential
        Essential prime implicants of their chart.
    easy_counterfactuals
        Row numbers of the remainders accepted by the directional expectations.
    overall_terms
        Term fits with covU against all terms of all models (R's overall table).
    """

    key: str
    models: tuple[Model, ...]
    essential: tuple[str, ...]
    easy_counterfactuals: tuple[int, ...]
    overall_terms: tuple[TermFit, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON twin."""
        return {
            "key": self.key,
            "models": [m.to_dict() for m in self.models],
            "essential": list(self.essential),
            "easy_counterfactuals": list(self.easy_counterfactuals),
        }


@dataclass(frozen=True, slots=True)
class Minimization:
    """The result of :func:`~sociaparis.compare.qca.minimize`.

    Attributes
    ----------
    truth_table
        The truth table minimized.
    include
        ``""`` (conservative), ``"?"`` (parsimonious) and/or ``"C"``.
    dir_exp
        Directional expectations (condition -> value or ``"-"``), or ``None``.
    row_dom
        Whether dominated prime implicants were removed from the chart.
    prime_implicants
        Rows of the prime implicant chart, in R's notation.
    pi_chart
        Boolean chart: prime implicants × positive row numbers.
    pi_chart_complete
        ``False`` when the problem was too large to list every prime implicant and the
        chart holds only those found by the exact branch-and-bound search (models are
        still all the minimal ones).
    essential
        Essential prime implicants.
    models
        All minimal models (model ambiguity is exposed: there may be several).
    overall_terms
        Fit of every term of every model; covU against all of them (R's overall table).
    intermediate
        Intermediate solutions when ``dir_exp`` is given.
    """

    truth_table: TruthTable
    include: str
    dir_exp: dict[str, int | str] | None
    row_dom: bool
    prime_implicants: tuple[str, ...]
    pi_chart: pd.DataFrame
    pi_chart_complete: bool
    essential: tuple[str, ...]
    models: tuple[Model, ...]
    overall_terms: tuple[TermFit, ...]
    intermediate: tuple[IntermediateSolution, ...] = ()

    @property
    def solutions(self) -> list[list[str]]:
        """Terms of each model (intermediate models when ``dir_exp`` is given)."""
        if self.intermediate:
            return [list(m.terms) for i in self.intermediate for m in i.models]
        return [list(m.terms) for m in self.models]

    def to_frame(self) -> pd.DataFrame:
        """One line per (model, term): inclS, PRI, covS, covU and cases."""
        records = []
        groups = [("", self.models)]
        if self.intermediate:
            groups = [(i.key, i.models) for i in self.intermediate]
        for key, models in groups:
            for number, model in enumerate(models, start=1):
                records.extend(
                    {
                        "model": f"{key}M{number}",
                        "term": term.term,
                        **term.to_dict(),
                        "cases": ", ".join(term.cases),
                    }
                    for term in model.fit.terms
                )
        columns = ["model", "term", "inclS", "PRI", "covS", "covU", "cases"]
        return pd.DataFrame.from_records(records, columns=columns)

    def to_dict(self) -> dict[str, Any]:
        """JSON twin of the whole result."""
        return {
            "include": self.include,
            "dir_exp": self.dir_exp,
            "row_dom": self.row_dom,
            "solutions": self.solutions,
            "models": [m.to_dict() for m in self.models],
            "overall_terms": {t.term: t.to_dict() for t in self.overall_terms},
            "essential": list(self.essential),
            "prime_implicants": list(self.prime_implicants),
            "pi_chart_complete": self.pi_chart_complete,
            "pi_chart": {
                pi: [
                    int(c)
                    for c in self.pi_chart.columns[self.pi_chart.loc[pi].to_numpy()]
                ]
                for pi in self.pi_chart.index
            },
            "intermediate": [i.to_dict() for i in self.intermediate],
        }
