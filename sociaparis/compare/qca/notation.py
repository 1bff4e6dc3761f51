"""Terms in R's QCA notation: ``~A``, ``A*B``, multi-value ``A[1]``.

A term is held internally as a tuple of values, one per condition, with ``-1`` for a
condition that is absent from the term.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sociaparis.core.errors import Reason, SociaparisError

from .errors import QCAError

_MV_LITERAL = re.compile(r"^(~?)([A-Za-z_.][\w.]*)(?:\[(\d+)\]|\{(\d+)\})?$")


def format_term(values: Sequence[int], conditions: Sequence[str], *, mv: bool) -> str:
    """Write a term (one value per condition, -1 = absent) in R's notation.

    Examples
    --------
    >>> format_term((1, -1, 0), ["A", "B", "C"], mv=False)
    'A*~C'
    >>> format_term((2, -1, 0), ["A", "B", "C"], mv=True)
    'A[2]*C[0]'
    """
    parts = []
    for value, name in zip(values, conditions, strict=True):
        if value < 0:
            continue
        if mv:
            parts.append(f"{name}[{value}]")
        else:
            parts.append(name if value == 1 else f"~{name}")
    return "*".join(parts) if parts else "1"


def parse_term(term: str, conditions: Sequence[str]) -> tuple[int, ...]:
    """Read a conjunction such as ``A*~B`` or ``A[2]*C[0]`` into values per condition.

    Examples
    --------
    >>> parse_term("A*~C", ["A", "B", "C"])
    (1, -1, 0)
    """
    index = {name: i for i, name in enumerate(conditions)}
    values = [-1] * len(conditions)
    for raw in term.replace(" ", "").split("*"):
        match = _MV_LITERAL.match(raw)
        if match is None or match.group(2) not in index:
            raise SociaparisError(
                QCAError.BAD_TERM,
                term=term,
                reason=Reason(
                    en=f"unknown literal '{raw}'", fr=f"littéral « {raw} » inconnu"
                ),
            )
        negated, name, bracket, curly = match.groups()
        level = bracket if bracket is not None else curly
        if level is not None:
            value = int(level)
        else:
            value = 0 if negated else 1
        values[index[name]] = value
    return tuple(values)


def term_complexity(values: Sequence[int]) -> int:
    """Number of literals in a term."""
    return sum(1 for v in values if v >= 0)
