"""The ``report_builds`` table: the reports built from the pages, kept with
their parameters until someone removes them (not swept with the jobs)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from sociaparis.core.db import Base, utcnow


class ReportBuildRecord(Base):
    """A report built and kept: who built it, when, with which parameters.

    ``file_path`` is relative to the data folder's ``reports/`` folder.
    ``built_by`` keeps the builder's user name, so that the list still says who
    built a report after their account is removed (``built_by_id`` is then
    null). ``job_id`` names the job that built it (the job itself is swept
    after ``SOCIAPARIS_JOBS_RETENTION_HOURS``; the build stays).
    """

    __tablename__ = "report_builds"

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[str] = mapped_column(String(200), index=True)
    built_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    built_by: Mapped[str] = mapped_column(String(150))
    built_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    fmt: Mapped[str] = mapped_column(String(10))
    lang: Mapped[str] = mapped_column(String(10))
    weighting: Mapped[str] = mapped_column(String(20))
    sections: Mapped[list[str]] = mapped_column(JSON, default=list)
    n_responses: Mapped[int] = mapped_column(Integer)
    file_path: Mapped[str] = mapped_column(String(500))
    file_bytes: Mapped[int] = mapped_column(Integer)
    job_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
