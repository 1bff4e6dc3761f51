"""Focus-group participants: a document's speaker as moderator or case.

Revision ID: 0012_focus_participants
Revises: 0010_codebook_blind_mode
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_focus_participants"
down_revision: str | None = "0011_fast_counts_records"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "qual_participants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("speaker", sa.String(length=200), nullable=False),
        sa.Column("moderator", sa.Boolean(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["qual_cases.id"],
            name=op.f("fk_qual_participants_case_id_qual_cases"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["qual_documents.id"],
            name=op.f("fk_qual_participants_document_id_qual_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qual_participants")),
        sa.UniqueConstraint(
            "document_id",
            "speaker",
            name=op.f("uq_qual_participants_document_id_speaker"),
        ),
    )
    with op.batch_alter_table("qual_participants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_qual_participants_case_id"), ["case_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("qual_participants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qual_participants_case_id"))
    op.drop_table("qual_participants")
