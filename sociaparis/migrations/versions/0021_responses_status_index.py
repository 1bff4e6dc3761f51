"""Responses indexed by version and status, so that counting them reads the index.

Counting a form's completed responses (before an export, on the monitoring
pages) went through the single-column index, then looked every row up in the
table: 0.5 s at 100,000 responses on SQLite. With the status in the index the
count reads the index alone.

Revision ID: 0021_responses_status_index
Revises: 0020_assist_review
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0021_responses_status_index"
down_revision: str | None = "0020_assist_review"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_responses_instrument_status", "responses", ["instrument_id", "status"]
    )
    op.drop_index("ix_responses_instrument_id", table_name="responses")


def downgrade() -> None:
    op.create_index("ix_responses_instrument_id", "responses", ["instrument_id"])
    op.drop_index("ix_responses_instrument_status", table_name="responses")
