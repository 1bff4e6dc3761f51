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
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from sociaparis.core.errors import Location, Reason, SociaparisError
from sociaparis.core.spreadsheets import restore_formula

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
    else Windows-1252.  A cell that an export protected from spreadsheets with a
    leading apostrophe (``'=SUM(A1)``) reads back as it was (``=SUM(A1)``).

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
        raise SociaparisError(
            MatrixError.BAD_CSV,
            reason=Reason(
                en="The file has no header line",
                fr="Le fichier n'a pas de ligne d'en-tête",
            ),
        )
    header_line = lines[0][1]
    delimiter = max(",;\t", key=header_line.count)
    reader = csv.reader(
        io.StringIO("\n".join(line for _, line in lines)), delimiter=delimiter
    )
    return matrix_from_rows(
        [(number, cells) for (number, _), cells in zip(lines, reader, strict=True)]
    )


def spreadsheet_text(value: Any) -> str:
    """The text of a spreadsheet cell as a matrix value: ``82`` for ``82.0``.

    >>> spreadsheet_text(82.0), spreadsheet_text(8.5), spreadsheet_text(None)
    ('82', '8.5', '')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return str(plain_number(float(value)))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def read_matrix_xlsx(data: bytes, *, filename: str = "matrix.xlsx") -> HandMatrix:
    """Read a case matrix from a workbook: the sheet ``case matrix`` (the one an
    export writes), else the first sheet, in the layout of :func:`read_matrix_csv`.

    The workbook is checked as a zip first, so that a zip bomb is refused before
    openpyxl inflates it; formulas are read as their saved values.

    Raises
    ------
    SociaparisError
        ``CORE_010``-``CORE_014`` (not a safe zip), ``CASES_054`` (not a
        workbook), ``CASES_007`` (the layout).
    """
    import openpyxl

    from sociaparis.core.archives import check_archive

    check_archive(data, path=filename, format="XLSX")
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (KeyError, ValueError, OSError, zipfile.BadZipFile) as exc:
        raise SociaparisError(
            MatrixError.BAD_XLSX, filename=filename, reason=str(exc)
        ) from None
    try:
        sheet = book["case matrix"] if "case matrix" in book.sheetnames else book.active
        rows: list[tuple[int, list[str]]] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [spreadsheet_text(v) for v in values]
            while cells and not cells[-1].strip():
                cells.pop()
            if not cells or cells[0].lstrip().startswith("#"):
                continue
            rows.append((number, cells))
    finally:
        book.close()
    if not rows:
        raise SociaparisError(
            MatrixError.BAD_CSV,
            reason=Reason(
                en="The sheet has no header line",
                fr="La feuille n'a pas de ligne d'en-tête",
            ),
        )
    return matrix_from_rows(rows)


def matrix_from_rows(rows: list[tuple[int, list[str]]]) -> HandMatrix:
    """A :class:`HandMatrix` from numbered rows of texts, the first the header.

    Raises
    ------
    SociaparisError
        ``CASES_007`` as :func:`read_matrix_csv`.
    """
    header = [restore_formula(h.strip()) for h in rows[0][1]]
    if len(header) < 2:
        raise SociaparisError(
            MatrixError.BAD_CSV,
            location=Location(row=rows[0][0]),
            reason=Reason(
                en="The header names no dimension",
                fr="L'en-tête ne nomme aucune dimension",
            ),
        )
    seen: set[str] = set()
    for column in header[1:]:
        if not column or column in seen:
            raise SociaparisError(
                MatrixError.BAD_CSV,
                location=Location(row=rows[0][0], column=column),
                reason=Reason(
                    en="A dimension name is blank or repeated",
                    fr="Un nom de dimension est vide ou répété",
                ),
            )
        seen.add(column)
    cases: list[str] = []
    values: list[tuple[str, ...]] = []
    numbers: list[int] = []
    known: set[str] = set()
    for number, cells in rows[1:]:
        if len(cells) > len(header):
            raise SociaparisError(
                MatrixError.BAD_CSV,
                location=Location(row=number),
                reason=Reason(
                    en=f"The row has {len(cells)} cells but the header {len(header)}",
                    fr=f"La ligne a {len(cells)} cellules, mais l'en-tête {len(header)}",
                ),
            )
        cells = [restore_formula(c.strip()) for c in cells]
        cells += [""] * (len(header) - len(cells))
        name = cells[0]
        if not name or name.casefold() in known:
            raise SociaparisError(
                MatrixError.BAD_CSV,
                location=Location(row=number),
                reason=Reason(
                    en=f"The case name {name!r} is blank or repeated",
                    fr=f"Le nom de cas {name!r} est vide ou répété",
                ),
            )
        known.add(name.casefold())
        cases.append(name)
        values.append(tuple(cells[1:]))
        numbers.append(number)
    return HandMatrix(
        header[0], tuple(cases), tuple(header[1:]), tuple(values), tuple(numbers)
    )
