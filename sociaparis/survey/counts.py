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

On PostgreSQL the triggers run once a statement, over the rows it changed
(transition tables), so that a bulk load adds one grouped upsert a statement;
each change goes to one of :data:`SHARDS` rows of its key, drawn at random,
so that respondents passing the same page at the same moment do not queue on
one row's lock; a count is the sum of its shards (a shard may hold a negative
number: a decrement may land on another shard than the increment). When a
statement changes two counters (a response moving from one page to the next)
it changes them in key order, so that two such transactions cannot wait for
each other. SQLite, with one writer and rows changed in place, has row
triggers and uses shard 0 only.

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

#: Rows per key a count of responses or invitations is spread over on
#: PostgreSQL (durations, spread over pages and seconds already, use one).
SHARDS = 8

#: The status of a completed response, as an SQL literal.
COMPLETED_SQL = "'completed'"

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
            f"CASE WHEN R.status = {COMPLETED_SQL} THEN '' "
            "ELSE coalesce(R.current_page, '') END",
            f"CASE WHEN R.status = {COMPLETED_SQL} "
            "THEN coalesce(R.completed_on, R.started_on) ELSE '' END",
        ),
        (
            "R.instrument_id",
            "coalesce(R.attributes::text, 'null')",
            "R.status",
            "R.synthetic",
            f"CASE WHEN R.status = {COMPLETED_SQL} THEN '' "
            "ELSE coalesce(R.current_page, '') END",
            f"CASE WHEN R.status = {COMPLETED_SQL} THEN "
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
    """The function and triggers keeping one counts table on PostgreSQL.

    Statement-level triggers over the rows the statement changed (transition
    tables): one grouped upsert a statement, however many rows it writes. A
    row-level trigger updating the same counter once a row would leave, in a
    bulk load's single transaction, a chain of row versions that each further
    update walks (200,000 invitations imported at once took minutes).
    """
    table, counts, columns, _, keys, _ = _COUNTS[name]
    names = ", ".join((*columns, "shard", "n"))
    conflict = ", ".join((*columns, "shard"))
    key_names = ", ".join(f"k{n}" for n in range(len(columns)))

    # Durations are spread over pages and seconds already: one row a key
    # keeps their histogram as small as it can be.
    shards = 1 if name == "page_durations" else SHARDS

    def upsert(changes: str) -> str:
        # One row per key, in key order: two transactions lock shared counters
        # in the same order, so neither waits for the other.
        return (
            f"INSERT INTO {counts} ({names}) "
            f"SELECT {key_names}, floor(random() * {shards})::integer, sum(d) "
            f"FROM ({changes}) AS changes({key_names}, d) "
            f"GROUP BY {key_names} HAVING sum(d) <> 0 ORDER BY {key_names} "
            f"ON CONFLICT ({conflict}) DO UPDATE SET n = {counts}.n + EXCLUDED.n;"
        )

    def rows(transition: str, delta: int) -> str:
        return f"SELECT {', '.join(keys)}, {delta} FROM {transition} AS R"

    function = f"sociaparis_count_{name}"
    body = f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {upsert(rows("new_rows", 1))}
  ELSIF TG_OP = 'DELETE' THEN
    {upsert(rows("old_rows", -1))}
  ELSE
    {upsert(rows("old_rows", -1) + " UNION ALL " + rows("new_rows", 1))}
  END IF;
  RETURN NULL;
END $$"""
    referencing = {
        "ai": ("INSERT", "NEW TABLE AS new_rows"),
        "ad": ("DELETE", "OLD TABLE AS old_rows"),
        "au": ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
    }
    statements = [body]
    for suffix, (event_name, tables) in referencing.items():
        trigger = f"{name}_count_{suffix}"
        statements += [
            f"DROP TRIGGER IF EXISTS {trigger} ON {table}",
            f"CREATE TRIGGER {trigger} AFTER {event_name} ON {table} "
            f"REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        ]
    return statements


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
            for op in ("ai", "ad", "au"):
                connection.exec_driver_sql(
                    f"DROP TRIGGER IF EXISTS {name}_count_{op} ON {table}"
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
