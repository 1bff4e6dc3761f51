"""AI-assisted coding: runs, their recorded calls and their suggestions.

Revision ID: 0016_assist
Revises: 0015_jobs_table
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_assist"
down_revision: str | None = "0015_jobs_table"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "assist_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("coder_id", sa.Integer(), nullable=True),
        sa.Column("endpoint", sa.String(length=500), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("scope", sa.JSON(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("prompt_tokens", sa.Integer(), nullable=False),
        sa.Column("completion_tokens", sa.Integer(), nullable=False),
        sa.Column("energy_wh", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["coder_id"],
            ["qual_coders.id"],
            name=op.f("fk_assist_runs_coder_id_qual_coders"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["started_by_id"],
            ["users.id"],
            name=op.f("fk_assist_runs_started_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assist_runs")),
    )
    with op.batch_alter_table("assist_runs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assist_runs_coder_id"), ["coder_id"], unique=False
        )

    op.create_table(
        "assist_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("endpoint", sa.String(length=500), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("prompt_tokens", sa.Integer(), nullable=False),
        sa.Column("completion_tokens", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["qual_documents.id"],
            name=op.f("fk_assist_calls_document_id_qual_documents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["assist_runs.id"],
            name=op.f("fk_assist_calls_run_id_assist_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assist_calls")),
    )
    with op.batch_alter_table("assist_calls", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assist_calls_run_id"), ["run_id"], unique=False
        )

    op.create_table(
        "assist_suggestions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("code_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("coding_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["code_id"],
            ["qual_codes.id"],
            name=op.f("fk_assist_suggestions_code_id_qual_codes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["coding_id"],
            ["qual_codings.id"],
            name=op.f("fk_assist_suggestions_coding_id_qual_codings"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_assist_suggestions_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["qual_documents.id"],
            name=op.f("fk_assist_suggestions_document_id_qual_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["assist_runs.id"],
            name=op.f("fk_assist_suggestions_run_id_assist_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assist_suggestions")),
    )
    with op.batch_alter_table("assist_suggestions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assist_suggestions_code_id"), ["code_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_assist_suggestions_coding_id"), ["coding_id"], unique=False
        )
        batch_op.create_index(
            "ix_assist_suggestions_document_id_start",
            ["document_id", "start"],
            unique=False,
        )
        batch_op.create_index(
            "ix_assist_suggestions_run_id_status", ["run_id", "status"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("assist_suggestions", schema=None) as batch_op:
        batch_op.drop_index("ix_assist_suggestions_run_id_status")
        batch_op.drop_index("ix_assist_suggestions_document_id_start")
        batch_op.drop_index(batch_op.f("ix_assist_suggestions_coding_id"))
        batch_op.drop_index(batch_op.f("ix_assist_suggestions_code_id"))

    op.drop_table("assist_suggestions")
    with op.batch_alter_table("assist_calls", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assist_calls_run_id"))

    op.drop_table("assist_calls")
    with op.batch_alter_table("assist_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assist_runs_coder_id"))

    op.drop_table("assist_runs")
