"""Qualitative corpus: documents, cases, codebook, codings, history, full-text index.

Also the pseudonymization review and the admin-only re-identification table.
The full-text structures (an FTS5 table and triggers on SQLite; an unaccent
wrapper, a generated tsvector column and its GIN index on PostgreSQL) are made by
:mod:`sociaparis.qual.fts`, whose ``create``/``drop`` functions this migration
relies on.

Revision ID: 0004_qual_corpus
Revises: 0003_fielding
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from sociaparis.qual import fts

revision: str = "0004_qual_corpus"
down_revision: str | None = "0003_fielding"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "qual_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guid", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qual_cases")),
        sa.UniqueConstraint("guid", name=op.f("uq_qual_cases_guid")),
        sa.UniqueConstraint("name", name=op.f("uq_qual_cases_name")),
    )
    op.create_table(
        "qual_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guid", sa.String(length=36), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("inclusion", sa.Text(), nullable=False),
        sa.Column("exclusion", sa.Text(), nullable=False),
        sa.Column("example", sa.Text(), nullable=False),
        sa.Column("color", sa.String(length=7), nullable=True),
        sa.Column("codable", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["qual_codes.id"],
            name=op.f("fk_qual_codes_parent_id_qual_codes"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qual_codes")),
        sa.UniqueConstraint("guid", name=op.f("uq_qual_codes_guid")),
    )
    with op.batch_alter_table("qual_codes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_qual_codes_parent_id"), ["parent_id"], unique=False
        )

    op.create_table(
        "qual_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guid", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("format", sa.String(length=32), nullable=False),
        sa.Column("filename", sa.String(length=500), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("needs_pseudonymization", sa.Boolean(), nullable=False),
        sa.Column("paragraphs", sa.JSON(), nullable=False),
        sa.Column("text_path", sa.String(length=1000), nullable=True),
        sa.Column("created_by", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("modified_by", sa.String(length=36), nullable=True),
        sa.Column("modified_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qual_documents")),
        sa.UniqueConstraint("guid", name=op.f("uq_qual_documents_guid")),
    )
    with op.batch_alter_table("qual_documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_qual_documents_sha256"), ["sha256"], unique=False
        )

    op.create_table(
        "qual_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("document_guid", sa.String(length=36), nullable=True),
        sa.Column("code_guid", sa.String(length=36), nullable=True),
        sa.Column("coding_guid", sa.String(length=36), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qual_events")),
    )
    with op.batch_alter_table("qual_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_qual_events_kind"), ["kind"], unique=False)

    op.create_table(
        "qual_memos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guid", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("modified_by", sa.String(length=36), nullable=True),
        sa.Column("modified_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qual_memos")),
        sa.UniqueConstraint("guid", name=op.f("uq_qual_memos_guid")),
    )
    op.create_table(
        "qual_projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("origin", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("base_path", sa.String(length=1000), nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("modified_by", sa.String(length=36), nullable=True),
        sa.Column("modified_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qual_projects")),
    )
    op.create_table(
        "qual_reidentification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("keys", sa.JSON(), nullable=False),
        sa.Column("forms", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qual_reidentification")),
        sa.UniqueConstraint(
            "kind", "number", name=op.f("uq_qual_reidentification_kind_number")
        ),
    )
    op.create_table(
        "qual_sets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guid", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qual_sets")),
        sa.UniqueConstraint("guid", name=op.f("uq_qual_sets_guid")),
    )
    op.create_table(
        "qual_variables",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guid", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qual_variables")),
        sa.UniqueConstraint("guid", name=op.f("uq_qual_variables_guid")),
        sa.UniqueConstraint("name", name=op.f("uq_qual_variables_name")),
    )
    op.create_table(
        "qual_case_documents",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["qual_cases.id"],
            name=op.f("fk_qual_case_documents_case_id_qual_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["qual_documents.id"],
            name=op.f("fk_qual_case_documents_document_id_qual_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "case_id", "document_id", name=op.f("pk_qual_case_documents")
        ),
    )
    with op.batch_alter_table("qual_case_documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_qual_case_documents_document_id"),
            ["document_id"],
            unique=False,
        )

    op.create_table(
        "qual_case_values",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("variable_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.String(length=1000), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["qual_cases.id"],
            name=op.f("fk_qual_case_values_case_id_qual_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["variable_id"],
            ["qual_variables.id"],
            name=op.f("fk_qual_case_values_variable_id_qual_variables"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "case_id", "variable_id", name=op.f("pk_qual_case_values")
        ),
    )
    with op.batch_alter_table("qual_case_values", schema=None) as batch_op:
        batch_op.create_index(
            "ix_qual_case_values_variable_value", ["variable_id", "value"], unique=False
        )

    op.create_table(
        "qual_coders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guid", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("login", sa.String(length=200), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["users.id"],
            name=op.f("fk_qual_coders_account_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qual_coders")),
        sa.UniqueConstraint("account_id", name=op.f("uq_qual_coders_account_id")),
        sa.UniqueConstraint("guid", name=op.f("uq_qual_coders_guid")),
    )
    op.create_table(
        "qual_document_values",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("variable_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.String(length=1000), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["qual_documents.id"],
            name=op.f("fk_qual_document_values_document_id_qual_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["variable_id"],
            ["qual_variables.id"],
            name=op.f("fk_qual_document_values_variable_id_qual_variables"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "document_id", "variable_id", name=op.f("pk_qual_document_values")
        ),
    )
    op.create_table(
        "qual_memo_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("memo_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("target_guid", sa.String(length=36), nullable=False),
        sa.Column("start", sa.Integer(), nullable=True),
        sa.Column("end", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["memo_id"],
            ["qual_memos.id"],
            name=op.f("fk_qual_memo_targets_memo_id_qual_memos"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qual_memo_targets")),
    )
    with op.batch_alter_table("qual_memo_targets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_qual_memo_targets_memo_id"), ["memo_id"], unique=False
        )

    op.create_table(
        "qual_review_replacements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("original", sa.String(length=1000), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=64), nullable=False),
        sa.Column("detector", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=1000), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["qual_documents.id"],
            name=op.f("fk_qual_review_replacements_document_id_qual_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qual_review_replacements")),
        sa.UniqueConstraint(
            "document_id",
            "position",
            name=op.f("uq_qual_review_replacements_document_id_position"),
        ),
    )
    op.create_table(
        "qual_set_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("set_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("member_guid", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["set_id"],
            ["qual_sets.id"],
            name=op.f("fk_qual_set_members_set_id_qual_sets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qual_set_members")),
    )
    with op.batch_alter_table("qual_set_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_qual_set_members_set_id"), ["set_id"], unique=False
        )

    op.create_table(
        "qual_turns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("speaker", sa.String(length=200), nullable=True),
        sa.Column("start_s", sa.Float(), nullable=True),
        sa.Column("end_s", sa.Float(), nullable=True),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["qual_documents.id"],
            name=op.f("fk_qual_turns_document_id_qual_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qual_turns")),
        sa.UniqueConstraint(
            "document_id", "position", name=op.f("uq_qual_turns_document_id_position")
        ),
    )
    op.create_table(
        "qual_codings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guid", sa.String(length=36), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("code_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("coder_id", sa.Integer(), nullable=True),
        sa.Column("memo", sa.Text(), nullable=True),
        sa.Column("selection_guid", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["code_id"],
            ["qual_codes.id"],
            name=op.f("fk_qual_codings_code_id_qual_codes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["coder_id"],
            ["qual_coders.id"],
            name=op.f("fk_qual_codings_coder_id_qual_coders"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["qual_documents.id"],
            name=op.f("fk_qual_codings_document_id_qual_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qual_codings")),
        sa.UniqueConstraint("guid", name=op.f("uq_qual_codings_guid")),
    )
    with op.batch_alter_table("qual_codings", schema=None) as batch_op:
        batch_op.create_index("ix_qual_codings_code_id", ["code_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_qual_codings_coder_id"), ["coder_id"], unique=False
        )
        batch_op.create_index(
            "ix_qual_codings_document_id_start", ["document_id", "start"], unique=False
        )
    fts.create(op.get_bind())


def downgrade() -> None:
    fts.drop(op.get_bind())
    with op.batch_alter_table("qual_codings", schema=None) as batch_op:
        batch_op.drop_index("ix_qual_codings_document_id_start")
        batch_op.drop_index(batch_op.f("ix_qual_codings_coder_id"))
        batch_op.drop_index("ix_qual_codings_code_id")

    op.drop_table("qual_codings")
    op.drop_table("qual_turns")
    with op.batch_alter_table("qual_set_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qual_set_members_set_id"))

    op.drop_table("qual_set_members")
    op.drop_table("qual_review_replacements")
    with op.batch_alter_table("qual_memo_targets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qual_memo_targets_memo_id"))

    op.drop_table("qual_memo_targets")
    op.drop_table("qual_document_values")
    op.drop_table("qual_coders")
    with op.batch_alter_table("qual_case_values", schema=None) as batch_op:
        batch_op.drop_index("ix_qual_case_values_variable_value")

    op.drop_table("qual_case_values")
    with op.batch_alter_table("qual_case_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qual_case_documents_document_id"))

    op.drop_table("qual_case_documents")
    op.drop_table("qual_variables")
    op.drop_table("qual_sets")
    op.drop_table("qual_reidentification")
    op.drop_table("qual_projects")
    op.drop_table("qual_memos")
    with op.batch_alter_table("qual_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qual_events_kind"))

    op.drop_table("qual_events")
    with op.batch_alter_table("qual_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qual_documents_sha256"))

    op.drop_table("qual_documents")
    with op.batch_alter_table("qual_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qual_codes_parent_id"))

    op.drop_table("qual_codes")
    op.drop_table("qual_cases")
