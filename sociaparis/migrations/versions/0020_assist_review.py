"""AI-assisted review: what a model proposed, kept when a person edits it.

Revision ID: 0020_assist_review
Revises: 0019_report_builds
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_assist_review"
down_revision: str | None = "0019_report_builds"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("assist_suggestions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("edited_from", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assist_suggestions", schema=None) as batch_op:
        batch_op.drop_column("edited_from")
