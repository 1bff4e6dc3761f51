"""Tables of the comparison package: frames, cases, dimensions and evidence-backed cells.

A comparison frame (``cities``) holds cases (the 15 cities) and dimensions (strategy
driver, charter…).  A cell is the value of one dimension for one case; it keeps
where the value comes from (``source_kind``: ``hand``, ``survey`` or ``codes``)
and a reference to that evidence (``source``: the response id and question, or
the GUIDs of the coded segments), who set it and when.  Values are stored as text
and read back with the dimension's ``value_type`` (``number`` or ``text``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from sociaparis.core.db import Base, utcnow


class CompareFrame(Base):
    """A comparison frame: a named set of cases compared on the same dimensions."""

    __tablename__ = "compare_frames"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CompareCase(Base):
    """A case of a frame (a city, a directorate, a tool), optionally linked to the
    qualitative case whose documents hold its interviews."""

    __tablename__ = "compare_cases"
    __table_args__ = (UniqueConstraint("frame_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    frame_id: Mapped[int] = mapped_column(
        ForeignKey("compare_frames.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(500))
    position: Mapped[int] = mapped_column(Integer, default=0)
    qual_case_id: Mapped[int | None] = mapped_column(
        ForeignKey("qual_cases.id", ondelete="SET NULL"), nullable=True
    )


class CompareDimension(Base):
    """A dimension (attribute) of a frame: its name, a label and its value type."""

    __tablename__ = "compare_dimensions"
    __table_args__ = (UniqueConstraint("frame_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    frame_id: Mapped[int] = mapped_column(
        ForeignKey("compare_frames.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    label: Mapped[str] = mapped_column(Text, default="")
    value_type: Mapped[str] = mapped_column(String(16), default="text")
    position: Mapped[int] = mapped_column(Integer, default=0)


class CompareCell(Base):
    """The value of one dimension for one case, with the reference to its evidence."""

    __tablename__ = "compare_cells"
    __table_args__ = (UniqueConstraint("case_id", "dimension_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("compare_cases.id", ondelete="CASCADE"), index=True
    )
    dimension_id: Mapped[int] = mapped_column(
        ForeignKey("compare_dimensions.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[str] = mapped_column(Text)
    source_kind: Mapped[str] = mapped_column(String(16))
    source: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    note: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CompareCellHistory(Base):
    """One change of a cell's value: who, when, the old and new value, and why.

    A row is written whenever a value is set, imported or removed and differs
    from the one before (``old_value`` ``None``: the cell was empty;
    ``new_value`` ``None``: the cell was removed).  Rows follow their case and
    dimension, and are never edited.
    """

    __tablename__ = "compare_cell_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("compare_cases.id", ondelete="CASCADE"), index=True
    )
    dimension_id: Mapped[int] = mapped_column(
        ForeignKey("compare_dimensions.id", ondelete="CASCADE"), index=True
    )
    old_value: Mapped[str | None] = mapped_column(Text, nullable=True)
    new_value: Mapped[str | None] = mapped_column(Text, nullable=True)
    old_source_kind: Mapped[str | None] = mapped_column(String(16), nullable=True)
    new_source_kind: Mapped[str | None] = mapped_column(String(16), nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    changed_by: Mapped[str] = mapped_column(String(200), default="")
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class QCAPlan(Base):
    """The calibration plan of a frame: how its dimensions become QCA sets.

    ``plan`` holds ``{"sets": {NAME: options}}`` in the layout of a calibration
    plan file (``source``, ``thresholds``/``type``/``method`` or ``map``); see
    :mod:`sociaparis.compare.qca_runs`.
    """

    __tablename__ = "qca_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    frame_id: Mapped[int] = mapped_column(
        ForeignKey("compare_frames.id", ondelete="CASCADE"), unique=True
    )
    plan: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_by: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class QCARun(Base):
    """A saved QCA run: its settings, the calibration plan and the raw case-matrix
    values it used (and their version, a SHA-256), and its result as JSON, so that
    a published table can be regenerated and a changed matrix noticed."""

    __tablename__ = "qca_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    frame_id: Mapped[int | None] = mapped_column(
        ForeignKey("compare_frames.id", ondelete="SET NULL"), index=True, nullable=True
    )
    frame_name: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200), default="")
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    plan: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    matrix_version: Mapped[str] = mapped_column(String(64))
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
