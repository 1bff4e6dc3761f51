"""Case matrices: the history of each cell's values, with who, when and why.

Revision ID: 0017_matrix_history
Revises: 0016_assist
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_matrix_history"
down_revision: str | None = "0016_assist"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "compare_cell_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("dimension_id", sa.Integer(), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("old_source_kind", sa.String(length=16), nullable=True),
        sa.Column("new_source_kind", sa.String(length=16), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changed_by", sa.String(length=200), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["compare_cases.id"],
            name=op.f("fk_compare_cell_history_case_id_compare_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["dimension_id"],
            ["compare_dimensions.id"],
            name=op.f("fk_compare_cell_history_dimension_id_compare_dimensions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compare_cell_history")),
    )
    with op.batch_alter_table("compare_cell_history", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_compare_cell_history_case_id"), ["case_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_compare_cell_history_dimension_id"),
            ["dimension_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("compare_cell_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_compare_cell_history_dimension_id"))
        batch_op.drop_index(batch_op.f("ix_compare_cell_history_case_id"))
    op.drop_table("compare_cell_history")
