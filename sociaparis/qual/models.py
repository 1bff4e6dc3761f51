"""Tables of the qualitative corpus: documents, cases, codebook, codings, history.

Every position is a Unicode code-point offset into ``QualDocument.text`` (the
text is stored once, NFC-normalized), start inclusive and end exclusive, as
REFI-QDA counts them.  Identifiers exchanged with other tools are GUID strings
(``guid`` columns); the integer ``id`` columns are internal.

The re-identification table of pseudonymization
(:class:`ReidentificationEntry`) is kept apart: only an admin may read it,
through :mod:`sociaparis.qual.pseudonymize_service`.

Full-text search structures are not tables of the model: an FTS5 virtual table
on SQLite and a GIN expression index on PostgreSQL.  They are created by the
migration and, for a new database, by the ``after_create`` DDL of
:data:`QualDocument.__table__` (see :mod:`sociaparis.qual.fts`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from sociaparis.core.db import Base, utcnow
from sociaparis.qual import fts


class QualProject(Base):
    """The study's qualitative project: name and provenance (one row)."""

    __tablename__ = "qual_projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(500))
    origin: Mapped[str] = mapped_column(String(200), default="sociaparis")
    description: Mapped[str] = mapped_column(Text, default="")
    base_path: Mapped[str] = mapped_column(String(1000), default="")
    created_by: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    modified_by: Mapped[str | None] = mapped_column(String(36))
    modified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class QualBlindMode(Base):
    """The project's blind mode for agreement studies (one row, id 1).

    While ``blind`` is on and ``revealed`` off, a coder sees only their own
    codings; researchers and admins see everything and reveal the codings.
    """

    __tablename__ = "qual_blind_mode"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    blind: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    revealed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    changed_by: Mapped[str] = mapped_column(String(200), default="")
    changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class QualCoder(Base):
    """A person (or tool) who coded: a sociaparis account or a REFI-QDA user."""

    __tablename__ = "qual_coders"

    id: Mapped[int] = mapped_column(primary_key=True)
    guid: Mapped[str] = mapped_column(String(36), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    login: Mapped[str | None] = mapped_column(String(200))
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), unique=True
    )


class QualVariable(Base):
    """A case or document attribute (directorate, job category, city, role…)."""

    __tablename__ = "qual_variables"

    id: Mapped[int] = mapped_column(primary_key=True)
    guid: Mapped[str] = mapped_column(String(36), unique=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    type: Mapped[str] = mapped_column(String(16), default="Text")
    description: Mapped[str] = mapped_column(Text, default="")


class QualCase(Base):
    """A unit of analysis: an interviewee, a city, a focus group."""

    __tablename__ = "qual_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    guid: Mapped[str] = mapped_column(String(36), unique=True)
    name: Mapped[str] = mapped_column(String(500), unique=True)
    kind: Mapped[str] = mapped_column(String(64), default="")
    description: Mapped[str] = mapped_column(Text, default="")


class QualCaseValue(Base):
    """One attribute value of a case, as canonical text (typed by its variable).

    One row per (case, variable), indexed by (variable, value) so that a code x
    attribute matrix is one grouped join.
    """

    __tablename__ = "qual_case_values"
    __table_args__ = (
        Index("ix_qual_case_values_variable_value", "variable_id", "value"),
    )

    case_id: Mapped[int] = mapped_column(
        ForeignKey("qual_cases.id", ondelete="CASCADE"), primary_key=True
    )
    variable_id: Mapped[int] = mapped_column(
        ForeignKey("qual_variables.id", ondelete="CASCADE"), primary_key=True
    )
    value: Mapped[str] = mapped_column(String(1000))


class QualDocument(Base):
    """A document: its one NFC text, where it came from, and its review status.

    ``status`` is ``imported`` (not yet pseudonymized), ``under_review``
    (replacements proposed, waiting for a researcher) or ``released`` (the text
    may be coded).  A document imported with ``needs_pseudonymization=False`` is
    released at once.
    """

    __tablename__ = "qual_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    guid: Mapped[str] = mapped_column(String(36), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    format: Mapped[str] = mapped_column(String(32))
    filename: Mapped[str | None] = mapped_column(String(500))
    text: Mapped[str] = mapped_column(Text)
    length: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16), default="imported")
    needs_pseudonymization: Mapped[bool] = mapped_column(Boolean, default=True)
    paragraphs: Mapped[list[Any]] = mapped_column(JSON, default=list)
    text_path: Mapped[str | None] = mapped_column(String(1000))
    created_by: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    modified_by: Mapped[str | None] = mapped_column(String(36))
    modified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class QualCaseDocument(Base):
    """A document belongs to a case (REFI-QDA allows several cases per source)."""

    __tablename__ = "qual_case_documents"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("qual_cases.id", ondelete="CASCADE"), primary_key=True
    )
    document_id: Mapped[int] = mapped_column(
        ForeignKey("qual_documents.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class QualDocumentValue(Base):
    """One attribute value of a document (REFI-QDA source variables)."""

    __tablename__ = "qual_document_values"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("qual_documents.id", ondelete="CASCADE"), primary_key=True
    )
    variable_id: Mapped[int] = mapped_column(
        ForeignKey("qual_variables.id", ondelete="CASCADE"), primary_key=True
    )
    value: Mapped[str] = mapped_column(String(1000))


class QualTurn(Base):
    """A speaker turn: who, when (seconds), and the offsets of the utterance."""

    __tablename__ = "qual_turns"
    __table_args__ = (UniqueConstraint("document_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("qual_documents.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[str | None] = mapped_column(String(200))
    start_s: Mapped[float | None] = mapped_column(Float)
    end_s: Mapped[float | None] = mapped_column(Float)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)


class QualParticipant(Base):
    """A speaker of a document as a participant: moderator or not, and its case.

    ``speaker`` is the label of the document's turns (:attr:`QualTurn.speaker`);
    a speaker without a row is an unlinked participant who is not the moderator.
    """

    __tablename__ = "qual_participants"
    __table_args__ = (UniqueConstraint("document_id", "speaker"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("qual_documents.id", ondelete="CASCADE")
    )
    speaker: Mapped[str] = mapped_column(String(200))
    moderator: Mapped[bool] = mapped_column(Boolean, default=False)
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("qual_cases.id", ondelete="SET NULL"), index=True
    )


class QualCode(Base):
    """A code of the hierarchical codebook, with the criteria coders need."""

    __tablename__ = "qual_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    guid: Mapped[str] = mapped_column(String(36), unique=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("qual_codes.id", ondelete="RESTRICT"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    inclusion: Mapped[str] = mapped_column(Text, default="")
    exclusion: Mapped[str] = mapped_column(Text, default="")
    example: Mapped[str] = mapped_column(Text, default="")
    color: Mapped[str | None] = mapped_column(String(7))
    codable: Mapped[bool] = mapped_column(Boolean, default=True)


class QualCoding(Base):
    """A code on ``text[start:end]`` of a document, by a coder, with a memo."""

    __tablename__ = "qual_codings"
    __table_args__ = (
        Index("ix_qual_codings_document_id_start", "document_id", "start"),
        Index("ix_qual_codings_code_id", "code_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    guid: Mapped[str] = mapped_column(String(36), unique=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("qual_documents.id", ondelete="CASCADE")
    )
    code_id: Mapped[int] = mapped_column(ForeignKey("qual_codes.id", ondelete="CASCADE"))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    coder_id: Mapped[int | None] = mapped_column(
        ForeignKey("qual_coders.id", ondelete="SET NULL"), index=True
    )
    memo: Mapped[str | None] = mapped_column(Text)
    selection_guid: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class QualMemo(Base):
    """A memo (REFI-QDA ``Note``), attached through :class:`QualMemoTarget`."""

    __tablename__ = "qual_memos"

    id: Mapped[int] = mapped_column(primary_key=True)
    guid: Mapped[str] = mapped_column(String(36), unique=True)
    name: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    modified_by: Mapped[str | None] = mapped_column(String(36))
    modified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class QualMemoTarget(Base):
    """What a memo is on: the project, a document, a span, a code, a case, a coding.

    ``target_guid`` is the GUID of the object ("" for the project); for a span
    it is the document's, with ``start`` and ``end``.
    """

    __tablename__ = "qual_memo_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    memo_id: Mapped[int] = mapped_column(
        ForeignKey("qual_memos.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    target_guid: Mapped[str] = mapped_column(String(36), default="")
    start: Mapped[int | None] = mapped_column(Integer)
    end: Mapped[int | None] = mapped_column(Integer)


class QualSet(Base):
    """A named group of codes, documents and memos (REFI-QDA ``Set``)."""

    __tablename__ = "qual_sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    guid: Mapped[str] = mapped_column(String(36), unique=True)
    name: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")


class QualSetMember(Base):
    """A member of a set: ``kind`` is ``code``, ``source`` or ``memo``."""

    __tablename__ = "qual_set_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(
        ForeignKey("qual_sets.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    member_guid: Mapped[str] = mapped_column(String(36))
    position: Mapped[int] = mapped_column(Integer, default=0)


class QualEvent(Base):
    """Append-only history: who did what, when (apply, remove, merge, split…).

    Rows refer to objects by GUID and carry no foreign key, so the history
    outlives the codes and codings it tells about.
    """

    __tablename__ = "qual_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(32), index=True)
    document_guid: Mapped[str | None] = mapped_column(String(36))
    code_guid: Mapped[str | None] = mapped_column(String(36))
    coding_guid: Mapped[str | None] = mapped_column(String(36))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ReviewReplacement(Base):
    """A replacement proposed, accepted, rejected or added while a document is
    under review; offsets into the original text.  Deleted on release."""

    __tablename__ = "qual_review_replacements"
    __table_args__ = (UniqueConstraint("document_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("qual_documents.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(Integer)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    original: Mapped[str] = mapped_column(String(1000))
    kind: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(64))
    detector: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(1000), default="")


class ReidentificationEntry(Base):
    """The study-wide re-identification table: label -> entity forms (admin only).

    After :func:`~sociaparis.qual.pseudonymize_service.destroy_reidentification`
    the rows stay with empty ``keys`` and ``forms``, so that label numbers keep
    counting and a new person never gets an old label.
    """

    __tablename__ = "qual_reidentification"
    __table_args__ = (UniqueConstraint("kind", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    number: Mapped[int] = mapped_column(Integer)
    keys: Mapped[list[str]] = mapped_column(JSON, default=list)
    forms: Mapped[list[str]] = mapped_column(JSON, default=list)


fts.attach(QualDocument.__table__)
