"""Where the respondent pages do their database work: a few threads, each with
its own connection for its whole life.

A page is two or three short statements; checking a connection out of the pool
and back in for each request cost more than running them. Each thread here
opens one connection, and after every piece of work ends whatever transaction
is left open (a read's), so the connection never holds a snapshot between
requests.

With the thread pool's default 40 threads, the threads convoy on the GIL and
throughput falls by a third (``docs/benchmarks.md``): one thread on SQLite, two
on PostgreSQL, whose round trips leave the CPU free. Run more worker processes
for more parallelism.
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


class DatabaseThreads:
    """Run work on a connection in one of ``threads`` database threads.

    Parameters
    ----------
    engine
        The database.
    threads
        How many threads (and connections) this process uses.
    """

    def __init__(self, engine: Engine, threads: int) -> None:
        if threads < 1:
            raise ValueError(f"threads must be at least 1, got {threads}")
        self.engine = engine
        self._executor = ThreadPoolExecutor(
            max_workers=threads, thread_name_prefix="database"
        )
        self._local = threading.local()

    async def run(self, work: Callable[[Connection], T]) -> T:
        """Run ``work(connection)`` in a database thread and return its result.

        ``work`` commits what it writes itself (``with connection.begin():``);
        anything left open afterwards is rolled back. If the connection turns
        out to be broken (the database server restarted), ``work`` runs once
        more on a new connection: a write whose commit was lost on the way is
        then refused by its revision check, never applied twice.
        """
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
