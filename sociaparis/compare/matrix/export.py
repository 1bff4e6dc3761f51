"""Export a case matrix to CSV or XLSX, safe to open in a spreadsheet.

The CSV holds the matrix only (first column ``case``), so that it can be read
back by ``sociaparis cases import-csv`` and by ``sociaparis qca``.  The XLSX
workbook has three sheets: ``case matrix``, ``sources`` (one row per cell: its
value, source kind, the reference to its evidence, note, who and when) and
``dimensions``.  Text cells that a spreadsheet could run as a formula get a
leading apostrophe (:func:`~sociaparis.core.spreadsheets.neutralize_formula`).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from sociaparis.core.errors import SociaparisError
from sociaparis.core.spreadsheets import neutralize_formula

from .errors import MatrixError
from .service import CellInfo, frame_info, list_cells, matrix_frame
from .values import plain_number

SOURCE_COLUMNS = (
    "case",
    "dimension",
    "value",
    "source_kind",
    "evidence",
    "source",
    "note",
    "updated_by",
    "updated_at",
)


def _cell(value: Any) -> Any:
    """A matrix value for a file: ``None`` for missing, ``82`` for ``82.0``."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, float):
        return plain_number(value)
    return neutralize_formula(value)


def evidence_text(cell: CellInfo) -> str:
    """A one-line reference to a cell's evidence, for people.

    >>> from sociaparis.compare.matrix.service import CellInfo
    >>> evidence_text(CellInfo("Lyon", "D", "x", "text", "survey",
    ...     {"form_id": "f", "response": "r1", "question": "q"}, "", "", None))
    "response r1 to form 'f', question 'q'"
    """
    source = cell.source
    if cell.source_kind == "survey":
        choice = f", choice '{source['choice']}'" if source.get("choice") else ""
        return (
            f"response {source.get('response')} to form '{source.get('form_id')}', "
            f"question '{source.get('question')}'{choice}"
        )
    if cell.source_kind == "repeat":
        derived = f" ({source['derived']})" if source.get("derived") else ""
        return (
            f"response {source.get('response')} to form '{source.get('form_id')}', "
            f"repeat '{source.get('repeat')}' instance {source.get('instance')}, "
            f"question '{source.get('question')}'{derived}"
        )
    if cell.source_kind == "codes":
        codings = source.get("codings", [])
        documents = source.get("documents", [])
        return (
            f"code '{source.get('code')}' in qualitative case "
            f"'{source.get('qual_case')}': {len(codings)} coding(s) in "
            f"{len(documents)} document(s)"
            + (f": {' '.join(codings)}" if codings else "")
        )
    where = f" ({source['file']}, row {source.get('row')})" if source.get("file") else ""
    return f"entered by hand{where}"


def _matrix_rows(session: Session, frame: str) -> list[list[Any]]:
    matrix = matrix_frame(session=session, frame=frame)
    header = ["case", *(neutralize_formula(str(c)) for c in matrix.columns)]
    rows = [header]
    for name, values in zip(matrix.index, matrix.itertuples(index=False), strict=True):
        rows.append([neutralize_formula(str(name)), *(_cell(v) for v in values)])
    return rows


#: media types of the export formats
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def export_matrix(*, session: Session, frame: str, out: str | Path) -> Path:
    """Write the case matrix of ``frame`` to ``out`` (``.csv`` or ``.xlsx``).

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    SociaparisError
        ``CASES_012`` for another suffix, ``CASES_001``/``CASES_013``.
    """
    path = Path(out)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise SociaparisError(MatrixError.BAD_OUTPUT, path=path)
    path.write_bytes(matrix_bytes(session=session, frame=frame, fmt=suffix[1:]))
    return path


def matrix_bytes(*, session: Session, frame: str, fmt: str) -> bytes:
    """The case matrix of ``frame`` as the bytes of a ``csv`` or ``xlsx`` file, as
    :func:`export_matrix` writes them (for a download).

    Raises
    ------
    SociaparisError
        ``CASES_012`` for another format, ``CASES_001``/``CASES_013``.
    """
    if fmt not in MEDIA_TYPES:
        raise SociaparisError(MatrixError.BAD_OUTPUT, path=f"matrix.{fmt}")
    rows = _matrix_rows(session, frame)
    if fmt == "csv":
        handle = io.StringIO(newline="")
        csv.writer(handle).writerows(
            [["" if v is None else v for v in row] for row in rows]
        )
        return ("\ufeff" + handle.getvalue()).encode("utf-8")
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "case matrix"
    for row in rows:
        sheet.append(row)
    sources = book.create_sheet("sources")
    sources.append(list(SOURCE_COLUMNS))
    for cell in list_cells(session=session, frame=frame):
        sources.append(
            [
                neutralize_formula(cell.case),
                neutralize_formula(cell.dimension),
                _cell(cell.value),
                cell.source_kind,
                neutralize_formula(evidence_text(cell)),
                neutralize_formula(json.dumps(dict(cell.source), ensure_ascii=False)),
                neutralize_formula(cell.note),
                neutralize_formula(cell.updated_by),
                cell.updated_at.isoformat() if cell.updated_at else None,
            ]
        )
    dimensions = book.create_sheet("dimensions")
    dimensions.append(["dimension", "label", "value_type"])
    for name, label, kind in frame_info(session=session, frame=frame).dimensions:
        dimensions.append([neutralize_formula(name), neutralize_formula(label), kind])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
