"""Export blocks: the export columns of completed responses, kept by thousands.

An export reads, for each completed response, its kept record (a JSON list)
and turns it into columns. At 100,000 responses that is most of an export's
time, one Python object per cell. An export block holds the columns of
:data:`BLOCK_RESPONSES` completed responses of one version as one Arrow
stream (:mod:`sociaparis.survey.io.blocks`), so that the next export reads a
few buffers instead (:func:`~sociaparis.survey.exports.keep_export_blocks`
makes them, :func:`~sociaparis.survey.exports.load_export` reads them and the
responses that are in none).

A block must never outlive what it was made from: a response erased,
pseudonymized or changed in any way must not be exported from an old copy.
So the database drops the block itself, by a trigger on ``responses``: any
update or deletion of a response that belongs to a block deletes that block
(and, by its foreign key, its list of members), in the transaction that
changes the response, whatever changes it (a page, ``sociaparis response
delete``, a migration). The responses of a dropped block are read from their
rows again until a later export puts them in a new block.

A block is made in three steps, so that no change can slip between the
reading and the keeping: its members are claimed first (the block's row
without data, and one row per member: from then on, the trigger drops the
block if one of them changes), then read, then the data is written *only if
the block's row is still there*. A block whose making was interrupted keeps
no data; its claim is removed after :data:`STALE_CLAIM` by the next maker.

Several exports started together share the making: each claims the whole
blocks of responses it finds in none, in a random order, so that they rarely
reach for the same ones, and leaves to the others the responses they claimed
first. An export then waits for the others' claims to be filled, and reads
those blocks rather than the rows of their responses (at most
:data:`CLAIM_PATIENCE` without one being filled: a maker that stopped without
removing its claim is taken for gone).

Only completed responses are put in a block, and a block is filled only if
every member was still completed when it was read. So the triggers fire only
for a response that *was* completed (``WHEN OLD.status = 'completed'``): a
respondent's page saves a response in progress, which is in no filled block,
and the trigger's look-up was half of that update's time on PostgreSQL.

The triggers are made like the counts' (:mod:`sociaparis.survey.counts`): by
the migration that adds the tables, and by ``create_all`` through
:func:`attach`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, Table, event

from sociaparis.core.db import Base
from sociaparis.survey.counts import COMPLETED_SQL

#: Completed responses of one version a block holds. Responses that fill no
#: whole block are read from their rows (at most this many less one).
BLOCK_RESPONSES = 2500

#: How old a claim without data is when its maker is taken for gone.
STALE_CLAIM = timedelta(minutes=30)

#: How long an export waits for the blocks other exports claimed while none of
#: them is filled or dropped, before reading their responses from rows.
CLAIM_PATIENCE = timedelta(seconds=10)

_DROP_BLOCK = (
    "DELETE FROM export_blocks WHERE id IN "
    "(SELECT block_id FROM export_block_members WHERE response_id = OLD.id)"
)

#: When a response's change may concern a block (see the module's documentation).
_WAS_COMPLETED = f"OLD.status = {COMPLETED_SQL}"

#: The triggers and function made here, ignored by schema comparisons.
UNMANAGED_NAMES = frozenset(
    {"responses_block_au", "responses_block_ad", "sociaparis_drop_export_block"}
)


def sqlite_statements() -> list[str]:
    """The ``CREATE TRIGGER`` statements that drop a changed response's block."""
    member = (
        f"{_WAS_COMPLETED} AND "
        "EXISTS (SELECT 1 FROM export_block_members WHERE response_id = OLD.id)"
    )
    return [
        f"CREATE TRIGGER IF NOT EXISTS responses_block_{suffix} AFTER {event_name} "
        f"ON responses WHEN {member} BEGIN {_DROP_BLOCK}; END"
        for suffix, event_name in (("au", "UPDATE"), ("ad", "DELETE"))
    ]


def postgresql_statements() -> list[str]:
    """The function and triggers that drop a changed response's block.

    Row triggers, for a response that was completed: the save of a page in
    progress runs none; a change of a completed response, one look-up in the
    members' primary key.
    """
    statements = [
        "CREATE OR REPLACE FUNCTION sociaparis_drop_export_block() RETURNS trigger "
        f"LANGUAGE plpgsql AS $$ BEGIN {_DROP_BLOCK}; RETURN NULL; END $$"
    ]
    for suffix, event_name in (("au", "UPDATE"), ("ad", "DELETE")):
        statements += [
            f"DROP TRIGGER IF EXISTS responses_block_{suffix} ON responses",
            f"CREATE TRIGGER responses_block_{suffix} AFTER {event_name} ON responses "
            f"FOR EACH ROW WHEN ({_WAS_COMPLETED}) "
            "EXECUTE FUNCTION sociaparis_drop_export_block()",
        ]
    return statements


def create(connection: Connection) -> None:
    """Create the triggers on ``responses`` (SQLite or PostgreSQL)."""
    if connection.dialect.name == "sqlite":
        statements = sqlite_statements()
    elif connection.dialect.name == "postgresql":
        statements = postgresql_statements()
    else:
        return
    for statement in statements:
        connection.exec_driver_sql(statement)


def drop(connection: Connection) -> None:
    """Drop the triggers (and PostgreSQL function)."""
    postgresql = connection.dialect.name == "postgresql"
    for suffix in ("au", "ad"):
        on = " ON responses" if postgresql else ""
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS responses_block_{suffix}{on}")
    if postgresql:
        connection.exec_driver_sql(
            "DROP FUNCTION IF EXISTS sociaparis_drop_export_block()"
        )


def attach(responses: Table) -> None:
    """Create the triggers with the ``responses`` table (``create_all``)."""

    def after_create(target: Table, connection: Connection, **_: Any) -> None:
        create(connection)

    event.listen(responses, "after_create", after_create)
    Base.metadata.info.setdefault("unmanaged", set()).update(UNMANAGED_NAMES)
