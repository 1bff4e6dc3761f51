"""Safe text for cells that a spreadsheet program will open (CSV, XLSX)."""

from __future__ import annotations

from typing import Any

#: A cell starting with one of these may be run as a formula by Excel or Calc.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralize_formula(value: Any) -> Any:
    """Prefix a text cell that could start a formula with a single quote (OWASP).

    Numbers and other non-text values are returned unchanged, so that ``-3`` stays
    a number.

    >>> neutralize_formula("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralize_formula(-3), neutralize_formula("Copilot")
    (-3, 'Copilot')
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value
