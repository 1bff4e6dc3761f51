"""PostgreSQL: the counts tables keep room for updates in place and are vacuumed often.

Their rows are updated at every saved page; see ``COUNTS_STORAGE`` in
:mod:`sociaparis.survey.models` (its values as they were when this migration
was written are repeated here, so that the migration stays what it was if
they change). Nothing changes on SQLite.

Revision ID: 0022_counts_storage
Revises: 0021_responses_status_index
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0022_counts_storage"
down_revision: str | None = "0021_responses_status_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("response_counts", "invitation_counts", "page_duration_counts")
_STORAGE = {
    "fillfactor": 50,
    "autovacuum_vacuum_scale_factor": 0,
    "autovacuum_vacuum_threshold": 1000,
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    options = ", ".join(f"{key} = {value}" for key, value in _STORAGE.items())
    for table in _TABLES:
        op.execute(f"ALTER TABLE {table} SET ({options})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in _TABLES:
        op.execute(f"ALTER TABLE {table} RESET ({', '.join(_STORAGE)})")
