"""What SPSS and Stata files need: names, numeric codes, labels within limits.

* Names: :func:`format_names` gives each ODK column a valid, unique name of the
  format (:mod:`sociaparis.survey.io.names`); meta columns claim names first,
  then recorded attributes, then questions, then 0/1 choice columns. In Stata, a
  labelled column's name also leaves room for its column number (pyreadstat
  names the value-label set ``NAME`` + column number, 32 characters at most).
* Codes: a ``select_one`` becomes a number with value labels. When every choice
  code of its list is a whole number (``1``…``5`` of a Likert scale), the number
  is the code itself; otherwise choices are numbered 1, 2, 3… in the order of the
  choice list, and the dictionary keeps the original codes (``1=dfa; 2=drh``).
  A code found in the data but not in the list (from an older version) gets the
  next number, labelled with the code.
* Labels: variable labels are cut to 80 characters (Stata) or 256 bytes (SPSS),
  value labels to 32,000 characters (Stata) or 120 bytes (SPSS); a cut label ends
  with ``…``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from sociaparis.survey.io.names import NameFormat, unique_names
from sociaparis.survey.io.tables import ExportTable, Variable, absent

STATA_VARIABLE_LABEL_CHARS = 80
SPSS_VARIABLE_LABEL_BYTES = 256
STATA_VALUE_LABEL_CHARS = 32000
SPSS_VALUE_LABEL_BYTES = 120
STATA_FILE_LABEL_CHARS = 80
SPSS_FILE_LABEL_BYTES = 64
_INT_LIMIT = 2_147_483_620  # largest Stata long that is not a missing value

#: Value labels of 0/1 columns, per language.
FLAG_LABELS: dict[str, dict[int, str]] = {
    "fr": {0: "Non", 1: "Oui"},
    "en": {0: "No", 1: "Yes"},
}


def flag_labels(lang: str) -> dict[int, str]:
    """Labels of 0 and 1 in ``lang`` (English for a language without its own)."""
    return FLAG_LABELS.get(lang, FLAG_LABELS["en"])


def truncate(text: str, *, chars: int | None = None, bytes_: int | None = None) -> str:
    """Cut ``text`` to at most ``chars`` characters and ``bytes_`` UTF-8 bytes.

    A cut text ends with ``…``.

    Examples
    --------
    >>> truncate("abcdef", chars=4)
    'abc…'
    >>> truncate("ééé", bytes_=5)
    'é…'
    """

    def fits(value: str) -> bool:
        return (chars is None or len(value) <= chars) and (
            bytes_ is None or len(value.encode("utf-8")) <= bytes_
        )

    if fits(text):
        return text
    cut = text
    while cut and not fits(cut + "…"):
        cut = cut[:-1]
    return cut + "…"


def variable_label(text: str, fmt: NameFormat) -> str:
    """A variable label within the format's limit."""
    if fmt == "dta":
        return truncate(text, chars=STATA_VARIABLE_LABEL_CHARS)
    return truncate(text, bytes_=SPSS_VARIABLE_LABEL_BYTES)


def value_label(text: str, fmt: NameFormat) -> str:
    """A value label within the format's limit."""
    if fmt == "dta":
        return truncate(text, chars=STATA_VALUE_LABEL_CHARS)
    return truncate(text, bytes_=SPSS_VALUE_LABEL_BYTES)


def file_label(text: str, fmt: NameFormat) -> str:
    """A file label within the format's limit."""
    if fmt == "dta":
        return truncate(text, chars=STATA_FILE_LABEL_CHARS)
    return truncate(text, bytes_=SPSS_FILE_LABEL_BYTES)


def format_names(table: ExportTable, fmt: NameFormat) -> dict[str, str]:
    """ODK column name to the SPSS or Stata name, for every column of ``table``."""
    dot = "." if fmt == "sav" else "_"
    order = {"meta": 0, "attribute": 1, "question": 2, "choice": 3, "part": 4}
    claims = sorted(
        enumerate(table.variables), key=lambda item: (order[item[1].kind], item[0])
    )
    wanted = [
        f"{v.source}{dot}{v.choice}"
        if v.kind == "choice"
        else f"{v.source}{dot}{v.name.rsplit('-', 1)[1]}"
        if v.kind == "part"
        else _base(v)
        for _, v in claims
    ]
    limits: list[int | None] = [None] * len(claims)
    if fmt == "dta":
        # pyreadstat names a Stata value-label set after its variable followed by
        # the column number; that name must fit in 32 characters too.
        limits = [
            32 - len(str(position)) if v.type in {"select_one", "flag"} else None
            for position, v in claims
        ]
    names = unique_names(wanted, fmt, limits=limits)
    return {v.name: name for (_, v), name in zip(claims, names, strict=True)}


def _base(variable: Variable) -> str:
    if variable.kind == "question":
        return variable.source
    return variable.name


def numeric_codes(variable: Variable) -> bool:
    """Whether the choice codes of a select are themselves whole numbers."""
    try:
        numbers = [float(c.name) for c in variable.choices]
    except ValueError:
        return False
    return (
        bool(numbers)
        and all(n.is_integer() and abs(n) <= _INT_LIMIT for n in numbers)
        and len(set(numbers)) == len(numbers)  # "01" and "1" would be one number
    )


def value_codes(variable: Variable, column: pd.Series | None = None) -> dict[str, int]:
    """Choice code to the number stored in SPSS/Stata, for a ``select_one``.

    Parameters
    ----------
    variable
        A ``select_one`` variable.
    column
        Its data: codes it holds that the list lacks get the next numbers.
    """
    if numeric_codes(variable):
        mapping = {c.name: int(float(c.name)) for c in variable.choices}
    else:
        mapping = {c.name: n for n, c in enumerate(variable.choices, start=1)}
    if column is not None:
        # pandas' unique on the plain array: a hash table, where dropna() first
        # tests every cell for each kind of missing (a second per 100,000 rows
        # over a form's selects).
        found = pd.unique(column.to_numpy(dtype=object))
        extra = [code for code in found[~absent(found)] if code not in mapping]
        following = max(mapping.values(), default=0) + 1
        for offset, code in enumerate(sorted(map(str, extra))):
            mapping[code] = following + offset
    return mapping


def coded(column: pd.Series, mapping: Mapping[str, int]) -> np.ndarray:
    """The numbers of a ``select_one`` column (NaN where missing), by ``mapping``.

    Each distinct code is looked up once (:func:`pandas.factorize`).

    Examples
    --------
    >>> coded(pd.Series(["b", None, "a", "b"]), {"a": 1, "b": 2}).tolist()
    [2.0, nan, 1.0, 2.0]
    """
    positions, uniques = pd.factorize(column.to_numpy(dtype=object))
    # The last number is NaN: the -1 of a missing cell picks it.
    numbers = np.array([*(mapping[u] for u in uniques), np.nan], dtype="float64")
    return numbers[positions]


def code_labels(
    variable: Variable, mapping: Mapping[str, int], lang: str, default_language: str
) -> dict[int, str]:
    """Number to label (the code itself for a code the list lacks)."""
    labels = dict(
        zip(
            (c.name for c in variable.choices),
            variable.choice_labels(lang, default_language),
            strict=True,
        )
    )
    return {number: labels.get(code, code) for code, number in mapping.items()}
