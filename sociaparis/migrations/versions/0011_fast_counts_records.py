"""Counts kept for monitoring, and the engine's record kept on each response.

The counts tables (responses, invitations and page durations counted by what
monitoring groups them by) are filled from the rows already stored, then kept
by triggers (:mod:`sociaparis.survey.counts`). The completed responses already
stored get their record (:mod:`sociaparis.survey.records`), which exports read
instead of evaluating every response again.

Revision ID: 0011_fast_counts_records
Revises: 0009_page_durations
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from sociaparis.survey import counts

revision: str = "0011_fast_counts_records"
down_revision: str | None = "0010_codebook_blind_mode"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("responses", sa.Column("record", sa.JSON(), nullable=True))
    op.add_column("responses", sa.Column("record_engine", sa.Integer(), nullable=True))
    op.create_table(
        "response_counts",
        sa.Column("instrument_id", sa.Integer(), nullable=False),
        sa.Column("attributes", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("page", sa.String(length=200), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("shard", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "instrument_id",
            "attributes",
            "status",
            "synthetic",
            "page",
            "day",
            "shard",
            name=op.f("pk_response_counts"),
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "invitation_counts",
        sa.Column("form_id", sa.String(length=200), nullable=False),
        sa.Column("attributes", sa.Text(), nullable=False),
        sa.Column("used", sa.Boolean(), nullable=False),
        sa.Column("shard", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "form_id", "attributes", "used", "shard", name=op.f("pk_invitation_counts")
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "page_duration_counts",
        sa.Column("form_id", sa.String(length=200), nullable=False),
        sa.Column("page", sa.String(length=200), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.Column("shard", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "form_id", "page", "seconds", "shard", name=op.f("pk_page_duration_counts")
        ),
        sqlite_with_rowid=False,
    )
    bind = op.get_bind()
    counts.backfill(bind)
    counts.create(bind)
    from sqlalchemy.orm import Session

    from sociaparis.survey.exports import keep_records

    keep_records(session=Session(bind=bind))


def downgrade() -> None:
    counts.drop(op.get_bind())
    op.drop_table("page_duration_counts")
    op.drop_table("invitation_counts")
    op.drop_table("response_counts")
    op.drop_column("responses", "record_engine")
    op.drop_column("responses", "record")
