"""Pure helpers of the case matrix: value types, encoding, reading a hand-made CSV.

Values are stored as text.  A dimension is ``number`` when every value given for
it reads as a finite number (``82``, ``8.5``, ``-3``), ``text`` otherwise; numbers
are written back without a trailing ``.0`` and with every digit Python needs to
read the same float again, so that a matrix survives export and re-import.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from sociaparis.core.errors import Location, SociaparisError

from .errors import MatrixError

ValueType = Literal["number", "text"]
VALUE_TYPES: tuple[ValueType, ...] = ("number", "text")
#: Where a cell's value comes from.
SOURCE_KINDS = ("hand", "survey", "codes", "repeat")
NAME_LIMIT = 200


def check_name(name: str, what: str) -> str:
    """``name`` stripped; ``CASES_009`` when empty or too long."""
    cleaned = name.strip() if isinstance(name, str) else ""
    if not cleaned or len(cleaned) > NAME_LIMIT:
        raise SociaparisError(
            MatrixError.BAD_NAME, what=what, name=name, limit=NAME_LIMIT
        )
    return cleaned


def parse_number(text: Any) -> float | None:
    """The finite number written in ``text`` (or a number), else ``None``.

    >>> parse_number("8.5"), parse_number(" 82 "), parse_number("yes"), parse_number(True)
    (8.5, 82.0, None, None)
    """
    if isinstance(text, bool) or text is None:
        return None
    if isinstance(text, int | float):
        number = float(text)
    else:
        try:
            number = float(str(text).strip())
        except ValueError:
            return None
    return number if math.isfinite(number) else None


def infer_type(values: Iterable[Any]) -> ValueType:
    """``number`` when every non-empty value is a finite number, else ``text``.

    >>> infer_type(["8.5", "3", ""]), infer_type(["yes", "3"]), infer_type([])
    ('number', 'text', 'text')
    """
    present = [v for v in values if not is_empty(v)]
    if present and all(parse_number(v) is not None for v in present):
        return "number"
    return "text"


def is_empty(value: Any) -> bool:
    """Whether ``value`` is no value: ``None``, NaN or blank text."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, str) and not value.strip()


def encode_value(value: Any, value_type: ValueType, *, dimension: str) -> str:
    """The stored text of ``value`` in a dimension of ``value_type``.

    >>> encode_value("82", "number", dimension="d")
    '82'
    >>> encode_value(0.1, "number", dimension="d")
    '0.1'
    """
    if value_type == "number":
        number = parse_number(value)
        if number is None:
            raise SociaparisError(
                MatrixError.NOT_A_NUMBER, value=value, dimension=dimension
            )
        return (
            str(int(number))
            if number.is_integer() and abs(number) < 1e15
            else repr(number)
        )
    return value if isinstance(value, str) else str(value)


def decode_value(text: str, value_type: str) -> float | str:
    """A stored value as a float (``number``) or text."""
    if value_type == "number":
        return float(text)
    return text


def plain_number(value: float) -> int | float:
    """``82.0`` as ``82``, other floats unchanged (for CSV, XLSX and JSON)."""
    return int(value) if value.is_integer() and abs(value) < 1e15 else value


@dataclass(frozen=True, slots=True)
class HandMatrix:
    """A hand-made case matrix read from CSV: case names, dimensions, text values.

    Attributes
    ----------
    index_name
        The header of the first column (``city``).
    cases
        Case names, in file order.
    dimensions
        Dimension names, in file order.
    values
        One row of raw texts per case (``''`` when blank).
    rows
        The line number of each case in the file (for messages).
    """

    index_name: str
    cases: tuple[str, ...]
    dimensions: tuple[str, ...]
    values: tuple[tuple[str, ...], ...]
    rows: tuple[int, ...]

    def column(self, j: int) -> list[str]:
        """The raw texts of dimension ``j``."""
        return [row[j] for row in self.values]


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_matrix_csv(data: bytes | str) -> HandMatrix:
    """Read a hand-made case matrix (the layout of ``studies/sociaparis/cities``).

    Lines whose first character is ``#`` are comments; the delimiter is a comma, a
    semicolon or a tab (as the header line shows); UTF-8 (with or without BOM),
    else Windows-1252.

    Raises
    ------
    SociaparisError
        ``CASES_007`` for a file with no header, no dimension, a blank or repeated
        case name or dimension, or a row with more cells than the header.
    """
    text = _decode(data) if isinstance(data, bytes) else data
    lines = [
        (number, line)
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not lines:
        raise SociaparisError(MatrixError.BAD_CSV, reason="The file has no header line")
    header_line = lines[0][1]
    delimiter = max(",;\t", key=header_line.count)
    reader = csv.reader(
        io.StringIO("\n".join(line for _, line in lines)), delimiter=delimiter
    )
    parsed = list(reader)
    header = [h.strip() for h in parsed[0]]
    if len(header) < 2:
        raise SociaparisError(
            MatrixError.BAD_CSV,
            location=Location(row=lines[0][0]),
            reason="The header names no dimension",
        )
    seen: set[str] = set()
    for column in header[1:]:
        if not column or column in seen:
            raise SociaparisError(
                MatrixError.BAD_CSV,
                location=Location(row=lines[0][0], column=column),
                reason="A dimension name is blank or repeated",
            )
        seen.add(column)
    cases: list[str] = []
    values: list[tuple[str, ...]] = []
    rows: list[int] = []
    known: set[str] = set()
    for (number, _), cells in zip(lines[1:], parsed[1:], strict=True):
        if len(cells) > len(header):
            raise SociaparisError(
                MatrixError.BAD_CSV,
                location=Location(row=number),
                reason=f"The row has {len(cells)} cells but the header {len(header)}",
            )
        cells = [c.strip() for c in cells] + [""] * (len(header) - len(cells))
        name = cells[0]
        if not name or name.casefold() in known:
            raise SociaparisError(
                MatrixError.BAD_CSV,
                location=Location(row=number),
                reason=f"The case name {name!r} is blank or repeated",
            )
        known.add(name.casefold())
        cases.append(name)
        values.append(tuple(cells[1:]))
        rows.append(number)
    return HandMatrix(
        header[0], tuple(cases), tuple(header[1:]), tuple(values), tuple(rows)
    )
