"""Checking and preparing QCA data: conditions and outcome as numbers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sociaparis.core.errors import SociaparisError

from .errors import QCAError


@dataclass(frozen=True, slots=True)
class QCAData:
    """Validated condition matrix and outcome vector.

    Attributes
    ----------
    cases
        Case labels, in data order.
    conditions
        Condition names, in the order given.
    outcome
        Outcome name.
    negate_outcome
        Whether ``y`` is the negated outcome (``1 - outcome``).
    x
        Condition values, shape (cases, conditions): memberships in [0, 1] for crisp
        and fuzzy conditions, integer codes 0, 1, 2… for multi-value ones.
    y
        Outcome membership in [0, 1] (already negated when ``negate_outcome``).
    levels
        Number of levels per condition (2 for crisp and fuzzy conditions).
    fuzzy
        Whether each condition is fuzzy (holds a value strictly between 0 and 1).
    """

    cases: tuple[str, ...]
    conditions: tuple[str, ...]
    outcome: str
    negate_outcome: bool
    x: np.ndarray
    y: np.ndarray
    levels: tuple[int, ...]
    fuzzy: tuple[bool, ...]

    @property
    def kind(self) -> str:
        """``'fs'`` (a fuzzy condition), ``'mv'`` (more than 2 levels) or ``'cs'``."""
        if any(self.fuzzy):
            return "fs"
        if any(level > 2 for level in self.levels):
            return "mv"
        return "cs"

    @property
    def mv(self) -> bool:
        """Whether terms are written in multi-value notation (``A[1]``)."""
        return any(level > 2 for level in self.levels)

    def literal_membership(self, j: int, value: int) -> np.ndarray:
        """Membership of every case in the literal ``condition j == value``."""
        column = self.x[:, j]
        if self.fuzzy[j]:
            return column if value == 1 else 1.0 - column
        return (column == value).astype(float)

    def term_membership(self, values: Sequence[int]) -> np.ndarray:
        """Membership of every case in a conjunction (fuzzy minimum)."""
        out = np.ones(len(self.cases))
        for j, value in enumerate(values):
            if value >= 0:
                out = np.minimum(out, self.literal_membership(j, value))
        return out


def _numeric_column(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        raise SociaparisError(
            QCAError.UNKNOWN_COLUMN,
            column=column,
            available=", ".join(map(str, frame.columns)),
        )
    series = frame[column]
    converted = pd.to_numeric(series, errors="coerce")
    bad = converted.isna() & series.notna()
    if bad.any():
        first = series[bad].iloc[0]
        raise SociaparisError(
            QCAError.NOT_NUMERIC,
            column=column,
            value=first,
        )
    if converted.isna().any():
        missing = converted.index[converted.isna()]
        raise SociaparisError(
            QCAError.MISSING_VALUES,
            column=column,
            count=len(missing),
            case=missing[0],
        )
    return converted.to_numpy(dtype=float)


def _check_membership(column: str, values: np.ndarray) -> tuple[int, bool]:
    """Return (levels, fuzzy) for a condition, or raise for impossible values."""
    if np.any(values < 0):
        raise SociaparisError(
            QCAError.NEGATIVE_MV, column=column, value=float(values[values < 0][0])
        )
    fractional = np.abs(values - np.round(values)) > 1e-12
    if fractional.any():
        if np.any(values > 1):
            raise SociaparisError(
                QCAError.OUT_OF_RANGE, column=column, value=float(values[values > 1][0])
            )
        return 2, True
    top = int(values.max()) if len(values) else 1
    return max(top + 1, 2), False


def prepare(
    data: pd.DataFrame,
    *,
    outcome: str,
    conditions: Sequence[str] | None = None,
    negate_outcome: bool = False,
) -> QCAData:
    """Validate ``data`` and return the numeric condition matrix and outcome.

    Parameters
    ----------
    data
        One row per case; the index gives the case labels.
    outcome
        Outcome column; a leading ``~`` negates it (as in R).
    conditions
        Condition columns; by default every column but the outcome.
    negate_outcome
        Use ``1 - outcome``.

    Returns
    -------
    QCAData
        The checked data.
    """
    if outcome.startswith("~"):
        outcome = outcome[1:]
        negate_outcome = not negate_outcome
    if len(data) == 0:
        raise SociaparisError(QCAError.EMPTY_DATA)
    if conditions is None:
        conditions = [c for c in data.columns if c != outcome]
    conditions = list(conditions)
    if outcome in conditions:
        raise SociaparisError(QCAError.BAD_OUTCOME, outcome=outcome)
    y = _numeric_column(data, outcome)
    if np.any((y < 0) | (y > 1)):
        raise SociaparisError(
            QCAError.OUT_OF_RANGE, column=outcome, value=float(y[(y < 0) | (y > 1)][0])
        )
    columns = []
    levels = []
    fuzzy = []
    for name in conditions:
        values = _numeric_column(data, name)
        level, is_fuzzy = _check_membership(name, values)
        columns.append(values)
        levels.append(level)
        fuzzy.append(is_fuzzy)
    x = np.column_stack(columns) if columns else np.zeros((len(data), 0))
    if negate_outcome:
        y = 1.0 - y
    return QCAData(
        cases=tuple(str(c) for c in data.index),
        conditions=tuple(conditions),
        outcome=outcome,
        negate_outcome=negate_outcome,
        x=x,
        y=y,
        levels=tuple(levels),
        fuzzy=tuple(fuzzy),
    )
