"""Comparison frames: cases, dimensions and evidence-backed cells of a case matrix.

Revision ID: 0005_compare_matrix
Revises: 0004_qual_corpus
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_compare_matrix"
down_revision: str | None = "0004_qual_corpus"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "compare_frames",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compare_frames")),
        sa.UniqueConstraint("name", name=op.f("uq_compare_frames_name")),
    )
    op.create_table(
        "compare_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("frame_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("qual_case_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["frame_id"],
            ["compare_frames.id"],
            name=op.f("fk_compare_cases_frame_id_compare_frames"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["qual_case_id"],
            ["qual_cases.id"],
            name=op.f("fk_compare_cases_qual_case_id_qual_cases"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compare_cases")),
        sa.UniqueConstraint(
            "frame_id", "name", name=op.f("uq_compare_cases_frame_id_name")
        ),
    )
    with op.batch_alter_table("compare_cases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_compare_cases_frame_id"), ["frame_id"], unique=False
        )
    op.create_table(
        "compare_dimensions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("frame_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("value_type", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["frame_id"],
            ["compare_frames.id"],
            name=op.f("fk_compare_dimensions_frame_id_compare_frames"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compare_dimensions")),
        sa.UniqueConstraint(
            "frame_id", "name", name=op.f("uq_compare_dimensions_frame_id_name")
        ),
    )
    with op.batch_alter_table("compare_dimensions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_compare_dimensions_frame_id"), ["frame_id"], unique=False
        )
    op.create_table(
        "compare_cells",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("dimension_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("source_kind", sa.String(length=16), nullable=False),
        sa.Column("source", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["compare_cases.id"],
            name=op.f("fk_compare_cells_case_id_compare_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["dimension_id"],
            ["compare_dimensions.id"],
            name=op.f("fk_compare_cells_dimension_id_compare_dimensions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compare_cells")),
        sa.UniqueConstraint(
            "case_id", "dimension_id", name=op.f("uq_compare_cells_case_id_dimension_id")
        ),
    )
    with op.batch_alter_table("compare_cells", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_compare_cells_case_id"), ["case_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_compare_cells_dimension_id"), ["dimension_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("compare_cells", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_compare_cells_dimension_id"))
        batch_op.drop_index(batch_op.f("ix_compare_cells_case_id"))
    op.drop_table("compare_cells")
    with op.batch_alter_table("compare_dimensions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_compare_dimensions_frame_id"))
    op.drop_table("compare_dimensions")
    with op.batch_alter_table("compare_cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_compare_cases_frame_id"))
    op.drop_table("compare_cases")
    op.drop_table("compare_frames")
