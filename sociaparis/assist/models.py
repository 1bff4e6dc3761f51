"""Tables of AI-assisted coding: runs, the calls they made, their suggestions.

A suggestion is a proposed coding of the run's coder (a :class:`QualCoder`
named after the model, e.g. ``ai:mistral-small-3.2``).  It is not a
:class:`QualCoding`, so matrices, retrievals and exports never count it; when a
person accepts it (as proposed or with other bounds or code), a coding of that
coder is created and ``coding_id`` points to it, with who decided and when.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sociaparis.core.db import Base, utcnow

SUGGESTION_STATUSES = ("proposed", "accepted", "rejected")


class AssistRun(Base):
    """One run of a suggester over documents and codes, with its settings and cost."""

    __tablename__ = "assist_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # llm, offline, find_more, propose
    coder_id: Mapped[int | None] = mapped_column(
        ForeignKey("qual_coders.id", ondelete="SET NULL"), index=True
    )
    endpoint: Mapped[str] = mapped_column(String(500), default="")
    model: Mapped[str] = mapped_column(String(200), default="")
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    scope: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="running")
    started_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    calls: Mapped[int] = mapped_column(Integer, default=0)
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    energy_wh: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AssistCall(Base):
    """One request of a run to its endpoint, kept so the run can be replayed."""

    __tablename__ = "assist_calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("assist_runs.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("qual_documents.id", ondelete="SET NULL")
    )
    endpoint: Mapped[str] = mapped_column(String(500), default="")
    model: Mapped[str] = mapped_column(String(200), default="")
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    request: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    response: Mapped[str | None] = mapped_column(Text)
    status: Mapped[int | None] = mapped_column(Integer)
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str | None] = mapped_column(Text)


class AssistSuggestion(Base):
    """A passage a run proposed for a code, waiting for a person's decision."""

    __tablename__ = "assist_suggestions"
    __table_args__ = (
        Index("ix_assist_suggestions_document_id_start", "document_id", "start"),
        Index("ix_assist_suggestions_run_id_status", "run_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("assist_runs.id", ondelete="CASCADE"))
    document_id: Mapped[int] = mapped_column(
        ForeignKey("qual_documents.id", ondelete="CASCADE")
    )
    code_id: Mapped[int] = mapped_column(
        ForeignKey("qual_codes.id", ondelete="CASCADE"), index=True
    )
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    quote: Mapped[str] = mapped_column(Text)
    rationale: Mapped[str] = mapped_column(Text, default="")
    confidence: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(20), default="proposed")
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    coding_id: Mapped[int | None] = mapped_column(
        ForeignKey("qual_codings.id", ondelete="SET NULL"), index=True
    )
    #: what the suggester proposed (``start``, ``end``, ``code_id``, ``quote``)
    #: when a person accepted it with other bounds or another code; ``None``
    #: when it was accepted (or rejected) as proposed
    edited_from: Mapped[dict[str, Any] | None] = mapped_column(JSON)
