"""Anonymous invitations: uses recorded apart from invitations; responses without rowid.

An anonymous instrument's invitation is no longer marked used in the transaction
that starts its response: the use is an unlinkable tag in ``invitation_uses``.
On SQLite, ``responses`` and ``invitation_uses`` are rebuilt WITHOUT ROWID, so
their rows sit in the order of their random keys, not in the order of creation.

Links already written by earlier versions (an invitation marked used in the same
transaction as its response) are cut from the live tables: on PostgreSQL every
used invitation and every anonymous response is rewritten in this migration's
transaction (their ``xmin`` becomes the same), on SQLite the rebuilt table
forgets its creation order. Database logs and backups taken before the upgrade
still hold the old links (docs/fielding.md, "Anonymity").

Revision ID: 0006_anonymous_uses
Revises: 0005_compare_matrix
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_anonymous_uses"
down_revision: str | None = "0005_compare_matrix"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "invitation_uses",
        sa.Column("tag", sa.String(length=64), nullable=False),
        sa.Column("form_id", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("tag", name=op.f("pk_invitation_uses")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("invitation_uses", schema=None) as batch_op:
        batch_op.create_index("ix_invitation_uses_form_id", ["form_id"], unique=False)
    with op.batch_alter_table("fieldings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("use_key_id", sa.String(length=16), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table(
            "responses", recreate="always", table_kwargs={"sqlite_with_rowid": False}
        ):
            pass
    else:
        op.execute("UPDATE invitations SET used = used WHERE used")
        op.execute("UPDATE responses SET revision = revision WHERE invitation_id IS NULL")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table(
            "responses", recreate="always", table_kwargs={"sqlite_with_rowid": True}
        ):
            pass
    with op.batch_alter_table("fieldings", schema=None) as batch_op:
        batch_op.drop_column("use_key_id")
    with op.batch_alter_table("invitation_uses", schema=None) as batch_op:
        batch_op.drop_index("ix_invitation_uses_form_id")
    op.drop_table("invitation_uses")
