"""CSV-injection defence for spreadsheet cells (OWASP).

A spreadsheet treats a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return as a formula; a respondent could type ``=HYPERLINK(...)`` in a free
text. Every such text cell of a CSV or XLSX export (data and dictionary) gets a
leading single quote, as the OWASP "CSV Injection" page recommends: ``=1+1`` is
written ``'=1+1``. Numbers are numbers, not text, and are left alone (``-3``).
"""

from __future__ import annotations

import numpy as np
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
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    flagged = np.fromiter(
        (isinstance(u, str) and u[:1] in FORMULA_TRIGGERS for u in uniques),
        dtype=bool,
        count=len(uniques),
    )
    if not flagged.any():
        return values
    risky = np.zeros(len(values), dtype=bool)
    present = codes >= 0
    risky[present] = flagged[codes[present]]
    out = values.astype(object).copy()
    out[risky] = "'" + values[risky].astype(str)
    return out


def neutralize_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text column neutralized."""
    return frame.apply(neutralize)
