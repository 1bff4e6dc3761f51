"""Fielding closed by a researcher; the mail log and opt-outs of invitation e-mails.

Revision ID: 0008_mail
Revises: 0007_account_sessions
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_mail"
down_revision: str | None = "0007_account_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("fieldings") as batch:
        batch.add_column(
            sa.Column("closed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "mail_log",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("form_id", sa.String(length=200), nullable=False),
        sa.Column("mailing", sa.String(length=40), nullable=False),
        sa.Column("recipient_key", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("message_id", sa.String(length=200), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_log")),
        sa.UniqueConstraint(
            "form_id",
            "mailing",
            "recipient_key",
            name=op.f("uq_mail_log_form_id_mailing_recipient_key"),
        ),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_mail_log_form_id", "mail_log", ["form_id"])
    op.create_table(
        "mail_optouts",
        sa.Column("recipient_key", sa.String(length=64), nullable=False),
        sa.Column("form_id", sa.String(length=200), nullable=False),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("recipient_key", name=op.f("pk_mail_optouts")),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("mail_optouts")
    op.drop_index("ix_mail_log_form_id", table_name="mail_log")
    op.drop_table("mail_log")
    with op.batch_alter_table("fieldings") as batch:
        batch.drop_column("closed")
