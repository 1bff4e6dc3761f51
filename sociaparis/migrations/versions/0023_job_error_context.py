"""Jobs: a failed job keeps its error's context, so that its message can be shown
in the page's language (the stored message is English).

Rows written before have none; they show their stored message.

Revision ID: 0023_job_error_context
Revises: 0022_counts_storage
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023_job_error_context"
down_revision: str | None = "0022_counts_storage"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("error_context", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("error_context")
