"""Report builds kept with their parameters (the reports page's list).

Revision ID: 0019_report_builds
Revises: 0018_qca_runs
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019_report_builds"
down_revision: str | None = "0018_qca_runs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_builds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.String(length=200), nullable=False),
        sa.Column("built_by_id", sa.Integer(), nullable=True),
        sa.Column("built_by", sa.String(length=150), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fmt", sa.String(length=10), nullable=False),
        sa.Column("lang", sa.String(length=10), nullable=False),
        sa.Column("weighting", sa.String(length=20), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("n_responses", sa.Integer(), nullable=False),
        sa.Column("file_path", sa.String(length=500), nullable=False),
        sa.Column("file_bytes", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["built_by_id"],
            ["users.id"],
            name=op.f("fk_report_builds_built_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_builds")),
    )
    op.create_index(
        op.f("ix_report_builds_form_id"), "report_builds", ["form_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_report_builds_form_id"), table_name="report_builds")
    op.drop_table("report_builds")
