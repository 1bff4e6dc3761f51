"""The order of factor levels and groups: R's collation order, or byte or data order.

R's ``factor()`` sorts the distinct values of a character column with the
collation of the session's locale, and ``svyby`` prints its domains in that
order. With the ICU library (Debian's and CRAN's R builds), any locale other
than ``C``/``POSIX`` (``fr_FR.UTF-8``, ``en_US.UTF-8``, and ``C.UTF-8`` too)
collates with the Unicode Collation Algorithm (CLDR root order): letters
compare case- and accent-blind first (``"Housing" < "HR" < "hygiène"``), then
by accents, then lower case before upper case. In the ``C``/``POSIX`` locale R
compares bytes: upper case before lower case, accented letters last
(``"HR" < "Housing" < "hygiène" < "Économie"``).

:func:`collation_key` reproduces the Unicode order for the characters of
survey labels: Latin letters with their accents, the ligatures œ æ ß, digits,
spaces, and ASCII punctuation and symbols; other punctuation and symbols sort
before the digits, other letters after the Latin ones, each by code point.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any, Literal

import pandas as pd

from sociaparis.analysis.errors import AnalysisError
from sociaparis.core.errors import SociaparisError

LevelOrder = Literal["locale", "C", "data"]
LEVEL_ORDERS: tuple[str, ...] = ("locale", "C", "data")

# CLDR root order of the ASCII punctuation and symbols (non-ignorable), a few
# common non-ASCII ones placed beside their ASCII relatives.
_PUNCTUATION = (
    "\t\n\x0b\x0c\r \u00a0\u202f"
    "_-\u2010\u2011\u2013\u2014,;:!?.\u2026'\u2018\u2019\"\u201c\u201d\u00ab\u00bb"
    "()[]{}@*/\\&#%`^+<=>|~\u00b0$\u00a3\u20ac"
)
_PUNCT_RANK = {c: i for i, c in enumerate(_PUNCTUATION)}
# letters that expand to two letters at the first level
_EXPANSIONS = {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ẞ": "SS"}
# order of the accents at the second level (DUCET), other marks after them
_ACCENTS = (
    "\u0301\u0300\u0306\u0302\u030c\u030a\u0308\u030b\u0303\u0307\u0327\u0328\u0304"
)
_ACCENT_RANK = {c: i + 1 for i, c in enumerate(_ACCENTS)}

_SPACE, _PUNCT, _OTHER_SYMBOL, _DIGIT, _LATIN, _OTHER_LETTER = range(6)


def _primary(char: str) -> tuple[int, int]:
    """First-level weight of one base character (no combining mark)."""
    if char in _PUNCT_RANK:
        return (_SPACE, _PUNCT_RANK[char])
    category = unicodedata.category(char)
    if category == "Nd":
        return (_DIGIT, unicodedata.digit(char))
    if category[0] == "L":
        lower = char.lower()
        if "a" <= lower <= "z":
            return (_LATIN, ord(lower))
        return (_OTHER_LETTER, ord(lower))
    if category[0] in "PZC":
        return (_PUNCT, ord(char))
    return (_OTHER_SYMBOL, ord(char))


def collation_key(value: str) -> tuple[Any, ...]:
    """Sort key of a string in R's collation (ICU, CLDR root order).

    Parameters
    ----------
    value
        The string.

    Returns
    -------
    tuple
        Compared level by level: letters (case and accents ignored), then
        accents, then case (lower before upper), then code points.

    Examples
    --------
    >>> sorted(["HR", "hygiène", "Housing", "Économie", "eau"], key=collation_key)
    ['eau', 'Économie', 'Housing', 'HR', 'hygiène']
    """
    decomposed = unicodedata.normalize("NFD", value)
    primary: list[tuple[int, int]] = []
    secondary: list[int] = []
    tertiary: list[int] = []
    for char in decomposed:
        if unicodedata.combining(char):
            secondary.append(_ACCENT_RANK.get(char, len(_ACCENTS) + ord(char)))
            continue
        for part in _EXPANSIONS.get(char, char):
            primary.append(_primary(part))
            secondary.append(0)
            tertiary.append(1 if part.isupper() else 0)
    return (tuple(primary), tuple(secondary), tuple(tertiary), decomposed, value)


def check_level_order(order: str) -> None:
    """Refuse an unknown level order with the allowed ones."""
    if order not in LEVEL_ORDERS:
        raise SociaparisError(
            AnalysisError.BAD_OPTION,
            name="level_order",
            value=order,
            allowed=LEVEL_ORDERS,
        )


def sort_levels(values: Iterable[Any], order: LevelOrder = "locale") -> list[Any]:
    """Distinct values in the order R gives a factor's levels.

    Parameters
    ----------
    values
        The values (missing values are dropped, duplicates kept once).
    order
        ``"locale"`` (default): R in a UTF-8 locale such as ``fr_FR.UTF-8``,
        strings by :func:`collation_key`. ``"C"``: R in the ``C`` locale,
        strings by code point (byte order of UTF-8). ``"data"``: the order of
        first appearance. Numbers and booleans sort by value in the first two.

    Returns
    -------
    list
    """
    check_level_order(order)
    series = values if isinstance(values, pd.Series) else pd.Series(list(values))
    distinct = series.dropna().unique().tolist()
    if order == "data":
        return distinct
    if order == "locale" and all(isinstance(v, str) for v in distinct):
        return sorted(distinct, key=collation_key)
    return sorted(distinct)


def levels_of(series: pd.Series, order: LevelOrder = "locale") -> list[Any]:
    """Factor levels of a column: categorical order, else :func:`sort_levels`."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return list(series.cat.categories)
    return sort_levels(series, order)
