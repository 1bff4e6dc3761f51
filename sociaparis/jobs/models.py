"""The ``jobs`` table: one row per background job, the record pages read."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sociaparis.core.db import Base, utcnow


class JobRecord(Base):
    """A background job: what it does, for whom, how far it got, what it gave.

    ``status`` is ``queued``, ``running``, ``done``, ``failed`` or
    ``cancelled``; ``cancel_requested`` asks a running job to stop at its next
    progress point. ``result_path`` is relative to the data folder's ``jobs/``
    folder. A failed or cancelled job keeps its error's code, English message
    and context (JSON-safe, see
    :meth:`~sociaparis.core.errors.ErrorRecord.context_json`), so that a page
    shows the message in its own language. While a job runs, its percent and
    step are in its progress file
    (:func:`~sociaparis.jobs.service.write_progress`), whose time, like
    ``heartbeat_at`` (set when it is claimed), tells a job whose worker died
    from a slow one.
    """

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    owner_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    title: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    percent: Mapped[int] = mapped_column(Integer, default=0)
    step: Mapped[str] = mapped_column(String(40), default="queued")
    result_path: Mapped[str | None] = mapped_column(String(500), nullable=True)
    result_bytes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    error_context: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )
    heartbeat_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )
    finished_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )
