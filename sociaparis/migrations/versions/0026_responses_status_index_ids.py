"""On PostgreSQL, the status index holds the responses' ids too.

An export reads the ids of a version's completed responses to find those in
no export block (:mod:`sociaparis.survey.blocks`). PostgreSQL's index on
``(instrument_id, status)`` has no id, so that read visited every response's
row: 3,685 pages for 20,000 responses, against 167 with the id in the index
(an index-only scan). The id is an included column, not a key: the index
serves the same look-ups as before. SQLite's ``responses`` is a table without
rowid whose indexes hold its key, the id, already: nothing changes there.

Revision ID: 0026_responses_status_index_ids
Revises: 0025_block_triggers_completed
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0026_responses_status_index_ids"
down_revision: str | None = "0025_block_triggers_completed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEX = "ix_responses_instrument_status"
_COLUMNS = ["instrument_id", "status"]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index(_INDEX, table_name="responses")
    op.create_index(_INDEX, "responses", _COLUMNS, postgresql_include=["id"])


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index(_INDEX, table_name="responses")
    op.create_index(_INDEX, "responses", _COLUMNS)
