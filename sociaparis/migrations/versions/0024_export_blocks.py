"""Export blocks: the export columns of completed responses, kept by thousands.

Two tables (the blocks, and which responses each holds) and the triggers that
drop a block as soon as one of its responses is updated or deleted
(:mod:`sociaparis.survey.blocks`). No block is made here: the next export
makes them.

Revision ID: 0024_export_blocks
Revises: 0023_job_error_context
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from sociaparis.survey import blocks

revision: str = "0024_export_blocks"
down_revision: str | None = "0023_job_error_context"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "export_blocks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instrument_id", sa.Integer(), nullable=False),
        sa.Column("layout", sa.Integer(), nullable=False),
        sa.Column("record_engine", sa.Integer(), nullable=False),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["instrument_id"],
            ["instruments.id"],
            name=op.f("fk_export_blocks_instrument_id_instruments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_blocks")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        op.f("ix_export_blocks_instrument_id"),
        "export_blocks",
        ["instrument_id"],
        unique=False,
    )
    op.create_table(
        "export_block_members",
        sa.Column("response_id", sa.String(length=32), nullable=False),
        sa.Column("block_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["block_id"],
            ["export_blocks.id"],
            name=op.f("fk_export_block_members_block_id_export_blocks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("response_id", name=op.f("pk_export_block_members")),
        sqlite_with_rowid=False,
    )
    op.create_index(
        op.f("ix_export_block_members_block_id"),
        "export_block_members",
        ["block_id"],
        unique=False,
    )
    blocks.create(op.get_bind())


def downgrade() -> None:
    blocks.drop(op.get_bind())
    op.drop_index(
        op.f("ix_export_block_members_block_id"), table_name="export_block_members"
    )
    op.drop_table("export_block_members")
    op.drop_index(op.f("ix_export_blocks_instrument_id"), table_name="export_blocks")
    op.drop_table("export_blocks")
