"""Core statements run straight on the driver's cursor, for the hottest queries.

Running a statement through :meth:`sqlalchemy.Connection.execute` wraps a short
query in several times its own cost of Python (events, execution context,
result metadata; figures in ``docs/benchmarks.md``). The few statements that run on every
respondent request (read the response, save a page) are instead compiled once
per dialect and run on the cursor of the same connection, with the same type
conversions SQLAlchemy would apply (JSON, dates, booleans), inside the
connection's SQLAlchemy transaction and with driver errors wrapped the way
SQLAlchemy wraps them (a lost connection is invalidated and reported as such).

Everything else goes through SQLAlchemy as usual.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement, Select

from sociaparis.core.caches import BoundedCache

Processor = Callable[[Any], Any] | None
#: How many compiled forms (one a database engine) and result conversions a
#: statement keeps; a process uses one of each.
KEPT_FORMS = 8


@dataclass(frozen=True, slots=True)
class _Compiled:
    """A statement compiled for one dialect: its SQL and how to pass its values."""

    sql: str
    positional: tuple[str, ...] | None  # parameter names in order, if positional
    binds: tuple[tuple[str, Processor], ...]
    fixed: Mapping[str, Any]  # values written in the statement itself


class DirectStatement:
    """A Core statement run on the DBAPI cursor (see the module's docstring).

    Parameters
    ----------
    statement
        A Core ``select``, ``insert``, ``update`` or ``delete`` with named
        ``bindparam`` values; compiled once for each dialect it runs on.

    Examples
    --------
    >>> from sqlalchemy import Column, MetaData, String, Table, bindparam, select
    >>> from sqlalchemy import create_engine
    >>> cities = Table(
    ...     "cities", MetaData(), Column("code", String), Column("name", String)
    ... )
    >>> engine = create_engine("sqlite://")
    >>> cities.create(engine)
    >>> BY_CODE = DirectStatement(
    ...     select(cities.c.name).where(cities.c.code == bindparam("code"))
    ... )
    >>> with engine.begin() as connection:
    ...     _ = connection.execute(cities.insert(), {"code": "75", "name": "Paris"})
    ...     BY_CODE.first(connection, {"code": "75"}).name
    'Paris'
    """

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self.columns: tuple[str, ...] = (
            tuple(column.key for column in statement.selected_columns)
            if isinstance(statement, Select)
            else ()
        )
        # Rows by column name; a name that is not an identifier is read by position.
        self.row = namedtuple("Row", self.columns, rename=True)  # type: ignore[misc]
        # By dialect (its class, parameter style and options make the SQL), and
        # the conversions of the result's columns by dialect and column types.
        self._compiled: BoundedCache[Dialect, _Compiled] = BoundedCache(KEPT_FORMS)
        self._results: BoundedCache[
            tuple[Dialect, tuple[Any, ...]], tuple[tuple[int, Callable[[Any], Any]], ...]
        ] = BoundedCache(KEPT_FORMS)

    def _compile(self, dialect: Dialect) -> _Compiled:
        compiled = self.statement.compile(dialect=dialect)
        binds = tuple(
            (name, bind.type.dialect_impl(dialect).bind_processor(dialect))
            for name, bind in compiled.binds.items()
        )
        fixed = {
            name: bind.effective_value
            for name, bind in compiled.binds.items()
            if not bind.required
        }
        positional = tuple(compiled.positiontup or ()) if compiled.positional else None
        return _Compiled(compiled.string, positional, binds, fixed)

    def _result_processors(
        self, dialect: Dialect, description: Sequence[Sequence[Any]]
    ) -> tuple[tuple[int, Callable[[Any], Any]], ...]:
        """The conversions of the result's columns: (position, conversion) pairs
        for the columns that have one."""
        type_codes = tuple(column[1] for column in description)
        return self._results.get((dialect, type_codes), self._find_processors)

    def _find_processors(
        self, key: tuple[Dialect, tuple[Any, ...]]
    ) -> tuple[tuple[int, Callable[[Any], Any]], ...]:
        dialect, type_codes = key
        return tuple(
            (position, process)
            for position, (column, code) in enumerate(
                zip(
                    self.statement.selected_columns,  # type: ignore[attr-defined]
                    type_codes,
                    strict=True,
                )
            )
            if (
                process := column.type.dialect_impl(dialect).result_processor(
                    dialect, code
                )
            )
            is not None
        )

    def _run(self, connection: Connection, values: Mapping[str, Any]) -> Any:
        dialect = connection.dialect
        compiled = self._compiled.get(dialect, self._compile)
        params = {**compiled.fixed, **values}
        for name, process in compiled.binds:
            if process is not None:
                params[name] = process(params[name])
        arguments: Any = (
            params
            if compiled.positional is None
            else tuple(params[name] for name in compiled.positional)
        )
        if not connection.in_transaction():
            connection.begin()  # so that the connection's rollback or commit ends it
        pooled = connection.connection
        cursor = pooled.cursor()
        try:
            cursor.execute(compiled.sql, arguments)
        except dialect.loaded_dbapi.Error as error:
            lost = dialect.is_disconnect(error, pooled.dbapi_connection, cursor)
            cursor.close()
            if lost:
                connection.invalidate(error)
            raise DBAPIError.instance(
                compiled.sql,
                arguments,
                error,
                dialect.loaded_dbapi.Error,
                connection_invalidated=lost,
                dialect=dialect,
            ) from error
        return cursor

    def rows(
        self, connection: Connection, values: Mapping[str, Any]
    ) -> list[tuple[Any, ...]]:
        """Run the select and return its rows, values converted as SQLAlchemy does."""
        cursor = self._run(connection, values)
        try:
            fetched = cursor.fetchall()
            processors = self._result_processors(connection.dialect, cursor.description)
        finally:
            cursor.close()
        rows = []
        for fetched_row in fetched:
            row = list(fetched_row)
            for position, process in processors:
                row[position] = process(row[position])
            rows.append(tuple(row))
        return rows

    def first(self, connection: Connection, values: Mapping[str, Any]) -> Any | None:
        """The first row of the select as a named tuple (``row.id``), or None."""
        rows = self.rows(connection, values)
        return self.row(*rows[0]) if rows else None

    def rowcount(self, connection: Connection, values: Mapping[str, Any]) -> int:
        """Run the insert, update or delete and return how many rows it touched."""
        cursor = self._run(connection, values)
        try:
            return cursor.rowcount
        finally:
            cursor.close()
