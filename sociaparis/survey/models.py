"""Tables of the survey package.

An instrument row is immutable: a changed form is a new row (a new version) with
the same ``form_id``; responses (next issue) reference the row they were answered
on through ``instruments.id``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sociaparis.core.db import Base, utcnow


class InstrumentRecord(Base):
    """One version of one XLSForm: the parsed model, the original file, its hash."""

    __tablename__ = "instruments"
    __table_args__ = (
        UniqueConstraint("form_id", "content_hash"),
        UniqueConstraint("form_id", "version"),
        UniqueConstraint("form_id", "version_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[str] = mapped_column(String(200))
    version: Mapped[str] = mapped_column(String(64))
    version_number: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(500))
    model: Mapped[dict[str, Any]] = mapped_column(JSON)
    source: Mapped[bytes] = mapped_column(LargeBinary)
    source_filename: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
