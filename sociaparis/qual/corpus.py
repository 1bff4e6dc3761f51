"""The stored corpus: actors and permissions, history, cases, documents.

Service functions take the session as a keyword-only argument and never commit;
those that change something take the acting :class:`~sociaparis.accounts.service.Account`
and check its role.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.orm import Session

from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import Account, find_account
from sociaparis.core.db import utcnow
from sociaparis.core.errors import Issue, Reason, SociaparisError
from sociaparis.qual.corpus_errors import CorpusError
from sociaparis.qual.document import ImportedDocument
from sociaparis.qual.models import (
    QualCase,
    QualCaseDocument,
    QualCaseValue,
    QualCoder,
    QualDocument,
    QualEvent,
    QualTurn,
    QualVariable,
)

#: document statuses, in workflow order
STATUSES = ("imported", "under_review", "released")


def new_guid() -> str:
    """A fresh upper-case GUID, as REFI-QDA tools write them."""
    return str(uuid.uuid4()).upper()


# ------------------------------------------------------------------ permissions


def require(actor: Account, permitted: bool, action: str) -> None:
    """Raise ``QUAL_200`` unless ``permitted`` (a ``role.can_*()`` answer)."""
    if not permitted:
        raise SociaparisError(
            CorpusError.NOT_ALLOWED, user=actor.username, role=actor.role, action=action
        )


def can_manage(actor: Account) -> bool:
    """Import documents, review pseudonymization, edit cases: researchers, admins."""
    return Role(actor.role).can_edit_codebook()


_CODER_OF_ACCOUNT = select(QualCoder.id).where(
    QualCoder.account_id == bindparam("account_id")
)


def coder_id(*, session: Session, actor: Account) -> int:
    """The coder row of ``actor``'s account, created on first use."""
    # A statement built once, run on the connection: it is on every coding's path.
    found = (
        session.connection().execute(_CODER_OF_ACCOUNT, {"account_id": actor.id}).scalar()
    )
    if found is not None:
        return found
    coder = QualCoder(
        guid=new_guid(),
        name=actor.display_name or actor.username,
        login=actor.username,
        account_id=actor.id,
    )
    session.add(coder)
    session.flush()
    return coder.id


# ------------------------------------------------------------------ history


@dataclass(frozen=True, slots=True)
class HistoryEvent:
    """One entry of the coding history."""

    at: datetime
    actor: str
    kind: str
    document_guid: str | None
    code_guid: str | None
    coding_guid: str | None
    details: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (time as ISO 8601)."""
        return {
            "at": self.at.isoformat(),
            "actor": self.actor,
            "kind": self.kind,
            "document": self.document_guid,
            "code": self.code_guid,
            "coding": self.coding_guid,
            "details": dict(self.details),
        }


def record(
    *,
    session: Session,
    actor: Account | str,
    kind: str,
    document_guid: str | None = None,
    code_guid: str | None = None,
    coding_guid: str | None = None,
    **details: Any,
) -> None:
    """Append one event to the history."""
    record_many(
        session=session,
        actor=actor,
        kind=kind,
        rows=[
            {
                "document_guid": document_guid,
                "code_guid": code_guid,
                "coding_guid": coding_guid,
                "details": details,
            }
        ],
    )


def record_many(
    *,
    session: Session,
    actor: Account | str,
    kind: str,
    rows: Sequence[Mapping[str, Any]],
) -> None:
    """Append events of one ``kind`` in one executemany (bulk operations)."""
    if not rows:
        return
    name = actor if isinstance(actor, str) else actor.username
    now = utcnow()
    session.execute(
        insert(QualEvent.__table__),
        [
            {
                "at": now,
                "actor": name,
                "kind": kind,
                "document_guid": row.get("document_guid"),
                "code_guid": row.get("code_guid"),
                "coding_guid": row.get("coding_guid"),
                "details": dict(row.get("details") or {}),
            }
            for row in rows
        ],
    )


def history(
    *,
    session: Session,
    kind: str | None = None,
    code_guid: str | None = None,
    document_guid: str | None = None,
    actor: str | None = None,
) -> list[HistoryEvent]:
    """The history, oldest first, optionally filtered."""
    query = select(QualEvent).order_by(QualEvent.id)
    if kind is not None:
        query = query.where(QualEvent.kind == kind)
    if code_guid is not None:
        query = query.where(QualEvent.code_guid == code_guid)
    if document_guid is not None:
        query = query.where(QualEvent.document_guid == document_guid)
    if actor is not None:
        query = query.where(QualEvent.actor == actor)
    return [
        HistoryEvent(
            e.at, e.actor, e.kind, e.document_guid, e.code_guid, e.coding_guid, e.details
        )
        for e in session.scalars(query)
    ]


# ------------------------------------------------------------------ attribute values


def value_type(value: Any) -> str:
    """The REFI-QDA variable type of a Python value."""
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Integer"
    if isinstance(value, float):
        return "Float"
    if isinstance(value, datetime):
        return "DateTime"
    if isinstance(value, date):
        return "Date"
    return "Text"


def encode_value(value: Any) -> str:
    """The canonical text stored for a value (``true``, ``12``, ``2025-03-01``…)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def decode_value(text: str, kind: str) -> Any:
    """The Python value of stored text for a variable of type ``kind``."""
    if kind == "Boolean":
        return text == "true"
    if kind == "Integer":
        return int(text)
    if kind == "Float":
        return float(text)
    if kind == "Date":
        return date.fromisoformat(text)
    if kind == "DateTime":
        return datetime.fromisoformat(text)
    return text


def variable_id(
    *, session: Session, name: str, kind: str = "Text", create: bool = True
) -> int:
    """The id of the attribute ``name`` (created with type ``kind`` if new)."""
    found = session.scalar(select(QualVariable.id).where(QualVariable.name == name))
    if found is not None:
        return found
    if not create:
        known = ", ".join(session.scalars(select(QualVariable.name))) or Reason(
            en="none", fr="aucun"
        )
        raise SociaparisError(CorpusError.UNKNOWN_VARIABLE, ref=name, known=known)
    variable = QualVariable(guid=new_guid(), name=name, type=kind)
    session.add(variable)
    session.flush()
    return variable.id


# ------------------------------------------------------------------ cases


@dataclass(frozen=True, slots=True)
class CaseInfo:
    """A case with its attributes and documents."""

    id: int
    guid: str
    name: str
    kind: str
    description: str
    attributes: Mapping[str, Any]
    documents: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "guid": self.guid,
            "name": self.name,
            "kind": self.kind,
            "description": self.description,
            "attributes": {k: encode_value(v) for k, v in self.attributes.items()},
            "documents": list(self.documents),
        }


def _case(session: Session, ref: str | int) -> QualCase:
    if isinstance(ref, int):
        case = session.get(QualCase, ref)
    else:
        case = session.scalar(
            select(QualCase).where((QualCase.name == ref) | (QualCase.guid == ref))
        )
    if case is None:
        raise SociaparisError(CorpusError.UNKNOWN_CASE, ref=ref)
    return case


def ensure_case(
    *,
    session: Session,
    actor: Account,
    name: str,
    kind: str = "",
    description: str = "",
    attributes: Mapping[str, Any] | None = None,
) -> CaseInfo:
    """Return the case ``name``, creating it (with ``kind``) if it does not exist;
    ``attributes`` are set on it either way."""
    require(actor, can_manage(actor), "create or edit cases")
    case = session.scalar(select(QualCase).where(QualCase.name == name))
    if case is None:
        case = QualCase(guid=new_guid(), name=name, kind=kind, description=description)
        session.add(case)
        session.flush()
        record(session=session, actor=actor, kind="create_case", name=name)
    if attributes:
        set_case_attributes(
            session=session, actor=actor, case=case.id, attributes=attributes
        )
    return get_case(session=session, ref=case.id)


def set_case_attributes(
    *,
    session: Session,
    actor: Account,
    case: str | int,
    attributes: Mapping[str, Any],
) -> None:
    """Set attribute values of a case (``None`` removes one); new attributes get
    the type of their first value."""
    require(actor, can_manage(actor), "edit case attributes")
    row = _case(session, case)
    for name, value in attributes.items():
        var = variable_id(session=session, name=name, kind=value_type(value))
        existing = session.get(QualCaseValue, (row.id, var))
        if value is None or (isinstance(value, float) and pd.isna(value)):
            if existing is not None:
                session.delete(existing)
            continue
        if existing is None:
            session.add(QualCaseValue(case_id=row.id, variable_id=var, value=""))
            session.flush()
            existing = session.get(QualCaseValue, (row.id, var))
        existing.value = encode_value(value)
    session.flush()


def fill_case_attributes(
    *,
    session: Session,
    actor: Account,
    data: pd.DataFrame,
    case_column: str,
    columns: Sequence[str] | None = None,
    create: bool = False,
) -> list[Issue]:
    """Fill case attributes from a table, e.g. survey responses (one row per case).

    Parameters
    ----------
    data
        One row per case; ``case_column`` holds the case name.
    columns
        Columns to copy (default: all but ``case_column``).
    create
        Create missing cases; otherwise rows of unknown cases are skipped with a
        warning.

    Returns
    -------
    list of Issue
        One warning per skipped row.
    """
    if case_column not in data.columns:
        raise SociaparisError(
            CorpusError.UNKNOWN_VARIABLE, ref=case_column, known=", ".join(data.columns)
        )
    columns = [c for c in (columns or data.columns) if c != case_column]
    warnings: list[Issue] = []
    for record_ in data.to_dict(orient="records"):
        name = str(record_[case_column])
        exists = session.scalar(select(QualCase.id).where(QualCase.name == name))
        if exists is None and not create:
            warnings.append(Issue.of(CorpusError.UNKNOWN_CASE, ref=name))
            continue
        attributes = {c: _plain(record_[c]) for c in columns}
        ensure_case(session=session, actor=actor, name=name, attributes=attributes)
    return warnings


def _plain(value: Any) -> Any:
    """A numpy/pandas scalar as a plain Python value (NaN as None)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def get_case(*, session: Session, ref: str | int) -> CaseInfo:
    """The case named ``ref`` (or with that GUID or id)."""
    case = _case(session, ref)
    rows = session.execute(
        select(QualVariable.name, QualVariable.type, QualCaseValue.value)
        .join(QualCaseValue, QualCaseValue.variable_id == QualVariable.id)
        .where(QualCaseValue.case_id == case.id)
        .order_by(QualVariable.id)
    ).all()
    documents = session.scalars(
        select(QualDocument.title)
        .join(QualCaseDocument, QualCaseDocument.document_id == QualDocument.id)
        .where(QualCaseDocument.case_id == case.id)
        .order_by(QualDocument.id)
    ).all()
    return CaseInfo(
        case.id,
        case.guid,
        case.name,
        case.kind,
        case.description,
        {name: decode_value(value, kind) for name, kind, value in rows},
        tuple(documents),
    )


def list_cases(*, session: Session) -> list[CaseInfo]:
    """Every case, in creation order."""
    ids = session.scalars(select(QualCase.id).order_by(QualCase.id)).all()
    return [get_case(session=session, ref=i) for i in ids]


def cases_frame(*, session: Session) -> pd.DataFrame:
    """One row per case: ``case``, ``kind``, ``documents`` and one column per
    attribute."""
    rows = [
        {
            "case": c.name,
            "kind": c.kind,
            "documents": len(c.documents),
            **{k: encode_value(v) for k, v in c.attributes.items()},
        }
        for c in list_cases(session=session)
    ]
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ documents


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """A stored document, without its text."""

    id: int
    guid: str
    title: str
    format: str
    status: str
    needs_pseudonymization: bool
    length: int
    turns: int
    sha256: str | None
    cases: tuple[str, ...]
    warnings: tuple[Issue, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "id": self.id,
            "guid": self.guid,
            "title": self.title,
            "format": self.format,
            "status": self.status,
            "needs_pseudonymization": self.needs_pseudonymization,
            "length": self.length,
            "turns": self.turns,
            "sha256": self.sha256,
            "cases": list(self.cases),
            "warnings": [str(w) for w in self.warnings],
        }


def document_row(session: Session, ref: str | int) -> QualDocument:
    """The document with id ``ref`` (int), or that GUID, or that title."""
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
        document = session.get(QualDocument, int(ref))
    else:
        document = session.scalar(
            select(QualDocument)
            .where((QualDocument.guid == ref) | (QualDocument.title == ref))
            .order_by(QualDocument.id)
            .limit(1)
        )
    if document is None:
        raise SociaparisError(CorpusError.UNKNOWN_DOCUMENT, ref=ref)
    return document


def _info(
    session: Session, document: QualDocument, warnings: Iterable[Issue] = ()
) -> DocumentInfo:
    turns = session.scalar(
        select(func.count()).where(QualTurn.document_id == document.id)
    )
    cases = session.scalars(
        select(QualCase.name)
        .join(QualCaseDocument, QualCaseDocument.case_id == QualCase.id)
        .where(QualCaseDocument.document_id == document.id)
        .order_by(QualCase.id)
    ).all()
    return DocumentInfo(
        document.id,
        document.guid,
        document.title,
        document.format,
        document.status,
        document.needs_pseudonymization,
        document.length,
        turns or 0,
        document.sha256,
        tuple(cases),
        tuple(warnings),
    )


def get_document(*, session: Session, ref: str | int) -> DocumentInfo:
    """The document ``ref`` (id, GUID or title)."""
    return _info(session, document_row(session, ref))


def list_documents(*, session: Session, status: str | None = None) -> list[DocumentInfo]:
    """Every document (optionally of one status), in import order."""
    query = select(QualDocument).order_by(QualDocument.id)
    if status is not None:
        query = query.where(QualDocument.status == status)
    return [_info(session, d) for d in session.scalars(query)]


def document_text(*, session: Session, actor: Account, ref: str | int) -> str:
    """The text of a document; before release only researchers and admins read it
    (it still holds the names)."""
    document = document_row(session, ref)
    if document.status != "released":
        require(actor, can_manage(actor), "read a document before its release")
    return document.text


def released_text(*, session: Session, ref: str | int) -> str:
    """The text of a released document, the one codings' offsets refer to.

    Raises
    ------
    SociaparisError
        ``QUAL_202`` for an unknown document, ``QUAL_205`` for one not yet
        released (its text may still hold names).
    """
    document = document_row(session, ref)
    if document.status != "released":
        raise SociaparisError(
            CorpusError.NOT_RELEASED, title=document.title, status=document.status
        )
    return document.text


def store_document(
    *,
    session: Session,
    actor: Account,
    document: ImportedDocument,
    title: str | None = None,
    case: str | None = None,
    case_kind: str = "",
    needs_pseudonymization: bool = True,
    allow_duplicate: bool = False,
) -> DocumentInfo:
    """Store an :class:`~sociaparis.qual.document.ImportedDocument` in a case.

    Parameters
    ----------
    document
        The document read by :func:`~sociaparis.qual.io.read_document`.
    title
        Title (default: the file name).
    case
        Name of the case it belongs to (created with ``case_kind`` if new).
    needs_pseudonymization
        When false the document is released at once and may be coded.
    allow_duplicate
        Store it even if a file with the same SHA-256 was imported before
        (otherwise ``QUAL_201``).

    Returns
    -------
    DocumentInfo
        The stored document, with the reader's warnings.
    """
    require(actor, can_manage(actor), "import documents")
    name = title or document.filename or "document"
    if not allow_duplicate:
        previous = session.scalar(
            select(QualDocument.title).where(QualDocument.sha256 == document.sha256)
        )
        if previous is not None:
            raise SociaparisError(
                CorpusError.DUPLICATE_DOCUMENT,
                path=document.filename or name,
                title=previous,
                sha256=document.sha256[:12],
            )
    creator = coder_id(session=session, actor=actor)
    creator_guid = session.scalar(select(QualCoder.guid).where(QualCoder.id == creator))
    row = QualDocument(
        guid=new_guid(),
        title=name,
        description="",
        format=document.format,
        filename=document.filename,
        text=document.text,
        length=len(document.text),
        sha256=document.sha256,
        status="imported" if needs_pseudonymization else "released",
        needs_pseudonymization=needs_pseudonymization,
        paragraphs=[list(p) for p in document.paragraphs],
        created_by=creator_guid,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    if document.turns:
        session.execute(
            insert(QualTurn),
            [
                {
                    "document_id": row.id,
                    "position": i,
                    "speaker": t.speaker,
                    "start_s": t.start_s,
                    "end_s": t.end_s,
                    "start": t.start,
                    "end": t.end,
                }
                for i, t in enumerate(document.turns)
            ],
        )
    if case is not None:
        case_info = ensure_case(session=session, actor=actor, name=case, kind=case_kind)
        session.add(QualCaseDocument(case_id=case_info.id, document_id=row.id))
    record(
        session=session,
        actor=actor,
        kind="import",
        document_guid=row.guid,
        title=name,
        format=document.format,
        sha256=document.sha256,
    )
    session.flush()
    return _info(session, row, document.warnings)


def import_document(
    *,
    session: Session,
    actor: Account,
    data: bytes | str | os.PathLike[str],
    filename: str | None = None,
    format: str | None = None,
    detect_speakers: bool = False,
    title: str | None = None,
    case: str | None = None,
    case_kind: str = "",
    needs_pseudonymization: bool = True,
    allow_duplicate: bool = False,
) -> DocumentInfo:
    """Read a file (TXT, MD, DOCX, ODT, VTT, SRT, Whisper JSON, noScribe HTML)
    and store it; see :func:`store_document` for the other parameters.

    ``data`` is the file's bytes (then ``filename`` names it) or its path (whose
    size is checked before it is read).

    Raises
    ------
    SociaparisError
        The reader's ``QUAL_0xx`` errors (size, encoding, zip bombs…),
        ``QUAL_201`` for a file imported before, ``QUAL_200`` for a role that may
        not import.
    """
    from sociaparis.qual.io import read_document

    require(actor, can_manage(actor), "import documents")
    document = read_document(
        data, filename=filename, format=format, detect_speakers=detect_speakers
    )
    return store_document(
        session=session,
        actor=actor,
        document=document,
        title=title,
        case=case,
        case_kind=case_kind,
        needs_pseudonymization=needs_pseudonymization,
        allow_duplicate=allow_duplicate,
    )


def assign_case(
    *, session: Session, actor: Account, document: str | int, case: str, kind: str = ""
) -> None:
    """Put a document in a case (created if new)."""
    row = document_row(session, document)
    info = ensure_case(session=session, actor=actor, name=case, kind=kind)
    if session.get(QualCaseDocument, (info.id, row.id)) is None:
        session.add(QualCaseDocument(case_id=info.id, document_id=row.id))
        session.flush()


def turns_of(*, session: Session, document_id: int) -> list[QualTurn]:
    """The turns of a document, in order."""
    return list(
        session.scalars(
            select(QualTurn)
            .where(QualTurn.document_id == document_id)
            .order_by(QualTurn.position)
        )
    )


def acting_account(*, session: Session, username: str | None) -> Account:
    """The account named ``username`` (the CLI's ``--user``); ``QUAL_213`` if none."""
    account = find_account(session=session, username=username or "")
    if account is None:
        raise SociaparisError(CorpusError.UNKNOWN_USER, ref=username or "")
    return account
