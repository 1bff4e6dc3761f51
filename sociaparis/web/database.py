"""Where the respondent pages do their database work: on one connection per
thread, kept for the life of the process.

A page is two or three short statements; checking a connection out of the pool
and back in for each request cost more than running them. After every piece of
work, whatever transaction is left open (a read's) is rolled back, so that the
connection never holds a snapshot between requests.

On SQLite the work runs on the event loop itself (``threads=0``): a statement
is a few microseconds of local work, and handing it to a thread and back cost
more, while the two threads then contended for the GIL and stretched the
latency tail (at 300 pages/s: p99 106 ms inline against 703 ms with one
database thread, ``docs/benchmarks.md``). The write lock and the commit's fsync
then hold up the worker's other requests for well under a millisecond.

On PostgreSQL, whose round trips leave the CPU free, the work runs in two
threads. More threads convoy on the GIL: run more worker processes for more
parallelism.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

T = TypeVar("T")


class DatabaseRunner:
    """Run work on a connection, on the event loop or in database threads.

    Parameters
    ----------
    engine
        The database.
    threads
        0: on the calling (event loop) thread; otherwise how many database
        threads, each with its own connection.
    """

    def __init__(self, engine: Engine, threads: int) -> None:
        if threads < 0:
            raise ValueError(f"threads must be 0 or more, got {threads}")
        self.engine = engine
        self._executor = (
            ThreadPoolExecutor(max_workers=threads, thread_name_prefix="database")
            if threads
            else None
        )
        self._local = threading.local()

    @classmethod
    def for_engine(cls, engine: Engine) -> DatabaseRunner:
        """On the event loop for SQLite, in two threads for a database server."""
        return cls(engine, 0 if engine.dialect.name == "sqlite" else 2)

    async def run(self, work: Callable[[Connection], T]) -> T:
        """Run ``work(connection)`` and return its result.

        ``work`` commits what it writes itself (``with connection.begin():``);
        anything left open afterwards is rolled back. If the connection turns
        out to be broken (the database server restarted), ``work`` runs once
        more on a new connection: a write whose commit was lost on the way is
        then refused by its revision check, never applied twice.
        """
        if self._executor is None:
            return self._run(work)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._run, work)

    def _run(self, work: Callable[[Connection], T]) -> T:
        for attempt in (1, 2):
            connection = self._connection()
            try:
                return work(connection)
            except DBAPIError as exc:
                self._discard()
                if not (exc.connection_invalidated and attempt == 1):
                    raise
            except BaseException:
                self._discard()
                raise
            finally:
                if getattr(self._local, "connection", None) is connection:
                    if connection.in_transaction():
                        connection.rollback()
        raise AssertionError("unreachable")  # pragma: no cover

    def _connection(self) -> Connection:
        connection: Connection | None = getattr(self._local, "connection", None)
        if connection is None or connection.closed or connection.invalidated:
            connection = self.engine.connect()
            self._local.connection = connection
        return connection

    def _discard(self) -> None:
        connection: Connection | None = getattr(self._local, "connection", None)
        self._local.connection = None
        if connection is not None:
            try:
                connection.close()
            except DBAPIError:
                connection.invalidate()
