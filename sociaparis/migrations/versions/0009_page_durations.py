"""Page durations for fielding monitoring: bare, unlinked, whole seconds.

Revision ID: 0009_page_durations
Revises: 0008_mail
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_page_durations"
down_revision: str | None = "0008_mail"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "page_durations",
        sa.Column("form_id", sa.String(length=200), nullable=False),
        sa.Column("page", sa.String(length=200), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint(
            "form_id", "page", "seconds", "id", name=op.f("pk_page_durations")
        ),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("page_durations")
