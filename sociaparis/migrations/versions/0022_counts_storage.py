"""PostgreSQL: the counts tables keep room for updates in place and are vacuumed often.

Their rows are updated at every saved page; see ``COUNTS_STORAGE`` in
:mod:`sociaparis.survey.models`. Nothing changes on SQLite.

Revision ID: 0022_counts_storage
Revises: 0021_responses_status_index
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

from sociaparis.survey.models import COUNTS_STORAGE

revision: str = "0022_counts_storage"
down_revision: str | None = "0021_responses_status_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("response_counts", "invitation_counts", "page_duration_counts")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    options = ", ".join(f"{key} = {value}" for key, value in COUNTS_STORAGE.items())
    for table in _TABLES:
        op.execute(f"ALTER TABLE {table} SET ({options})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in _TABLES:
        op.execute(f"ALTER TABLE {table} RESET ({', '.join(COUNTS_STORAGE)})")
