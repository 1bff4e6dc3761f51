"""QCA: the calibration plan of each frame and the saved runs.

Revision ID: 0018_qca_runs
Revises: 0017_matrix_history
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_qca_runs"
down_revision: str | None = "0017_matrix_history"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "qca_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("frame_id", sa.Integer(), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["frame_id"],
            ["compare_frames.id"],
            name=op.f("fk_qca_plans_frame_id_compare_frames"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qca_plans")),
        sa.UniqueConstraint("frame_id", name=op.f("uq_qca_plans_frame_id")),
    )
    op.create_table(
        "qca_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("frame_id", sa.Integer(), nullable=True),
        sa.Column("frame_name", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("matrix_version", sa.String(length=64), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["frame_id"],
            ["compare_frames.id"],
            name=op.f("fk_qca_runs_frame_id_compare_frames"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qca_runs")),
    )
    with op.batch_alter_table("qca_runs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_qca_runs_frame_id"), ["frame_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("qca_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qca_runs_frame_id"))
    op.drop_table("qca_runs")
    op.drop_table("qca_plans")
