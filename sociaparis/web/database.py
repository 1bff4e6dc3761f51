"""Where the respondent pages do their database work: on one connection per
thread, kept for the life of the process.

A page is two or three short statements; checking a connection out of the pool
and back in for each request cost more than running them. After every piece of
work, whatever transaction is left open (a read's) is rolled back, so that the
connection never holds a snapshot between requests.

On SQLite the work runs on the event loop itself (``threads=0``): a statement
is a few microseconds of local work, less than handing it to a thread and back,
and a database thread would contend with the loop for the GIL and stretch the
latency tail (figures in ``docs/benchmarks.md``). The write lock and the
commit's fsync then hold up the worker's other requests for well under a
millisecond.

Nor does a page's commit checkpoint the write-ahead log: SQLite's automatic
checkpoint (every 1,000 pages of log) copies pages into the database file and
syncs it inside the commit that crosses the mark, and while other connections
read (an export, a report) it cannot finish and is tried again at every
commit; on the event loop that stalled the worker's every request. The loop's
connections turn it off (``wal_autocheckpoint=0``) and a thread of the runner
checkpoints instead, every ``checkpoint_every`` seconds, without waiting for
readers or writers (``PASSIVE``); docs/benchmarks.md has the measurements.

The event loop must never wait for another program's write lock (a
``sociaparis`` command writing to the study), which would stall every request
of the worker: the loop's connections do not wait at all (busy timeout 0), and
work that finds the database locked is rolled back and tried again after an
asynchronous sleep, for up to ``lock_timeout`` seconds, after which
:class:`DatabaseBusy` is raised (the pages answer 503 with ``Retry-After``).

On PostgreSQL, whose round trips leave the CPU free, the work runs in two
threads. More threads convoy on the GIL: run more worker processes for more
parallelism.
"""

from __future__ import annotations

import asyncio
import logging
import math
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from sociaparis.core.db import is_lock_timeout
from sociaparis.web.timing import add_database_time, add_lock_wait

T = TypeVar("T")
logger = logging.getLogger(__name__)

#: The first and the longest sleep between two tries at locked work, in seconds.
FIRST_RETRY_S = 0.002
LONGEST_RETRY_S = 0.1
#: Seconds between two checkpoints of a SQLite write-ahead log by the runner.
CHECKPOINT_EVERY_S = 1.0


class DatabaseBusy(Exception):
    """The database stayed locked by another writer for the runner's
    ``lock_timeout``; ``retry_after`` is the whole seconds to wait before
    trying again."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"the database is locked; retry after {retry_after} s")
        self.retry_after = retry_after


class _Locked(Exception):
    """The work met the write lock of another connection (rolled back)."""


class DatabaseRunner:
    """Run work on a connection, on the event loop or in database threads.

    Parameters
    ----------
    engine
        The database.
    threads
        0: on the calling (event loop) thread; otherwise how many database
        threads, each with its own connection.
    lock_timeout
        Seconds to keep trying work that finds the database locked.
    """

    def __init__(
        self,
        engine: Engine,
        threads: int,
        lock_timeout: float = 10.0,
        *,
        checkpoint_every: float = CHECKPOINT_EVERY_S,
    ) -> None:
        if threads < 0:
            raise ValueError(f"threads must be 0 or more, got {threads}")
        if lock_timeout <= 0:
            raise ValueError(f"lock_timeout must be above 0, got {lock_timeout}")
        if checkpoint_every <= 0:
            raise ValueError(f"checkpoint_every must be above 0, got {checkpoint_every}")
        self.engine = engine
        self.lock_timeout = lock_timeout
        # On the loop, a connection never waits for a lock: the runner does.
        self._wait_in_sqlite = threads > 0 or engine.dialect.name != "sqlite"
        self._checkpoints = (
            None
            if self._wait_in_sqlite or engine.url.database in {None, "", ":memory:"}
            else _Checkpointer(engine, checkpoint_every)
        )
        self._executor = (
            ThreadPoolExecutor(max_workers=threads, thread_name_prefix="database")
            if threads
            else None
        )
        self._local = threading.local()

    @classmethod
    def for_engine(cls, engine: Engine, lock_timeout: float = 10.0) -> DatabaseRunner:
        """On the event loop for SQLite, in two threads for a database server."""
        threads = 0 if engine.dialect.name == "sqlite" else 2
        return cls(engine, threads, lock_timeout)

    async def run(self, work: Callable[[Connection], T]) -> T:
        """Run ``work(connection)`` and return its result.

        ``work`` commits what it writes itself (``with connection.begin():``);
        anything left open afterwards is rolled back. If the connection turns
        out to be broken (the database server restarted), ``work`` runs once
        more on a new connection: a write whose commit was lost on the way is
        then refused by its revision check, never applied twice.

        If ``work`` finds the database locked by another writer, it is rolled
        back and run again after a sleep (2 ms, doubling up to 100 ms) that
        leaves the event loop free, until ``lock_timeout`` has passed.

        Raises
        ------
        DatabaseBusy
            The database was still locked after ``lock_timeout`` seconds.
        """
        started = time.perf_counter()
        try:
            if self._executor is None:
                return self._run(work)
            return await self._in_thread(work)
        except _Locked:
            return await self._retry(work)
        finally:
            add_database_time(time.perf_counter() - started)

    async def _in_thread(self, work: Callable[[Connection], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._run, work)

    async def _retry(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` again after growing sleeps until it is not locked out."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.lock_timeout
        delay = FIRST_RETRY_S
        while (left := deadline - loop.time()) > 0:
            slept = min(delay, left)
            await asyncio.sleep(slept)
            add_lock_wait(slept)
            delay = min(2 * delay, LONGEST_RETRY_S)
            try:
                if self._executor is None:
                    return self._run(work)
                return await self._in_thread(work)
            except _Locked:
                continue
        raise DatabaseBusy(max(1, math.ceil(self.lock_timeout)))

    def _run(self, work: Callable[[Connection], T]) -> T:
        for attempt in (1, 2):
            connection = self._connection()
            try:
                return work(connection)
            except DBAPIError as exc:
                if is_lock_timeout(exc):
                    raise _Locked from exc  # the connection is fine: keep it
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
            if not self._wait_in_sqlite:
                raw = connection.connection.dbapi_connection
                raw.execute("PRAGMA busy_timeout=0")  # type: ignore[union-attr]
                if self._checkpoints is not None:
                    raw.execute("PRAGMA wal_autocheckpoint=0")  # type: ignore[union-attr]
                    self._checkpoints.start()
                # Out of the pool, so that no other user gets it without a wait.
                connection.detach()
            self._local.connection = connection
        return connection

    def close(self) -> None:
        """Stop the runner's checkpoints (the server is stopping); the log is
        checkpointed once more on the way."""
        if self._checkpoints is not None:
            self._checkpoints.stop()

    def _discard(self) -> None:
        connection: Connection | None = getattr(self._local, "connection", None)
        self._local.connection = None
        if connection is not None:
            try:
                connection.close()
            except DBAPIError:
                connection.invalidate()


class _Checkpointer:
    """A thread that checkpoints a SQLite database's write-ahead log every
    ``every`` seconds (``PRAGMA wal_checkpoint(PASSIVE)``: as much as the
    readers allow, never waiting), started once, stopped by :meth:`stop`."""

    def __init__(self, engine: Engine, every: float) -> None:
        self.engine = engine
        self.every = every
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._starting = threading.Lock()

    def start(self) -> None:
        """Start the thread, unless it runs already."""
        with self._starting:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="sqlite-checkpoints", daemon=True
                )
                self._thread.start()

    def stop(self) -> None:
        """Stop the thread after a last checkpoint."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        raw = self.engine.raw_connection()
        try:
            while not self._stopping.wait(self.every):
                self._checkpoint(raw)
            self._checkpoint(raw)
        finally:
            raw.close()

    @staticmethod
    def _checkpoint(raw: Any) -> None:
        try:
            raw.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error:
            # The next one will try again; a page never depends on this one.
            logger.warning("checkpoint of the SQLite log failed", exc_info=True)
