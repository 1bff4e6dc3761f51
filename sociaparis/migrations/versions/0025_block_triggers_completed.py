"""The export blocks' triggers fire only for a response that was completed.

A response in progress is in no filled block (:mod:`sociaparis.survey.blocks`),
so the save of a respondent's page no longer runs the trigger's look-up. The
triggers (and PostgreSQL's function) are made again; no data changes.

Revision ID: 0025_block_triggers_completed
Revises: 0024_export_blocks
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

from sociaparis.survey import blocks

revision: str = "0025_block_triggers_completed"
down_revision: str | None = "0024_export_blocks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The triggers of 0024, for the downgrade: on every update or delete of a
# response in a block.
_DROP = (
    "DELETE FROM export_blocks WHERE id IN "
    "(SELECT block_id FROM export_block_members WHERE response_id = OLD.id)"
)
_MEMBER = "EXISTS (SELECT 1 FROM export_block_members WHERE response_id = OLD.id)"


def upgrade() -> None:
    connection = op.get_bind()
    blocks.drop(connection)
    blocks.create(connection)


def downgrade() -> None:
    connection = op.get_bind()
    blocks.drop(connection)
    postgresql = connection.dialect.name == "postgresql"
    if postgresql:
        connection.exec_driver_sql(
            "CREATE FUNCTION sociaparis_drop_export_block() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN {_DROP}; RETURN NULL; END $$"
        )
    for suffix, event in (("au", "UPDATE"), ("ad", "DELETE")):
        fires = (
            "FOR EACH ROW EXECUTE FUNCTION sociaparis_drop_export_block()"
            if postgresql
            else f"WHEN {_MEMBER} BEGIN {_DROP}; END"
        )
        connection.exec_driver_sql(
            f"CREATE TRIGGER responses_block_{suffix} AFTER {event} ON responses " + fires
        )
