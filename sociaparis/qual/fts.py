"""Full-text index DDL for the documents table, one variant per backend.

- **SQLite**: an external-content FTS5 table ``qual_documents_fts`` over
  ``qual_documents.text`` with the ``unicode61 remove_diacritics 2`` tokenizer
  (case and accents folded: "egalite" finds "Égalité"), kept in sync by
  triggers.  The text is not stored twice: FTS5 reads it from the documents table.
- **PostgreSQL**: a generated column ``qual_fts_vector`` holding
  ``to_tsvector('french', sociaparis_unaccent(text))`` (computed once per
  document, not at every search), with a GIN index.  ``sociaparis_unaccent`` is
  an immutable wrapper around the ``unaccent`` extension when
  ``CREATE EXTENSION unaccent`` works, and otherwise a ``translate()`` of the
  accented letters of French (so accents are still folded without the extension).

The same statements are run by the migration and, for a database made with
``create_all``, by the ``after_create`` event that :func:`attach` registers.  The
names are listed in ``Base.metadata.info["unmanaged"]`` so that schema
comparisons leave them alone.

A later migration that rebuilds ``qual_documents`` through Alembic's batch mode
on SQLite drops the triggers with the old table: it must call
:func:`create_sqlite` again.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, event, text
from sqlalchemy.exc import DBAPIError

from sociaparis.core.db import Base

FTS_TABLE = "qual_documents_fts"
PG_INDEX = "ix_qual_documents_fts"
PG_FUNCTION = "sociaparis_unaccent"
PG_COLUMN = "qual_fts_vector"
#: the text search configuration used on PostgreSQL
PG_CONFIG = "french"
#: objects made by this DDL, to be ignored by schema comparisons
UNMANAGED_NAMES = frozenset(
    {
        FTS_TABLE,
        f"{FTS_TABLE}_data",
        f"{FTS_TABLE}_idx",
        f"{FTS_TABLE}_docsize",
        f"{FTS_TABLE}_config",
        f"{FTS_TABLE}_content",
        PG_INDEX,
        PG_COLUMN,
    }
)

ACCENTED = "àâäáãåçéèêëíìîïñóòôöõúùûüýÿÀÂÄÁÃÅÇÉÈÊËÍÌÎÏÑÓÒÔÖÕÚÙÛÜÝŸ"
PLAIN = "aaaaaaceeeeiiiinooooouuuuyyAAAAAACEEEEIIIINOOOOOUUUUYY"

SQLITE_CREATE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(text, "
    "content='qual_documents', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ai AFTER INSERT ON qual_documents "
    f"BEGIN INSERT INTO {FTS_TABLE}(rowid, text) VALUES (new.id, new.text); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ad AFTER DELETE ON qual_documents "
    f"BEGIN INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, text) "
    "VALUES ('delete', old.id, old.text); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_au AFTER UPDATE OF text "
    f"ON qual_documents BEGIN INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, text) "
    f"VALUES ('delete', old.id, old.text); INSERT INTO {FTS_TABLE}(rowid, text) "
    "VALUES (new.id, new.text); END",
    # index the rows that are already there (a migration on an existing database)
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",
)
SQLITE_DROP = (
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_ai",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_ad",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_au",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
)


def create_sqlite(connection: Connection) -> None:
    """Create the FTS5 table and its triggers, and index the existing rows."""
    for statement in SQLITE_CREATE:
        connection.exec_driver_sql(statement)


def _unaccent_schema(connection: Connection) -> str | None:
    """Install ``unaccent`` if possible; return its schema, or None without it."""
    available = connection.execute(
        text("SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent'")
    ).first()
    if available is None:
        return None
    try:
        with connection.begin_nested():
            connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS unaccent")
    except DBAPIError:  # no privilege: fall back to translate()
        pass
    return connection.execute(
        text(
            "SELECT n.nspname FROM pg_extension e "
            "JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'unaccent'"
        )
    ).scalar()


def unaccent_function_sql(name: str, schema: str | None) -> str:
    """``CREATE FUNCTION name(text)``: the ``unaccent`` extension in ``schema``, or,
    without it (``None``), a ``translate()`` of the accented letters of French."""
    if schema is not None:
        body = f'SELECT "{schema}".unaccent(\'"{schema}".unaccent\'::regdictionary, $1)'
    else:
        body = f"SELECT translate($1, '{ACCENTED}', '{PLAIN}')"
    return (
        f"CREATE OR REPLACE FUNCTION {name}(text) RETURNS text "
        f"LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ {body} $$"
    )


def create_postgresql(connection: Connection) -> bool:
    """Create ``sociaparis_unaccent``, the vector column and its GIN index; True
    when the unaccent extension is used."""
    schema = _unaccent_schema(connection)
    connection.exec_driver_sql(unaccent_function_sql(PG_FUNCTION, schema))
    connection.exec_driver_sql(
        f"ALTER TABLE qual_documents ADD COLUMN IF NOT EXISTS {PG_COLUMN} tsvector "
        f"GENERATED ALWAYS AS (to_tsvector('{PG_CONFIG}'::regconfig, "
        f"{PG_FUNCTION}(text))) STORED"
    )
    connection.exec_driver_sql(
        f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON qual_documents USING gin ({PG_COLUMN})"
    )
    return schema is not None


def drop_postgresql(connection: Connection) -> None:
    """Drop the index, the column and the function (the extension stays)."""
    connection.exec_driver_sql(f"DROP INDEX IF EXISTS {PG_INDEX}")
    connection.exec_driver_sql(
        f"ALTER TABLE qual_documents DROP COLUMN IF EXISTS {PG_COLUMN}"
    )
    connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {PG_FUNCTION}(text)")


def create(connection: Connection) -> None:
    """Create the full-text structures for the connection's backend."""
    if connection.dialect.name == "sqlite":
        create_sqlite(connection)
    elif connection.dialect.name == "postgresql":
        create_postgresql(connection)


def drop(connection: Connection) -> None:
    """Drop the full-text structures for the connection's backend."""
    if connection.dialect.name == "sqlite":
        for statement in SQLITE_DROP:
            connection.exec_driver_sql(statement)
    elif connection.dialect.name == "postgresql":
        drop_postgresql(connection)


def attach(table: Table) -> None:
    """Create and drop the full-text structures with ``table`` (``create_all``)."""

    def after_create(target: Table, connection: Connection, **_: Any) -> None:
        create(connection)

    def before_drop(target: Table, connection: Connection, **_: Any) -> None:
        drop(connection)

    event.listen(table, "after_create", after_create)
    event.listen(table, "before_drop", before_drop)
    Base.metadata.info.setdefault("unmanaged", set()).update(UNMANAGED_NAMES)
