"""Statements run on the driver's cursor: the same values, transactions and errors
as through SQLAlchemy, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    create_engine,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.exc import DBAPIError, IntegrityError

from sociaparis.core.statements import DirectStatement

METADATA = MetaData()
RECORDS = Table(
    "records",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("name", String(50), unique=True),
    Column("answers", JSON),
    Column("flag", Boolean),
    Column("at", DateTime(timezone=True)),
    Column("on", Date),
    Column("revision", Integer),
)
ROWS = [
    {
        "id": 1,
        "name": "Paris",
        "answers": {"q1": "oui", "repeat": [{"a": 1}, {"a": None}], "n": 2.5},
        "flag": True,
        "at": datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
        "on": date(2026, 3, 1),
        "revision": 0,
    },
    {
        "id": 2,
        "name": "Lyon",
        "answers": {},
        "flag": False,
        "at": None,
        "on": None,
        "revision": 4,
    },
]
BY_NAME = DirectStatement(
    select(RECORDS).where(RECORDS.c.name == bindparam("name")).order_by(RECORDS.c.id)
)
FLAGGED = DirectStatement(select(RECORDS.c.id).where(RECORDS.c.flag.is_(True)))
SAVE = DirectStatement(
    update(RECORDS)
    .where(RECORDS.c.id == bindparam("record"), RECORDS.c.revision == bindparam("seen"))
    .values(
        answers=bindparam("answers", type_=RECORDS.c.answers.type),
        at=bindparam("at", type_=RECORDS.c.at.type),
        revision=RECORDS.c.revision + 1,
    )
)
RENAME = DirectStatement(
    update(RECORDS).where(RECORDS.c.id == bindparam("record")).values(name="Paris")
)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_engine(database_url)
    METADATA.create_all(engine)
    with engine.begin() as connection:
        connection.execute(insert(RECORDS), ROWS)
    yield engine
    engine.dispose()


def _through_sqlalchemy(connection: Connection, name: str) -> list[tuple]:
    return [tuple(row) for row in connection.execute(BY_NAME.statement, {"name": name})]


@pytest.mark.parametrize("name", ["Paris", "Lyon", "Nantes"])
def test_rows_are_what_sqlalchemy_reads(engine: Engine, name: str) -> None:
    with engine.connect() as connection:
        direct = BY_NAME.rows(connection, {"name": name})
        assert direct == _through_sqlalchemy(connection, name)
        assert [tuple(type(v) for v in row) for row in direct] == [
            tuple(type(v) for v in row) for row in _through_sqlalchemy(connection, name)
        ]
    assert BY_NAME.columns == ("id", "name", "answers", "flag", "at", "on", "revision")


def test_a_value_written_in_the_statement_is_passed(engine: Engine) -> None:
    with engine.connect() as connection:
        assert FLAGGED.rows(connection, {}) == [(1,)]


def test_an_update_counts_its_rows_and_converts_its_values(engine: Engine) -> None:
    at = datetime(2026, 4, 2, 8, 0, tzinfo=UTC)
    answers = {"q1": "non", "texte": "« guillemets » et 'apostrophes'"}
    with engine.connect() as connection:
        with connection.begin():
            saved = SAVE.rowcount(
                connection, {"record": 2, "seen": 4, "answers": answers, "at": at}
            )
            stale = SAVE.rowcount(
                connection, {"record": 2, "seen": 4, "answers": {}, "at": None}
            )
        assert (saved, stale) == (1, 0)
    with engine.connect() as other:
        [row] = _through_sqlalchemy(other, "Lyon")
    assert row[2] == answers
    assert row[4].replace(tzinfo=UTC) == at  # SQLite keeps no time zone
    assert row[6] == 5


def test_a_write_is_rolled_back_with_its_transaction(engine: Engine) -> None:
    with engine.connect() as connection:
        with pytest.raises(RuntimeError), connection.begin():
            SAVE.rowcount(connection, {"record": 1, "seen": 0, "answers": {}, "at": None})
            raise RuntimeError("the page failed after the save")
    with engine.connect() as other:
        assert _through_sqlalchemy(other, "Paris")[0][6] == 0


def test_a_read_leaves_no_transaction_open_after_rollback(engine: Engine) -> None:
    with engine.connect() as connection:
        BY_NAME.rows(connection, {"name": "Paris"})
        assert connection.in_transaction()  # begun, so that rollback ends it
        connection.rollback()
        assert not connection.in_transaction()
        driver = connection.connection.dbapi_connection
        if engine.dialect.name == "postgresql":
            from psycopg.pq import TransactionStatus

            assert driver.info.transaction_status == TransactionStatus.IDLE
        else:
            assert not driver.in_transaction


def test_a_driver_error_is_wrapped_as_sqlalchemy_wraps_it(engine: Engine) -> None:
    with engine.connect() as connection:
        with pytest.raises(IntegrityError) as raised, connection.begin():
            RENAME.rowcount(connection, {"record": 2})  # "Paris" is taken
        assert not raised.value.connection_invalidated
        assert not connection.invalidated
        assert BY_NAME.rows(connection, {"name": "Lyon"})  # still usable


def test_a_lost_connection_is_invalidated(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("only a database server can drop a connection")
    with engine.connect() as connection:
        pid = connection.execute(text("SELECT pg_backend_pid()")).scalar()
        connection.rollback()
        with engine.connect() as admin:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with pytest.raises(DBAPIError) as raised:
            BY_NAME.rows(connection, {"name": "Paris"})
        assert raised.value.connection_invalidated
        assert connection.invalidated
