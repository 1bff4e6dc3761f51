"""Code x case and code x attribute matrices, with the segments behind each cell.

One grouped join reads (coding, code, column) triples; counts, numbers of
documents and the coding GUIDs of each cell are gathered from it.  A document in
several cases counts in each of them; a document in no case (or a case without
the attribute) is left out.  Exports to CSV and XLSX are protected against CSV
injection: a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return gets a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from sociaparis.accounts.service import Account
from sociaparis.core.errors import SociaparisError
from sociaparis.core.spreadsheets import neutralize_formula
from sociaparis.qual.codebook_service import _all_codes, _path, code_row, list_codes
from sociaparis.qual.corpus import decode_value, variable_id
from sociaparis.qual.corpus_errors import CorpusError
from sociaparis.qual.io.codebook import PATH_SEPARATOR
from sociaparis.qual.models import (
    QualCase,
    QualCaseDocument,
    QualCaseValue,
    QualCoding,
    QualVariable,
)
from sociaparis.qual.retrieval import coder_filter

Measure = Literal["codings", "documents"]


@dataclass(frozen=True, slots=True)
class MatrixResult:
    """A code x column matrix (columns are cases or values of an attribute).

    Attributes
    ----------
    rows
        Code paths (``"A > B"``), in codebook order.
    columns
        Case names, or attribute values, in order.
    codings
        Number of codings per cell.
    documents
        Number of distinct documents per cell.
    segments
        ``{(row, column): coding GUIDs}`` behind each non-empty cell.
    by
        ``"case"`` or the attribute's name.
    include_subcodes
        Whether a code's row also counts the codings of its sub-codes.
    """

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    codings: pd.DataFrame
    documents: pd.DataFrame
    segments: Mapping[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    by: str = "case"
    include_subcodes: bool = False
    coder: str | None = None

    def to_frame(self, measure: Measure = "codings") -> pd.DataFrame:
        """The table of ``codings`` or ``documents`` (rows: codes)."""
        if measure not in ("codings", "documents"):
            raise SociaparisError(
                CorpusError.BAD_OPTION,
                name="measure",
                choices="codings, documents",
                value=measure,
            )
        return self.codings if measure == "codings" else self.documents

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: both tables and the segments of each cell."""
        return {
            "by": self.by,
            "include_subcodes": self.include_subcodes,
            "coder": self.coder,
            "rows": list(self.rows),
            "columns": list(self.columns),
            "codings": self.codings.values.tolist(),
            "documents": self.documents.values.tolist(),
            "segments": [
                {"code": r, "column": c, "codings": list(g)}
                for (r, c), g in self.segments.items()
            ],
        }

    def _table(self, measure: Measure) -> list[list[Any]]:
        frame = self.to_frame(measure)
        header = ["code", *frame.columns]
        body = [[code, *(int(v) for v in row)] for code, row in zip(
            frame.index, frame.values, strict=True)]  # fmt: skip
        return [[neutralize_formula(v) for v in line] for line in [header, *body]]

    def to_csv(self, path: str | Path, *, measure: Measure = "codings") -> None:
        """Write one table as CSV (UTF-8 with BOM, injection-safe cells)."""
        Path(path).write_bytes(self.csv_bytes(measure=measure))

    def csv_bytes(self, *, measure: Measure = "codings") -> bytes:
        """One table as CSV bytes (UTF-8 with BOM, injection-safe cells)."""
        buffer = io.StringIO(newline="")
        csv.writer(buffer).writerows(self._table(measure))
        return buffer.getvalue().encode("utf-8-sig")

    def xlsx_bytes(self) -> bytes:
        """The workbook of :meth:`to_xlsx`, as bytes."""
        buffer = io.BytesIO()
        self.to_xlsx(buffer)
        return buffer.getvalue()

    def to_xlsx(self, path: str | Path | io.BytesIO) -> None:
        """Write an XLSX workbook: sheets ``codings``, ``documents`` and
        ``segments`` (one row per coding behind a cell)."""
        import openpyxl

        book = openpyxl.Workbook()
        first = book.active
        first.title = "codings"
        for line in self._table("codings"):
            first.append(line)
        sheet = book.create_sheet("documents")
        for line in self._table("documents"):
            sheet.append(line)
        sheet = book.create_sheet("segments")
        sheet.append(["code", self.by, "coding"])
        for (row, column), guids in self.segments.items():
            for guid in guids:
                sheet.append([neutralize_formula(row), neutralize_formula(column), guid])
        book.save(path)


def _ancestors(session: Session, include_subcodes: bool) -> dict[int, list[int]]:
    codes = _all_codes(session)
    out: dict[int, list[int]] = {}
    for code in codes.values():
        chain = [code.id]
        current = code.parent_id
        while include_subcodes and current is not None and current not in chain:
            chain.append(current)
            current = codes[current].parent_id
        out[code.id] = chain
    return out


def _build(
    session: Session,
    triples: Iterable[tuple[str, int, int, str]],
    columns: Sequence[str],
    *,
    codes: Sequence[str] | None,
    include_subcodes: bool,
    by: str,
    coder: str | None,
) -> MatrixResult:
    all_codes = _all_codes(session)
    chosen = (
        [code_row(session, c).id for c in codes]
        if codes
        else [c.id for c in list_codes(session=session)]
    )
    labels = {i: PATH_SEPARATOR.join(_path(all_codes, all_codes[i])) for i in chosen}
    ancestors = _ancestors(session, include_subcodes)
    cells: dict[tuple[int, str], list[str]] = defaultdict(list)
    docs: dict[tuple[int, str], set[int]] = defaultdict(set)
    for guid, code_id, document_id, column in triples:
        for target in ancestors.get(code_id, [code_id]):
            if target in labels:
                cells[(target, column)].append(guid)
                docs[(target, column)].add(document_id)
    rows = [labels[i] for i in chosen]
    count = pd.DataFrame(0, index=rows, columns=list(columns), dtype="int64")
    ndocs = count.copy()
    segments: dict[tuple[str, str], tuple[str, ...]] = {}
    position = {c: j for j, c in enumerate(columns)}
    for i, code_id in enumerate(chosen):
        for column in columns:
            guids = cells.get((code_id, column))
            if guids:
                count.iat[i, position[column]] = len(guids)
                ndocs.iat[i, position[column]] = len(docs[(code_id, column)])
                segments[(labels[code_id], column)] = tuple(guids)
    count.index.name = ndocs.index.name = "code"
    return MatrixResult(
        tuple(rows), tuple(columns), count, ndocs, segments, by, include_subcodes, coder
    )


def code_case_matrix(
    *,
    session: Session,
    codes: Sequence[str] | None = None,
    include_subcodes: bool = False,
    coder: str | None = None,
    viewer: Account | None = None,
) -> MatrixResult:
    """Codes x cases: codings, documents and segments per cell.

    Parameters
    ----------
    codes
        The codes to show (default: the whole codebook).
    include_subcodes
        Count the codings of sub-codes in their parents' rows too.
    coder
        Only the codings of this coder.
    viewer
        Only the codings this account may see (blind mode); ``None``: all.
    """
    columns = list(session.scalars(select(QualCase.name).order_by(QualCase.id)))
    query = select(
        QualCoding.guid, QualCoding.code_id, QualCoding.document_id, QualCase.name
    ).join(
        QualCaseDocument, QualCaseDocument.document_id == QualCoding.document_id
    ).join(QualCase, QualCase.id == QualCaseDocument.case_id)  # fmt: skip
    query = coder_filter(session, query, coder, viewer)
    return _build(
        session,
        session.execute(query),
        columns,
        codes=codes,
        include_subcodes=include_subcodes,
        by="case",
        coder=coder,
    )


def code_attribute_matrix(
    *,
    session: Session,
    attribute: str,
    codes: Sequence[str] | None = None,
    include_subcodes: bool = False,
    coder: str | None = None,
    viewer: Account | None = None,
) -> MatrixResult:
    """Codes x values of a case attribute (e.g. directorate, job category).

    Columns are the attribute's values in their natural order (numbers and dates
    sorted as such).  A coding counts once per case of its document.  ``viewer``
    as in :func:`code_case_matrix`.
    """
    var = variable_id(session=session, name=attribute, create=False)
    kind = session.scalar(select(QualVariable.type).where(QualVariable.id == var))
    values = set(
        session.scalars(
            select(QualCaseValue.value).where(QualCaseValue.variable_id == var).distinct()
        )
    )
    columns = sorted(values, key=lambda v: decode_value(v, kind or "Text"))
    query = (
        select(
            QualCoding.guid,
            QualCoding.code_id,
            QualCoding.document_id,
            QualCaseValue.value,
        )
        .join(QualCaseDocument, QualCaseDocument.document_id == QualCoding.document_id)
        .join(
            QualCaseValue,
            (QualCaseValue.case_id == QualCaseDocument.case_id)
            & (QualCaseValue.variable_id == var),
        )
    )
    query = coder_filter(session, query, coder, viewer)
    return _build(
        session,
        session.execute(query),
        columns,
        codes=codes,
        include_subcodes=include_subcodes,
        by=attribute,
        coder=coder,
    )
