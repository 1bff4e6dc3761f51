"""Survey instruments: one immutable row per version of an XLSForm.

Revision ID: 0002_survey_instruments
Revises: 0001_accounts
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_survey_instruments"
down_revision: str | None = "0001_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "instruments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.String(length=200), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("model", sa.JSON(), nullable=False),
        sa.Column("source", sa.LargeBinary(), nullable=False),
        sa.Column("source_filename", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instruments")),
        sa.UniqueConstraint(
            "form_id", "content_hash", name=op.f("uq_instruments_form_id_content_hash")
        ),
        sa.UniqueConstraint(
            "form_id", "version", name=op.f("uq_instruments_form_id_version")
        ),
        sa.UniqueConstraint(
            "form_id",
            "version_number",
            name=op.f("uq_instruments_form_id_version_number"),
        ),
    )


def downgrade() -> None:
    op.drop_table("instruments")
