"""Truth tables for crisp-set, multi-value and fuzzy-set data (R: ``truthTable()``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sociaparis.core.errors import SociaparisError

from .data import QCAData, prepare
from .errors import QCAError

#: tolerance used when comparing a consistency with a cut-off (R uses sqrt(eps))
EPS = np.sqrt(np.finfo(float).eps)


@dataclass(frozen=True, slots=True)
class TruthTableRow:
    """One configuration of the truth table.

    Attributes
    ----------
    rownum
        R's row number: 1 + the configuration read as a mixed-radix number (first
        condition most significant).
    values
        The configuration, one value per condition.
    out
        ``"1"``, ``"0"``, ``"C"`` (contradiction, between the two cut-offs) or ``"?"``
        (fewer than ``n_cut`` cases: a remainder).
    n
        Number of cases with more than 0.5 membership in the configuration.
    incl
        Sufficiency inclusion (consistency) of the configuration for the outcome.
    pri
        Proportional reduction in inconsistency.
    cases
        Labels of the cases in the configuration.
    """

    rownum: int
    values: tuple[int, ...]
    out: str
    n: int
    incl: float
    pri: float
    cases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TruthTable:
    """A truth table with its inputs and parameters.

    Attributes
    ----------
    data
        The checked data it was built from.
    rows
        Observed configurations (n >= 1), in row-number order.
    incl_cut
        ``(ic1, ic0)``: OUT is 1 at or above ic1, 0 below ic0, C in between.
    n_cut
        Minimum number of cases for a row not to be a remainder.
    pri_cut
        Minimum PRI for OUT = 1.
    """

    data: QCAData
    rows: tuple[TruthTableRow, ...]
    incl_cut: tuple[float, float]
    n_cut: int
    pri_cut: float
    _keys: dict[tuple[int, ...], TruthTableRow] = field(repr=False, default_factory=dict)

    @property
    def conditions(self) -> tuple[str, ...]:
        """Condition names."""
        return self.data.conditions

    @property
    def levels(self) -> tuple[int, ...]:
        """Number of levels per condition."""
        return self.data.levels

    def rows_with(self, out: str) -> list[TruthTableRow]:
        """Rows whose OUT is ``out``."""
        return [row for row in self.rows if row.out == out]

    def to_frame(self) -> pd.DataFrame:
        """One line per observed row: conditions, OUT, n, incl, PRI, cases."""
        records = []
        for row in self.rows:
            record: dict[str, Any] = {"rownum": row.rownum}
            record.update(dict(zip(self.conditions, row.values, strict=True)))
            record.update(
                OUT=row.out,
                n=row.n,
                incl=row.incl,
                PRI=row.pri,
                cases=",".join(row.cases),
            )
            records.append(record)
        columns = ["rownum", *self.conditions, "OUT", "n", "incl", "PRI", "cases"]
        return pd.DataFrame.from_records(records, columns=columns).set_index("rownum")

    def to_dict(self) -> dict[str, Any]:
        """JSON twin: parameters and rows in the layout of the conformance cases."""
        return {
            "outcome": self.data.outcome,
            "negate_outcome": self.data.negate_outcome,
            "conditions": list(self.conditions),
            "kind": self.data.kind,
            "incl_cut": list(self.incl_cut),
            "n_cut": self.n_cut,
            "pri_cut": self.pri_cut,
            "rows": [row_to_dict(row) for row in self.rows],
        }


def row_to_dict(row: TruthTableRow) -> dict[str, Any]:
    """A row in the conformance layout."""
    return {
        "rownum": row.rownum,
        "row": list(row.values),
        "OUT": row.out,
        "n": row.n,
        "incl": row.incl,
        "PRI": row.pri,
        "cases": list(row.cases),
    }


def rownum(values: Sequence[int], levels: Sequence[int]) -> int:
    """R's truth-table row number of a configuration.

    Examples
    --------
    >>> rownum((1, 0, 1), (2, 2, 2))
    6
    """
    number = 0
    for value, level in zip(values, levels, strict=True):
        number = number * level + int(value)
    return number + 1


def _incl_cut(value: float | Sequence[float]) -> tuple[float, float]:
    if isinstance(value, int | float):
        pair = (float(value), float(value))
    else:
        items = [float(v) for v in value]
        if len(items) == 1:
            items = items * 2
        if len(items) != 2:
            raise SociaparisError(QCAError.BAD_INCL_CUT, value=value)
        pair = (items[0], items[1])
    if not (0 <= pair[1] <= pair[0] <= 1):
        raise SociaparisError(QCAError.BAD_INCL_CUT, value=value)
    return pair


def sufficiency_fit(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """inclS, PRI and covS of set ``x`` for outcome ``y`` (fuzzy formulas)."""
    both = np.minimum(x, y)
    sum_x = float(x.sum())
    sum_both = float(both.sum())
    sum_y = float(y.sum())
    triple = float(np.minimum(both, 1.0 - y).sum())
    incl = sum_both / sum_x if sum_x > 0 else float("nan")
    denominator = sum_x - triple
    pri = (sum_both - triple) / denominator if denominator > 0 else float("nan")
    cov = sum_both / sum_y if sum_y > 0 else float("nan")
    return incl, pri, cov


def build_truth_table(
    qdata: QCAData,
    *,
    incl_cut: float | Sequence[float] = 1.0,
    n_cut: int = 1,
    pri_cut: float = 0.0,
) -> TruthTable:
    """Build the truth table of already prepared data (see :func:`truth_table`)."""
    ic1, ic0 = _incl_cut(incl_cut)
    x = qdata.x
    config = np.where(
        np.array(qdata.fuzzy)[None, :], (x > 0.5).astype(int), x.astype(int)
    )
    half = np.array(qdata.fuzzy)[None, :] & (np.abs(x - 0.5) < 1e-12)
    assigned = ~half.any(axis=1)
    groups: dict[tuple[int, ...], list[int]] = {}
    for i in np.flatnonzero(assigned):
        groups.setdefault(tuple(int(v) for v in config[i]), []).append(int(i))
    rows = []
    crisp = not any(qdata.fuzzy)
    for values, members in groups.items():
        if crisp:
            membership = np.zeros(len(qdata.cases))
            membership[members] = 1.0
        else:
            membership = qdata.term_membership(values)
        incl, pri, _ = sufficiency_fit(membership, qdata.y)
        n = len(members)
        if n < n_cut:
            out = "?"
        elif incl >= ic1 - EPS and pri >= pri_cut - EPS:
            out = "1"
        elif incl < ic0 - EPS or incl >= ic1 - EPS:
            out = "0"
        else:
            out = "C"
        rows.append(
            TruthTableRow(
                rownum=rownum(values, qdata.levels),
                values=values,
                out=out,
                n=n,
                incl=incl,
                pri=pri,
                cases=tuple(qdata.cases[i] for i in members),
            )
        )
    rows.sort(key=lambda row: row.rownum)
    table = TruthTable(
        data=qdata, rows=tuple(rows), incl_cut=(ic1, ic0), n_cut=n_cut, pri_cut=pri_cut
    )
    table._keys.update({row.values: row for row in rows})
    return table


def truth_table(
    data: pd.DataFrame,
    *,
    outcome: str,
    conditions: Sequence[str] | None = None,
    incl_cut: float | Sequence[float] = 1.0,
    n_cut: int = 1,
    pri_cut: float = 0.0,
    negate_outcome: bool = False,
) -> TruthTable:
    """Build a QCA truth table (R: ``truthTable()``).

    Parameters
    ----------
    data
        One row per case (index = case labels); conditions crisp (0/1), multi-value
        (0, 1, 2…) or fuzzy (in [0, 1]).
    outcome
        Outcome column; ``"~Y"`` or ``negate_outcome=True`` uses its negation.
    conditions
        Condition columns (default: all others).
    incl_cut
        One cut-off, or ``[ic1, ic0]``: OUT = 1 if incl >= ic1, 0 if incl < ic0, else
        ``"C"``.
    n_cut
        Rows with fewer cases are remainders (OUT ``"?"``).
    pri_cut
        Rows with PRI below it get OUT = 0.
    negate_outcome
        Analyse the negated outcome.

    Returns
    -------
    TruthTable
        Rows with ``rownum``, ``values``, ``out``, ``n``, ``incl``, ``pri``, ``cases``.

    Notes
    -----
    A case belongs to the configuration where its membership is above 0.5 (fuzzy
    cases at exactly 0.5 in a condition belong to none). The inclusion of a row is
    ``sum(min(X, Y)) / sum(X)`` over all cases, X the membership in the row.

    Examples
    --------
    >>> df = pd.DataFrame({"A": [1, 1, 0], "B": [1, 0, 0], "Y": [1, 1, 0]},
    ...                   index=["c1", "c2", "c3"])
    >>> tt = truth_table(df, outcome="Y")
    >>> [(row.rownum, row.out, row.cases) for row in tt.rows]
    [(1, '0', ('c3',)), (3, '1', ('c2',)), (4, '1', ('c1',))]
    """
    qdata = prepare(
        data, outcome=outcome, conditions=conditions, negate_outcome=negate_outcome
    )
    return build_truth_table(qdata, incl_cut=incl_cut, n_cut=n_cut, pri_cut=pri_cut)
