"""Counts kept by the database as responses, invitations and durations are written.

Monitoring (the home page, ``/fielding/FORM_ID``, ``sociaparis monitor``) shows
counts of responses by version, recorded attributes, status, current page and
completion day; of invitations by attributes and use; and the medians of the
page durations. Reading every response for each view grows with the survey;
these tables hold the counts instead, a few hundred rows per form:

- ``response_counts``: responses by (version, attributes as stored, status,
  synthetic, current page if not completed, completion day if completed);
- ``invitation_counts``: invitations by (form, attributes as stored, used);
- ``page_duration_counts``: durations by (form, page, seconds): the histogram
  the medians are read from.

They are kept by triggers on the counted tables, not by the Python code that
writes them: a count then changes in the transaction that writes the row
(rolled back with it), whatever writes it (the respondent's pages, the demo's
synthetic responses, ``sociaparis response delete``, a bulk load), and with
one statement, ``n = n + 1`` as an upsert, never a read then a write, so two
respondents saving at once cannot lose an increment (SQLite runs one writer at
a time; PostgreSQL locks the counter's row until the transaction ends).

On PostgreSQL each change goes to one of :data:`SHARDS` rows of its key, drawn
at random, so that respondents passing the same page at the same moment do
not queue on one row's lock; a count is the sum of its shards (a shard may
hold a negative number: a decrement may land on another shard than the
increment). When a trigger changes two rows (a response moving from one page
to the next) it changes them in key order, so that two such transactions
cannot wait for each other. SQLite, with one writer, uses shard 0 only.

The same statements are run by the migration (after it fills the tables from
the rows already there: :func:`backfill`) and, for a database made with
``create_all``, by the ``after_create`` event that :func:`attach` registers.
A later migration that rebuilds one of the counted tables through Alembic's
batch mode on SQLite drops its triggers with the old table: it must call
:func:`create` again.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, event

from sociaparis.core.db import Base

#: Rows per key a count is spread over on PostgreSQL.
SHARDS = 8

_COMPLETED = "'completed'"

# name: (counted table, counts table, key columns, key expressions (SQLite,
# PostgreSQL) over the row ``R``, columns whose change can move a row)
_Spec = tuple[
    str, str, tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]
]
_COUNTS: dict[str, _Spec] = {
    "responses": (
        "responses",
        "response_counts",
        ("instrument_id", "attributes", "status", "synthetic", "page", "day"),
        (
            "R.instrument_id",
            "coalesce(R.attributes, 'null')",
            "R.status",
            "R.synthetic",
            f"CASE WHEN R.status = {_COMPLETED} THEN '' "
            "ELSE coalesce(R.current_page, '') END",
            f"CASE WHEN R.status = {_COMPLETED} "
            "THEN coalesce(R.completed_on, R.started_on) ELSE '' END",
        ),
        (
            "R.instrument_id",
            "coalesce(R.attributes::text, 'null')",
            "R.status",
            "R.synthetic",
            f"CASE WHEN R.status = {_COMPLETED} THEN '' "
            "ELSE coalesce(R.current_page, '') END",
            f"CASE WHEN R.status = {_COMPLETED} THEN "
            "to_char(coalesce(R.completed_on, R.started_on), 'YYYY-MM-DD') "
            "ELSE '' END",
        ),
        (
            "instrument_id",
            "attributes",
            "status",
            "synthetic",
            "current_page",
            "completed_on",
            "started_on",
        ),
    ),
    "invitations": (
        "invitations",
        "invitation_counts",
        ("form_id", "attributes", "used"),
        ("R.form_id", "coalesce(R.attributes, 'null')", "R.used"),
        ("R.form_id", "coalesce(R.attributes::text, 'null')", "R.used"),
        ("form_id", "attributes", "used"),
    ),
    "page_durations": (
        "page_durations",
        "page_duration_counts",
        ("form_id", "page", "seconds"),
        ("R.form_id", "R.page", "R.seconds"),
        ("R.form_id", "R.page", "R.seconds"),
        ("form_id", "page", "seconds"),
    ),
}

#: The triggers and functions made here, ignored by schema comparisons.
UNMANAGED_NAMES = frozenset(
    {f"{name}_count_{op}" for name in _COUNTS for op in ("ai", "ad", "au")}
    | {f"sociaparis_count_{name}" for name in _COUNTS}
)


def _of(expressions: tuple[str, ...], row: str) -> list[str]:
    return [e.replace("R.", f"{row}.") for e in expressions]


def _sqlite_upsert(
    counts: str, columns: tuple[str, ...], values: list[str], delta: int
) -> str:
    names = ", ".join((*columns, "shard", "n"))
    return (
        f"INSERT INTO {counts} ({names}) VALUES ({', '.join(values)}, 0, {delta}) "
        f"ON CONFLICT ({', '.join((*columns, 'shard'))}) "
        f"DO UPDATE SET n = n + {delta};"
    )


def sqlite_statements(name: str) -> list[str]:
    """The ``CREATE TRIGGER`` statements keeping one counts table on SQLite."""
    table, counts, columns, keys, _, moving = _COUNTS[name]
    new, old = _of(keys, "NEW"), _of(keys, "OLD")
    changed = " OR ".join(f"({o}) IS NOT ({n})" for o, n in zip(old, new, strict=True))
    return [
        f"CREATE TRIGGER IF NOT EXISTS {name}_count_ai AFTER INSERT ON {table} "
        f"BEGIN {_sqlite_upsert(counts, columns, new, 1)} END",
        f"CREATE TRIGGER IF NOT EXISTS {name}_count_ad AFTER DELETE ON {table} "
        f"BEGIN {_sqlite_upsert(counts, columns, old, -1)} END",
        f"CREATE TRIGGER IF NOT EXISTS {name}_count_au AFTER UPDATE OF "
        f"{', '.join(moving)} ON {table} WHEN {changed} "
        f"BEGIN {_sqlite_upsert(counts, columns, old, -1)} "
        f"{_sqlite_upsert(counts, columns, new, 1)} END",
    ]


def postgresql_statements(name: str) -> list[str]:
    """The function and trigger keeping one counts table on PostgreSQL."""
    table, counts, columns, _, keys, moving = _COUNTS[name]
    new, old = _of(keys, "NEW"), _of(keys, "OLD")
    names = ", ".join((*columns, "shard", "n"))
    conflict = ", ".join((*columns, "shard"))

    def upsert(values: list[str], shard: str, delta: str) -> str:
        return (
            f"INSERT INTO {counts} ({names}) "
            f"VALUES ({', '.join(values)}, {shard}, {delta}) "
            f"ON CONFLICT ({conflict}) DO UPDATE SET n = {counts}.n + EXCLUDED.n;"
        )

    function = f"sociaparis_count_{name}"
    body = f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  old_shard integer := floor(random() * {SHARDS});
  new_shard integer := floor(random() * {SHARDS});
BEGIN
  IF TG_OP = 'INSERT' THEN
    {upsert(new, "new_shard", "1")}
  ELSIF TG_OP = 'DELETE' THEN
    {upsert(old, "old_shard", "-1")}
  ELSIF ROW({", ".join(old)}) IS DISTINCT FROM ROW({", ".join(new)}) THEN
    -- Both rows in key order: two transactions never wait for each other.
    IF ROW({", ".join(old)}, old_shard) < ROW({", ".join(new)}, new_shard) THEN
      {upsert(old, "old_shard", "-1")}
      {upsert(new, "new_shard", "1")}
    ELSE
      {upsert(new, "new_shard", "1")}
      {upsert(old, "old_shard", "-1")}
    END IF;
  END IF;
  RETURN NULL;
END $$"""
    return [
        body,
        f"DROP TRIGGER IF EXISTS {name}_count_ai ON {table}",
        f"CREATE TRIGGER {name}_count_ai AFTER INSERT OR DELETE OR UPDATE OF "
        f"{', '.join(moving)} ON {table} FOR EACH ROW EXECUTE FUNCTION {function}()",
    ]


def backfill_statement(name: str, dialect: str) -> str:
    """The ``INSERT … SELECT`` counting the rows already in a counted table."""
    table, counts, columns, sqlite_keys, pg_keys, _ = _COUNTS[name]
    keys = _of(sqlite_keys if dialect == "sqlite" else pg_keys, table)
    return (
        f"INSERT INTO {counts} ({', '.join((*columns, 'shard', 'n'))}) "
        f"SELECT {', '.join(keys)}, 0, count(*) FROM {table} "
        f"GROUP BY {', '.join(keys)}"
    )


def create_for(connection: Connection, name: str) -> None:
    """Create the triggers keeping the counts of one counted table."""
    if connection.dialect.name == "sqlite":
        statements = sqlite_statements(name)
    elif connection.dialect.name == "postgresql":
        statements = postgresql_statements(name)
    else:
        return
    for statement in statements:
        connection.exec_driver_sql(statement)


def create(connection: Connection) -> None:
    """Create the triggers of every counts table."""
    for name in _COUNTS:
        create_for(connection, name)


def drop(connection: Connection) -> None:
    """Drop the triggers (and PostgreSQL functions) of every counts table."""
    for name, (table, *_) in _COUNTS.items():
        if connection.dialect.name == "sqlite":
            for op in ("ai", "ad", "au"):
                connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}_count_{op}")
        elif connection.dialect.name == "postgresql":
            connection.exec_driver_sql(
                f"DROP TRIGGER IF EXISTS {name}_count_ai ON {table}"
            )
            connection.exec_driver_sql(
                f"DROP FUNCTION IF EXISTS sociaparis_count_{name}()"
            )


def backfill(connection: Connection) -> None:
    """Fill the (empty) counts tables from the rows already stored."""
    for name in _COUNTS:
        connection.exec_driver_sql(backfill_statement(name, connection.dialect.name))


def attach(tables: dict[str, Table]) -> None:
    """Create the triggers with their counted tables (``create_all``).

    ``tables``: the counted tables by name. The triggers' bodies name the
    counts tables, which neither SQLite nor PostgreSQL looks up before a
    trigger runs, so the order ``create_all`` makes the tables in does not
    matter.
    """
    for name in _COUNTS:

        def after_create(
            target: Table, connection: Connection, name: str = name, **_: Any
        ) -> None:
            create_for(connection, name)

        event.listen(tables[_COUNTS[name][0]], "after_create", after_create)
    Base.metadata.info.setdefault("unmanaged", set()).update(UNMANAGED_NAMES)
