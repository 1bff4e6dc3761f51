"""Tables of the survey package.

An instrument row is immutable: a changed form is a new row (a new version) with
the same ``form_id``; responses (next issue) reference the row they were answered
on through ``instruments.id``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from sociaparis.core.db import Base, utcnow
from sociaparis.survey import blocks, counts


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


# -- fielding ------------------------------------------------------------------------
# Anonymity is a storage property: for an anonymous instrument, a response row
# holds no invitation id, its id is random (no creation order), and it keeps dates,
# never times; an invitation is not written to when it is used (docs/fielding.md,
# "Anonymity": the threat model and what holds against each part of it).


class FieldingRecord(Base):
    """How one form (all its versions) is fielded: access, anonymity, dates, notice."""

    __tablename__ = "fieldings"

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[str] = mapped_column(String(200), unique=True)
    study_id: Mapped[str] = mapped_column(String(100), default="")
    anonymous: Mapped[bool] = mapped_column(Boolean, default=True)
    open_link: Mapped[bool] = mapped_column(Boolean, default=False)
    opens_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    closes_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    recorded_attributes: Mapped[list[str]] = mapped_column(JSON, default=list)
    notice: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    min_cell_count: Mapped[int] = mapped_column(Integer, default=10)
    # Which key the anonymous invitations' use tags were made with (set at the
    # first use): a changed server key is refused instead of reopening them.
    use_key_id: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # Closed by a researcher (`sociaparis instrument close`): no response starts,
    # whatever the dates say, until it is opened again.
    closed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class InvitationRecord(Base):
    """A personal invitation: only the hash of its single-use token is stored.

    ``used`` is set for a named instrument only (and by versions before 0.2 for
    anonymous ones): an anonymous instrument records a use in ``invitation_uses``,
    which nothing in the database ties to this row.
    """

    __tablename__ = "invitations"
    __table_args__ = (Index("ix_invitations_form_id", "form_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    attributes: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    used: Mapped[bool] = mapped_column(Boolean, default=False)
    created_on: Mapped[date] = mapped_column(Date)


class InvitationUseRecord(Base):
    """The use of an anonymous instrument's invitation, unlinkable to it.

    ``tag`` is a keyed hash (HMAC-SHA-256 under a key derived from the server's
    secret key) of the invitation's token itself: the invitations table holds
    only another hash of that token, so neither the database nor the links file
    without the key, nor the database and the key without the links file, can
    tell which invitation a tag belongs to. Rows sit in the order of their random
    tags (SQLite: WITHOUT ROWID), not in the order of use.
    """

    __tablename__ = "invitation_uses"
    __table_args__ = (
        Index("ix_invitation_uses_form_id", "form_id"),
        {"sqlite_with_rowid": False},
    )

    tag: Mapped[str] = mapped_column(String(64), primary_key=True)
    form_id: Mapped[str] = mapped_column(String(200))


class ResponseRecord(Base):
    """One respondent's answers to one instrument version, saved page by page.

    On SQLite the table has no rowid: rows sit in the order of their random ids,
    not in the order they were created.
    """

    __tablename__ = "responses"
    __table_args__ = (
        # With the id, the ids of a version's completed responses are read
        # from the index alone (SQLite's indexes of a table without rowid hold
        # its key already).
        Index(
            "ix_responses_instrument_status",
            "instrument_id",
            "status",
            postgresql_include=["id"],
        ),
        {"sqlite_with_rowid": False},
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instruments.id"))
    # Always NULL for an anonymous instrument (a test reads the rows to prove it).
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id"), nullable=True, unique=True
    )
    resume_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="in_progress")
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    current_page: Mapped[str | None] = mapped_column(String(200), nullable=True)
    attributes: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    started_on: Mapped[date] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    # Times only for non-anonymous instruments (NULL otherwise).
    started_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )
    updated_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )
    # The engine's record of the answers as exported (relevance applied,
    # calculations filled), kept when the response is completed so that an
    # export does not evaluate every response again; ``record_engine`` is the
    # engine's RECORD_ENGINE it was computed by (NULL: none kept, evaluate).
    record: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    record_engine: Mapped[int | None] = mapped_column(Integer, nullable=True)


@event.listens_for(ResponseRecord.answers, "set")
def _drop_stale_record(
    target: ResponseRecord, value: object, old: object, initiator: object
) -> None:
    """New answers set through the ORM make the kept record stale: drop it, so
    an export evaluates them again (the respondent path writes both at once)."""
    target.record = None
    target.record_engine = None


class ExportBlockRecord(Base):
    """The export columns of completed responses of one version, kept together
    (:mod:`sociaparis.survey.blocks`).

    ``data`` is the Arrow stream (:mod:`sociaparis.survey.io.blocks`), NULL
    while the block is being made; ``layout`` and ``record_engine`` are the
    versions it was made with (a block of others is not read); ``responses``
    how many it holds. Dropped by a trigger as soon as one of its responses is
    updated or deleted.
    """

    __tablename__ = "export_blocks"
    __table_args__ = ({"sqlite_autoincrement": True},)

    # AUTOINCREMENT: an id is never given again, so that a dropped block's id
    # cannot come back as another block.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    instrument_id: Mapped[int] = mapped_column(
        ForeignKey("instruments.id", ondelete="CASCADE"), index=True
    )
    layout: Mapped[int] = mapped_column(Integer)
    record_engine: Mapped[int] = mapped_column(Integer)
    responses: Mapped[int] = mapped_column(Integer)
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    data: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)


class ExportBlockMemberRecord(Base):
    """One response of an export block: a response is in one block at most."""

    __tablename__ = "export_block_members"
    __table_args__ = ({"sqlite_with_rowid": False},)

    response_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    block_id: Mapped[int] = mapped_column(
        ForeignKey("export_blocks.id", ondelete="CASCADE"), index=True
    )


# -- counts kept by the database -------------------------------------------------------
# Kept by triggers on the counted tables (sociaparis.survey.counts), in the
# transaction that writes the counted row: monitoring reads these instead of
# every response. A count is the sum of ``n`` over the shards of its key.


#: PostgreSQL storage of the counts tables, whose rows are updated at every
#: saved page: half of each page left free, so that an update stays on its
#: page without touching the index (a HOT update), and vacuumed after every
#: 1,000 dead rows rather than a fifth of the table, so that a fielding peak
#: does not leave the monitoring's scans reading pages of dead rows (a bulk
#: load of 2.5 million durations left 6,789 rows in 53 MB).
COUNTS_STORAGE = {
    "fillfactor": 50,
    "autovacuum_vacuum_scale_factor": 0,
    "autovacuum_vacuum_threshold": 1000,
}


class ResponseCountRecord(Base):
    """How many responses of one version share what monitoring groups them by.

    ``page`` is the current page of a response not completed (``''`` for a
    completed one), ``day`` the completion day (``YYYY-MM-DD``) of a completed
    one (``''`` otherwise); ``attributes`` is the recorded attributes' JSON as
    stored.
    """

    __tablename__ = "response_counts"
    __table_args__ = ({"sqlite_with_rowid": False, "postgresql_with": COUNTS_STORAGE},)

    instrument_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attributes: Mapped[str] = mapped_column(Text, primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    synthetic: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    page: Mapped[str] = mapped_column(String(200), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    shard: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class InvitationCountRecord(Base):
    """How many invitations of one form share their attributes and ``used``."""

    __tablename__ = "invitation_counts"
    __table_args__ = ({"sqlite_with_rowid": False, "postgresql_with": COUNTS_STORAGE},)

    form_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    attributes: Mapped[str] = mapped_column(Text, primary_key=True)
    used: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    shard: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class PageDurationCountRecord(Base):
    """How many page durations of one form and page lasted ``seconds``: the
    durations' histogram, from which monitoring takes the medians."""

    __tablename__ = "page_duration_counts"
    __table_args__ = ({"sqlite_with_rowid": False, "postgresql_with": COUNTS_STORAGE},)

    form_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    page: Mapped[str] = mapped_column(String(200), primary_key=True)
    seconds: Mapped[int] = mapped_column(Integer, primary_key=True)
    shard: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class MailLogRecord(Base):
    """One e-mail of a mailing, journaled before it is handed to the SMTP server.

    Never an address nor a name: the recipient is ``recipient_key``, a keyed
    hash (HMAC-SHA-256 under a key derived from the server's secret key) of the
    invitation's token, which only the links file holds. ``status`` is
    ``sending`` from just before the hand-off until the server accepted the
    message (then ``sent``) or refused it (``failed``); a row left ``sending``
    by a crash is reported as uncertain and never sent again unasked. Rows have
    random ids (SQLite: WITHOUT ROWID), so their order tells nothing.
    """

    __tablename__ = "mail_log"
    __table_args__ = (
        UniqueConstraint("form_id", "mailing", "recipient_key"),
        Index("ix_mail_log_form_id", "form_id"),
        {"sqlite_with_rowid": False},
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    form_id: Mapped[str] = mapped_column(String(200))
    mailing: Mapped[str] = mapped_column(String(40))
    recipient_key: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    message_id: Mapped[str] = mapped_column(String(200))
    attempted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )
    error: Mapped[str] = mapped_column(String(500), default="")


class MailOptOutRecord(Base):
    """A person who asked for no more e-mails about a form, by the keyed hash of
    their invitation's token (the same ``recipient_key`` as the mail log)."""

    __tablename__ = "mail_optouts"
    __table_args__ = ({"sqlite_with_rowid": False},)

    recipient_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    form_id: Mapped[str] = mapped_column(String(200))
    created_on: Mapped[date] = mapped_column(Date)


class PageDurationRecord(Base):
    """How long one page was shown before it was sent on: monitoring data.

    A bare duration, tied to nothing: no response id, no invitation, no time of
    day, no date; whole seconds, capped (``MAX_PAGE_SECONDS`` in
    :mod:`sociaparis.survey.fielding.service`). The key is the form, the page,
    the seconds and a random id: on SQLite (no rowid) rows sit in that order,
    by value, not in the order pages were sent, and the medians are read along
    it (docs/fielding.md, "Monitoring").
    """

    __tablename__ = "page_durations"
    __table_args__ = ({"sqlite_with_rowid": False},)

    form_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    page: Mapped[str] = mapped_column(String(200), primary_key=True)
    seconds: Mapped[int] = mapped_column(Integer, primary_key=True)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)


counts.attach(
    {
        "responses": ResponseRecord.__table__,
        "invitations": InvitationRecord.__table__,
        "page_durations": PageDurationRecord.__table__,
    }
)
blocks.attach(ResponseRecord.__table__)
