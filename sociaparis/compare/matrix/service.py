"""Comparison frames and their case matrix: cases, dimensions, cells entered by hand.

Service functions take the session keyword-only and never commit.  Functions
that change a frame take the acting account and check its role.  Cells built from
survey responses and from codings are in :mod:`.sources`; exports in
:mod:`.export`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import Account
from sociaparis.compare.models import (
    CompareCase,
    CompareCell,
    CompareCellHistory,
    CompareDimension,
    CompareFrame,
)
from sociaparis.core.db import utcnow
from sociaparis.core.errors import Issue, Reason, SociaparisError

from .errors import MatrixError
from .values import (
    HandMatrix,
    ValueType,
    check_name,
    decode_value,
    encode_value,
    infer_type,
    is_empty,
    plain_number,
    read_matrix_csv,
    read_matrix_xlsx,
)

#: The longest reason kept with a change.
REASON_LIMIT = 2000
#: The largest case matrix file an import reads (a frame of thousands of cases).
MAX_IMPORT_BYTES = 10_000_000
#: The file types an import reads, by suffix.
IMPORT_SUFFIXES = (".csv", ".xlsx")

# ------------------------------------------------------------------ results


@dataclass(frozen=True, slots=True)
class CellInfo:
    """One cell of a case matrix and where its value comes from.

    Attributes
    ----------
    case, dimension
        The cell's case and dimension names.
    value
        A float for a ``number`` dimension, text otherwise.
    value_type
        ``number`` or ``text``.
    source_kind
        ``hand``, ``survey`` or ``codes``.
    source
        The reference to the evidence: ``{"form_id", "response", "question",
        "column", "choice"}`` for a survey answer; ``{"code", "measure",
        "qual_case", "codings", "documents", …}`` for codings; ``{}`` or
        ``{"file": …}`` by hand.
    note, updated_by, updated_at
        A free note, the account that set the value, and when.
    """

    case: str
    dimension: str
    value: float | str
    value_type: str
    source_kind: str
    source: Mapping[str, Any]
    note: str
    updated_by: str
    updated_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        value = self.value
        return {
            "case": self.case,
            "dimension": self.dimension,
            "value": plain_number(value) if isinstance(value, float) else value,
            "value_type": self.value_type,
            "source_kind": self.source_kind,
            "source": dict(self.source),
            "note": self.note,
            "updated_by": self.updated_by,
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
        }


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One change of a cell's value.

    Attributes
    ----------
    case, dimension
        The cell.
    old_value, new_value
        The stored texts before and after (``None``: no value).
    old_source_kind, new_source_kind
        ``hand``, ``survey`` or ``codes`` before and after (``None``: no value).
    reason
        Why, as the person wrote it (an import says which file and row).
    changed_by, changed_at
        Who made the change, and when.
    """

    case: str
    dimension: str
    old_value: str | None
    new_value: str | None
    old_source_kind: str | None
    new_source_kind: str | None
    reason: str
    changed_by: str
    changed_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "case": self.case,
            "dimension": self.dimension,
            "old_value": self.old_value,
            "new_value": self.new_value,
            "old_source_kind": self.old_source_kind,
            "new_source_kind": self.new_source_kind,
            "reason": self.reason,
            "changed_by": self.changed_by,
            "changed_at": self.changed_at.isoformat() if self.changed_at else None,
        }


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import into a frame did.

    Attributes
    ----------
    frame
        The frame's name.
    source_kind
        ``hand``, ``survey`` or ``codes``.
    cases
        The cases written, in order.
    dimensions
        The dimensions written, in order.
    created_cases
        How many of ``cases`` are new in the frame.
    cells
        How many cells were written (created or updated).
    warnings
        What was left out, and why.
    changes
        The cells whose value changed (created, replaced or removed), in order;
        the cells written again with the value they had are not in it.
    created_dimensions
        The dimensions that the import added to the frame.
    """

    frame: str
    source_kind: str
    cases: tuple[str, ...]
    dimensions: tuple[str, ...]
    created_cases: int
    cells: int
    warnings: list[Issue] = field(default_factory=list)
    changes: tuple[HistoryEntry, ...] = ()
    created_dimensions: tuple[str, ...] = ()

    @property
    def unchanged(self) -> int:
        """How many of the cells written kept the value they had."""
        return self.cells - sum(1 for c in self.changes if c.new_value is not None)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "frame": self.frame,
            "source_kind": self.source_kind,
            "cases": list(self.cases),
            "dimensions": list(self.dimensions),
            "created_cases": self.created_cases,
            "cells": self.cells,
            "warnings": [str(w) for w in self.warnings],
            "changes": [c.to_dict() for c in self.changes],
            "created_dimensions": list(self.created_dimensions),
            "unchanged": self.unchanged,
        }


@dataclass(frozen=True, slots=True)
class FrameInfo:
    """A frame with its cases (and the qualitative case each is linked to) and its
    dimensions (name, label, value type)."""

    name: str
    description: str
    cases: tuple[tuple[str, str | None], ...]
    dimensions: tuple[tuple[str, str, str], ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "name": self.name,
            "description": self.description,
            "cases": [{"name": n, "qual_case": q} for n, q in self.cases],
            "dimensions": [
                {"name": n, "label": label, "value_type": t}
                for n, label, t in self.dimensions
            ],
        }


# ------------------------------------------------------------------ permissions


def can_edit_matrix(role: Role | str) -> bool:
    """Whether ``role`` may create frames and set cells: the roles that may edit a
    codebook (researchers and administrators), as both fix the analytic scheme."""
    return Role(role).can_edit_codebook()


def require_editor(actor: Account, action: str) -> None:
    """Raise ``CASES_008`` unless ``actor`` may edit case matrices."""
    if not can_edit_matrix(actor.role):
        raise SociaparisError(
            MatrixError.NOT_ALLOWED,
            user=actor.username,
            role=str(actor.role),
            action=action,
        )


# ------------------------------------------------------------------ rows


def frame_row(session: Session, name: str) -> CompareFrame:
    """The frame called ``name``; ``CASES_001`` if none."""
    row = session.scalar(select(CompareFrame).where(CompareFrame.name == name))
    if row is None:
        known = session.scalars(
            select(CompareFrame.name).order_by(CompareFrame.name)
        ).all()
        raise SociaparisError(
            MatrixError.UNKNOWN_FRAME, frame=name, known=", ".join(known) or "none"
        )
    return row


def ensure_frame(
    *, session: Session, actor: Account, name: str, description: str | None = None
) -> CompareFrame:
    """The frame ``name``, created if new; ``description`` replaces the old one."""
    require_editor(actor, "edit comparison frames")
    name = check_name(name, "Frame")
    row = session.scalar(select(CompareFrame).where(CompareFrame.name == name))
    if row is None:
        row = CompareFrame(name=name, description=description or "", created_at=utcnow())
        session.add(row)
        session.flush()
    elif description is not None:
        row.description = description
    return row


def cases_of(session: Session, frame: CompareFrame) -> list[CompareCase]:
    """The cases of ``frame``, in order."""
    return list(
        session.scalars(
            select(CompareCase)
            .where(CompareCase.frame_id == frame.id)
            .order_by(CompareCase.position, CompareCase.id)
        )
    )


def dimensions_of(session: Session, frame: CompareFrame) -> list[CompareDimension]:
    """The dimensions of ``frame``, in order."""
    return list(
        session.scalars(
            select(CompareDimension)
            .where(CompareDimension.frame_id == frame.id)
            .order_by(CompareDimension.position, CompareDimension.id)
        )
    )


def case_row(session: Session, frame: CompareFrame, name: str) -> CompareCase:
    """The case ``name`` of ``frame`` (case-insensitive); ``CASES_002`` if none."""
    cases = cases_of(session, frame)
    for case in cases:
        if case.name.casefold() == name.strip().casefold():
            return case
    raise SociaparisError(
        MatrixError.UNKNOWN_CASE,
        frame=frame.name,
        case=name,
        known=", ".join(c.name for c in cases) or Reason(en="none", fr="aucun"),
    )


def dimension_row(session: Session, frame: CompareFrame, name: str) -> CompareDimension:
    """The dimension ``name`` of ``frame``; ``CASES_003`` if none."""
    dimensions = dimensions_of(session, frame)
    for dimension in dimensions:
        if dimension.name == name:
            return dimension
    raise SociaparisError(
        MatrixError.UNKNOWN_DIMENSION,
        frame=frame.name,
        dimension=name,
        known=", ".join(d.name for d in dimensions) or Reason(en="none", fr="aucune"),
    )


def ensure_case(
    session: Session, frame: CompareFrame, name: str
) -> tuple[CompareCase, bool]:
    """The case ``name`` of ``frame`` (matched case-insensitively), created at the
    end if new; returns it and whether it is new."""
    name = check_name(name, "Case")
    try:
        return case_row(session, frame, name), False
    except SociaparisError:
        pass
    position = session.scalar(
        select(func.coalesce(func.max(CompareCase.position), -1)).where(
            CompareCase.frame_id == frame.id
        )
    )
    case = CompareCase(frame_id=frame.id, name=name, position=int(position) + 1)
    session.add(case)
    session.flush()
    return case, True


def ensure_dimension(
    session: Session,
    frame: CompareFrame,
    name: str,
    value_type: ValueType,
    *,
    label: str | None = None,
    source: str = "this import",
) -> CompareDimension:
    """The dimension ``name`` of ``frame``, created if new.

    A ``text`` dimension takes numbers (as text); a ``number`` dimension that
    receives text raises ``CASES_010``, unless it has no cell yet (then it becomes
    ``text``).
    """
    name = check_name(name, "Dimension")
    found = session.scalar(
        select(CompareDimension).where(
            CompareDimension.frame_id == frame.id, CompareDimension.name == name
        )
    )
    if found is None:
        position = session.scalar(
            select(func.coalesce(func.max(CompareDimension.position), -1)).where(
                CompareDimension.frame_id == frame.id
            )
        )
        found = CompareDimension(
            frame_id=frame.id,
            name=name,
            label=label or "",
            value_type=value_type,
            position=int(position) + 1,
        )
        session.add(found)
        session.flush()
        return found
    if found.value_type == "number" and value_type == "text":
        used = session.scalar(
            select(func.count(CompareCell.id)).where(CompareCell.dimension_id == found.id)
        )
        if used:
            raise SociaparisError(
                MatrixError.TYPE_CONFLICT,
                dimension=name,
                existing="number",
                source=source,
                new="text",
            )
        found.value_type = "text"
    if label:
        found.label = label
    return found


def stored_text(dimension: CompareDimension, value: Any) -> str:
    """The text that :func:`write_cell` stores for ``value`` in ``dimension``."""
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    if dimension.value_type == "number" or numeric:
        return encode_value(value, "number", dimension=dimension.name)
    return str(value)


def _cell_row(
    session: Session, case: CompareCase, dimension: CompareDimension
) -> CompareCell | None:
    return session.scalar(
        select(CompareCell).where(
            CompareCell.case_id == case.id, CompareCell.dimension_id == dimension.id
        )
    )


def _record(
    session: Session,
    case: CompareCase,
    dimension: CompareDimension,
    old: tuple[str, str] | None,
    new: tuple[str, str] | None,
    *,
    actor: Account,
    reason: str,
    changes: list[HistoryEntry] | None,
) -> None:
    """Add a history row when the value or its source kind changed."""
    if old == new:
        return
    when = utcnow()
    session.add(
        CompareCellHistory(
            case_id=case.id,
            dimension_id=dimension.id,
            old_value=old[0] if old else None,
            new_value=new[0] if new else None,
            old_source_kind=old[1] if old else None,
            new_source_kind=new[1] if new else None,
            reason=reason,
            changed_by=actor.username,
            changed_at=when,
        )
    )
    if changes is not None:
        changes.append(
            HistoryEntry(
                case.name,
                dimension.name,
                old[0] if old else None,
                new[0] if new else None,
                old[1] if old else None,
                new[1] if new else None,
                reason,
                actor.username,
                when,
            )
        )


def write_cell(
    session: Session,
    case: CompareCase,
    dimension: CompareDimension,
    value: Any,
    *,
    source_kind: str,
    source: Mapping[str, Any],
    actor: Account,
    note: str | None = None,
    reason: str = "",
    changes: list[HistoryEntry] | None = None,
) -> CompareCell:
    """Create or update the cell (case, dimension): value, source, who and when.

    ``note`` replaces the cell's note when given, else the note is kept.  When the
    value or its source kind changes, a history row keeps the old and new value,
    ``reason``, who and when (and is appended to ``changes`` when given).
    """
    text = stored_text(dimension, value)
    cell = _cell_row(session, case, dimension)
    old = (cell.value, cell.source_kind) if cell is not None else None
    if cell is None:
        cell = CompareCell(case_id=case.id, dimension_id=dimension.id, note="")
        session.add(cell)
    cell.value = text
    cell.source_kind = source_kind
    cell.source = dict(source)
    if note is not None:
        cell.note = note
    cell.updated_by = actor.username
    cell.updated_at = utcnow()
    _record(session, case, dimension, old, (text, source_kind), actor=actor,
            reason=reason, changes=changes)  # fmt: skip
    session.flush()
    return cell


def delete_cell(
    session: Session,
    case: CompareCase,
    dimension: CompareDimension,
    *,
    actor: Account | None = None,
    reason: str = "",
    changes: list[HistoryEntry] | None = None,
) -> bool:
    """Remove the cell (case, dimension); returns whether there was one.  With
    ``actor``, the removal is kept in the cell's history with ``reason``."""
    cell = _cell_row(session, case, dimension)
    if cell is None:
        return False
    if actor is not None:
        _record(session, case, dimension, (cell.value, cell.source_kind), None,
                actor=actor, reason=reason, changes=changes)  # fmt: skip
    session.delete(cell)
    session.flush()
    return True


# ------------------------------------------------------------------ by hand


def import_csv(
    *,
    session: Session,
    actor: Account,
    frame: str,
    data: bytes | str,
    filename: str = "",
    description: str | None = None,
) -> ImportResult:
    """Import a hand-made case matrix (CSV) into ``frame``, created if new.

    The first column names the cases, every other column is a dimension (``number``
    when all its values are numbers). Re-importing updates the cells it gives
    (value, source, who, when) and creates none twice; blank values are skipped.
    A value equal to the one a survey response or codings gave is left with its
    evidence (so that an exported matrix imports back without a change).  Each
    changed value is kept in its cell's history, with the file and row as the
    reason.

    Raises
    ------
    SociaparisError
        ``CASES_007`` (unreadable CSV), ``CASES_010`` (text in a number
        dimension), ``CASES_008`` (role).
    """
    require_editor(actor, "import a case matrix")
    matrix = read_matrix_csv(data)
    return _import_hand_matrix(session, actor, frame, matrix, filename, description)


def import_file(
    *,
    session: Session,
    actor: Account,
    frame: str,
    data: bytes,
    filename: str,
    description: str | None = None,
) -> ImportResult:
    """Import a case matrix from a ``.csv`` file or an ``.xlsx`` workbook.

    A workbook is read from its sheet ``case matrix`` (as
    :func:`~.export.export_matrix` writes it) or else its first sheet, in the
    layout of a CSV; the import is then that of :func:`import_csv`.  Nothing is
    written when the file is refused.

    Raises
    ------
    SociaparisError
        ``CASES_052`` (another file type), ``CASES_053`` (larger than
        :data:`MAX_IMPORT_BYTES`), ``CASES_054`` (not a workbook), the errors of
        :func:`import_csv`.
    """
    require_editor(actor, "import a case matrix")
    suffix = "." + filename.rpartition(".")[2].lower() if "." in filename else ""
    if suffix not in IMPORT_SUFFIXES:
        raise SociaparisError(MatrixError.BAD_IMPORT_FILE, filename=filename)
    if len(data) > MAX_IMPORT_BYTES:
        raise SociaparisError(
            MatrixError.FILE_TOO_LARGE,
            filename=filename,
            size=len(data),
            limit=MAX_IMPORT_BYTES,
        )
    if suffix == ".xlsx":
        matrix = read_matrix_xlsx(data, filename=filename)
    else:
        matrix = read_matrix_csv(data)
    return _import_hand_matrix(session, actor, frame, matrix, filename, description)


def _import_hand_matrix(
    session: Session,
    actor: Account,
    frame: str,
    matrix: HandMatrix,
    filename: str,
    description: str | None,
) -> ImportResult:
    row = ensure_frame(session=session, actor=actor, name=frame, description=description)
    known = {d.name for d in dimensions_of(session, row)}
    dimensions = [
        ensure_dimension(
            session, row, name, infer_type(matrix.column(j)), source=filename or "the CSV"
        )
        for j, name in enumerate(matrix.dimensions)
    ]
    created = written = 0
    changes: list[HistoryEntry] = []
    source = {"file": filename} if filename else {}
    for name, values, line in zip(matrix.cases, matrix.values, matrix.rows, strict=True):
        case, new = ensure_case(session, row, name)
        created += new
        for dimension, value in zip(dimensions, values, strict=True):
            if is_empty(value):
                continue
            written += 1
            kept = _cell_row(session, case, dimension)
            if (
                kept is not None
                and kept.source_kind != "hand"
                and kept.value == stored_text(dimension, value)
            ):
                continue  # the same value: it keeps its survey or codings evidence
            write_cell(
                session,
                case,
                dimension,
                value,
                source_kind="hand",
                source={**source, "row": line} if source else {"row": line},
                actor=actor,
                reason=f"import of {filename or 'a CSV'}, row {line}",
                changes=changes,
            )
    return ImportResult(
        row.name, "hand", matrix.cases, matrix.dimensions, created, written, [],
        tuple(changes), tuple(n for n in matrix.dimensions if n not in known),
    )  # fmt: skip


def check_reason(reason: str | None) -> str:
    """``reason`` stripped (``""`` for none); ``CASES_051`` when too long."""
    text = (reason or "").strip()
    if len(text) > REASON_LIMIT:
        raise SociaparisError(
            MatrixError.REASON_TOO_LONG, length=len(text), limit=REASON_LIMIT
        )
    return text


def set_cell(
    *,
    session: Session,
    actor: Account,
    frame: str,
    case: str,
    dimension: str,
    value: Any,
    note: str | None = None,
    label: str | None = None,
    reason: str | None = None,
) -> CellInfo:
    """Enter one value by hand (the case and the dimension are created if new).

    A value that replaces another one (or one from a survey or codings) needs a
    ``reason``; the change is kept in the cell's history (who, when, old value,
    new value, reason).  A first value may have a reason.

    Raises
    ------
    SociaparisError
        ``CASES_001`` (unknown frame), ``CASES_006`` (text in a number dimension),
        ``CASES_050`` (a change without a reason), ``CASES_051`` (a reason too
        long), ``CASES_008`` (role).
    """
    require_editor(actor, "edit a case matrix")
    why = check_reason(reason)
    row = frame_row(session, frame)
    found, _ = ensure_case(session, row, case)
    dim = ensure_dimension(session, row, dimension, infer_type([value]), label=label)
    existing = _cell_row(session, found, dim)
    if existing is not None and not why:
        new = stored_text(dim, value)
        if (existing.value, existing.source_kind) != (new, "hand"):
            raise SociaparisError(
                MatrixError.REASON_REQUIRED,
                case=found.name,
                dimension=dim.name,
                old=repr(existing.value),
                new=repr(new),
                limit=REASON_LIMIT,
            )
    write_cell(
        session, found, dim, value, source_kind="hand", source={}, actor=actor,
        note=note, reason=why,
    )  # fmt: skip
    return get_cell(session=session, frame=frame, case=found.name, dimension=dim.name)


def cell_history(
    *,
    session: Session,
    frame: str,
    case: str | None = None,
    dimension: str | None = None,
) -> list[HistoryEntry]:
    """The changes of a frame's cells, newest first.

    Parameters
    ----------
    frame
        The frame's name.
    case, dimension
        Only the changes of this case, of this dimension (both: one cell).

    Raises
    ------
    SociaparisError
        ``CASES_001``, ``CASES_002``, ``CASES_003``.
    """
    row = frame_row(session, frame)
    cases = {c.id: c for c in cases_of(session, row)}
    dims = {d.id: d for d in dimensions_of(session, row)}
    query = select(CompareCellHistory).where(
        CompareCellHistory.case_id.in_(list(cases) or [-1])
    )
    if case is not None:
        query = query.where(CompareCellHistory.case_id == case_row(session, row, case).id)
    if dimension is not None:
        query = query.where(
            CompareCellHistory.dimension_id == dimension_row(session, row, dimension).id
        )
    query = query.order_by(
        CompareCellHistory.changed_at.desc(), CompareCellHistory.id.desc()
    )
    return [
        HistoryEntry(
            cases[h.case_id].name,
            dims[h.dimension_id].name,
            h.old_value,
            h.new_value,
            h.old_source_kind,
            h.new_source_kind,
            h.reason or "",
            h.changed_by or "",
            h.changed_at,
        )
        for h in session.scalars(query)
    ]


def link_case(
    *, session: Session, actor: Account, frame: str, case: str, qual_case: int | None
) -> None:
    """Link a case to the qualitative case (id) whose documents are its interviews,
    or unlink it (``None``)."""
    require_editor(actor, "link cases")
    found = case_row(session, frame_row(session, frame), case)
    found.qual_case_id = qual_case
    session.flush()


# ------------------------------------------------------------------ reading


def _cell_info(
    case: CompareCase, dimension: CompareDimension, cell: CompareCell
) -> CellInfo:
    return CellInfo(
        case.name,
        dimension.name,
        decode_value(cell.value, dimension.value_type),
        dimension.value_type,
        cell.source_kind,
        dict(cell.source or {}),
        cell.note or "",
        cell.updated_by or "",
        cell.updated_at,
    )


def list_frames(*, session: Session) -> list[str]:
    """The names of every frame, sorted."""
    return list(session.scalars(select(CompareFrame.name).order_by(CompareFrame.name)))


@dataclass(frozen=True, slots=True)
class FrameSummary:
    """A frame's name and description with its numbers of cases, dimensions and
    cells (how full the matrix is)."""

    name: str
    description: str
    cases: int
    dimensions: int
    cells: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "name": self.name,
            "description": self.description,
            "cases": self.cases,
            "dimensions": self.dimensions,
            "cells": self.cells,
        }


def frame_summaries(*, session: Session) -> list[FrameSummary]:
    """Every frame with its counts, sorted by name (three grouped queries)."""
    cases = dict(
        session.execute(
            select(CompareCase.frame_id, func.count(CompareCase.id)).group_by(
                CompareCase.frame_id
            )
        ).all()
    )
    dims = dict(
        session.execute(
            select(CompareDimension.frame_id, func.count(CompareDimension.id)).group_by(
                CompareDimension.frame_id
            )
        ).all()
    )
    cells = dict(
        session.execute(
            select(CompareCase.frame_id, func.count(CompareCell.id))
            .join(CompareCell, CompareCell.case_id == CompareCase.id)
            .group_by(CompareCase.frame_id)
        ).all()
    )
    return [
        FrameSummary(
            f.name,
            f.description or "",
            cases.get(f.id, 0),
            dims.get(f.id, 0),
            cells.get(f.id, 0),
        )  # fmt: skip
        for f in session.scalars(select(CompareFrame).order_by(CompareFrame.name))
    ]


def frame_info(*, session: Session, frame: str) -> FrameInfo:
    """A frame's cases (with their linked qualitative case) and dimensions."""
    from sociaparis.qual.service import get_case

    row = frame_row(session, frame)
    cases = tuple(
        (
            c.name,
            get_case(session=session, ref=c.qual_case_id).name
            if c.qual_case_id is not None
            else None,
        )
        for c in cases_of(session, row)
    )
    dims = tuple((d.name, d.label, d.value_type) for d in dimensions_of(session, row))
    return FrameInfo(row.name, row.description, cases, dims)


def list_cells(*, session: Session, frame: str) -> list[CellInfo]:
    """Every cell of a frame, by case then dimension order."""
    row = frame_row(session, frame)
    cases = {c.id: c for c in cases_of(session, row)}
    dims = {d.id: d for d in dimensions_of(session, row)}
    cells = session.scalars(
        select(CompareCell).where(CompareCell.case_id.in_(list(cases) or [-1]))
    ).all()
    infos = [_cell_info(cases[c.case_id], dims[c.dimension_id], c) for c in cells]
    order_case = {c.name: c.position for c in cases.values()}
    order_dim = {d.name: d.position for d in dims.values()}
    return sorted(infos, key=lambda i: (order_case[i.case], order_dim[i.dimension]))


def get_cell(*, session: Session, frame: str, case: str, dimension: str) -> CellInfo:
    """One cell; ``CASES_002``/``CASES_003`` for an unknown case or dimension,
    ``CASES_014`` when the case has no value for it."""
    row = frame_row(session, frame)
    found = case_row(session, row, case)
    dim = dimension_row(session, row, dimension)
    cell = session.scalar(
        select(CompareCell).where(
            CompareCell.case_id == found.id, CompareCell.dimension_id == dim.id
        )
    )
    if cell is None:
        raise SociaparisError(
            MatrixError.EMPTY_CELL, frame=row.name, case=found.name, dimension=dim.name
        )
    return _cell_info(found, dim, cell)


def matrix_frame(
    *, session: Session, frame: str, dimensions: Sequence[str] | None = None
) -> pd.DataFrame:
    """The case matrix as a DataFrame for the QCA engine.

    Parameters
    ----------
    frame
        The frame's name.
    dimensions
        The dimensions to keep, in this order (default: all, in frame order).

    Returns
    -------
    pandas.DataFrame
        One row per case (index ``case``: case names in frame order), one column
        per dimension: ``float64`` for ``number`` dimensions, text (``object``)
        otherwise; a missing cell is ``NaN``/``None``.

    Raises
    ------
    SociaparisError
        ``CASES_001``, ``CASES_003`` (unknown dimension), ``CASES_013`` (no case).
    """
    row = frame_row(session, frame)
    cases = cases_of(session, row)
    if not cases:
        raise SociaparisError(MatrixError.EMPTY_FRAME, frame=row.name)
    dims = dimensions_of(session, row)
    if dimensions is not None:
        dims = [dimension_row(session, row, name) for name in dimensions]
    position = {c.id: i for i, c in enumerate(cases)}
    columns: dict[int, list[Any]] = {d.id: [None] * len(cases) for d in dims}
    kinds = {d.id: d.value_type for d in dims}
    query = select(
        CompareCell.case_id, CompareCell.dimension_id, CompareCell.value
    ).where(
        CompareCell.case_id.in_(list(position)),
        CompareCell.dimension_id.in_(list(columns) or [-1]),
    )
    for case_id, dim_id, text in session.execute(query):
        columns[dim_id][position[case_id]] = decode_value(text, kinds[dim_id])
    data = {
        d.name: pd.Series(
            columns[d.id], dtype="float64" if d.value_type == "number" else "object"
        )
        for d in dims
    }
    out = pd.DataFrame(data)
    out.index = pd.Index([c.name for c in cases], name="case")
    return out
