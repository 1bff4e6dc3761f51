"""CSV-injection defence for spreadsheet cells (OWASP).

A spreadsheet treats a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return as a formula; a respondent could type ``=HYPERLINK(...)`` in a free
text. Every such text cell of a CSV or XLSX export (data and dictionary) gets a
leading single quote, as the OWASP "CSV Injection" page recommends: ``=1+1`` is
written ``'=1+1``. Numbers are numbers, not text, and are left alone (``-3``).
"""

from __future__ import annotations

import pandas as pd

from sociaparis.core.spreadsheets import FORMULA_TRIGGERS


def neutralize(values: pd.Series) -> pd.Series:
    """Prefix with ``'`` every text value that starts like a formula.

    Examples
    --------
    >>> texts = pd.Series(["=1+1", "ok", None, "-2", "@SUM(A1)"], dtype=object)
    >>> neutralize(texts).tolist()
    ["'=1+1", 'ok', None, "'-2", "'@SUM(A1)"]
    """
    if values.dtype != object and not pd.api.types.is_string_dtype(values.dtype):
        return values
    # The distinct values, not every cell: a column's cells are mostly the
    # same few codes and texts.
    risky_values = [
        value
        for value in values.unique()
        if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)
    ]
    if not risky_values:
        return values
    risky = values.isin(risky_values).to_numpy(dtype=bool)
    out = values.astype(object).copy()
    out[risky] = "'" + values[risky].astype(str)
    return out


def neutralize_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text column neutralized."""
    return frame.apply(neutralize)
