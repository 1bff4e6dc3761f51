"""Blind mode of the qualitative project: coders see only their own codings.

Revision ID: 0010_codebook_blind_mode
Revises: 0009_page_durations
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_codebook_blind_mode"
down_revision: str | None = "0009_page_durations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "qual_blind_mode",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("blind", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("revealed", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("changed_by", sa.String(length=200), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("id = 1", name=op.f("ck_qual_blind_mode_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qual_blind_mode")),
    )


def downgrade() -> None:
    op.drop_table("qual_blind_mode")
