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

Writes (:meth:`DatabaseRunner.write`) on a SQLite file are committed in
groups (:class:`_GroupCommit`): a commit with ``synchronous=FULL`` waits for
the disk to flush the log, which under load took up to hundreds of
milliseconds, and on the event loop every request of the worker waited with
it. The writes that arrive meanwhile queue; the next group runs each of them
in a savepoint of one transaction, on the loop (a few statements each), and
only the commit, one flush for the whole group, runs in a thread, the loop free
to serve pages meanwhile. A write is answered once its group is committed:
nothing acknowledged is lost in a power cut.

On PostgreSQL, whose round trips leave the CPU free, the work runs in two
threads. More threads convoy on the GIL: run more worker processes for more
parallelism. Each thread keeps two connections: one in autocommit, for
:meth:`DatabaseRunner.run` and for writes of one statement, and one for the
other writes, in transactions. A one-statement read or write is then one round
trip instead of three (``BEGIN``, the statement, ``ROLLBACK`` or ``COMMIT``).
A read sees what it would have seen in a transaction: at PostgreSQL's
``READ COMMITTED``, every statement of a transaction takes a snapshot of its
own anyway; a single statement is atomic on its own.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import math
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from sociaparis.core.db import is_lock_timeout, sqlite_file, write_lock
from sociaparis.core.private import private_file
from sociaparis.web.timing import CURRENT, RequestTiming, add_database_time, add_lock_wait

T = TypeVar("T")
logger = logging.getLogger(__name__)

#: The first and the longest sleep between two tries at locked work, in seconds.
FIRST_RETRY_S = 0.002
LONGEST_RETRY_S = 0.1
#: Seconds between two checkpoints of a SQLite write-ahead log by the runner.
CHECKPOINT_EVERY_S = 1.0
#: Most writes in one group transaction (a bound on what one failed commit takes).
MAX_GROUP = 64


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
        self._has_autocommit = engine.dialect.name != "sqlite"
        self._checkpoints = (
            None
            if self._wait_in_sqlite or sqlite_file(engine) is None
            else _Checkpointer(engine, checkpoint_every)
        )
        self._executor = (
            ThreadPoolExecutor(max_workers=threads, thread_name_prefix="database")
            if threads
            else None
        )
        self._local = threading.local()
        # Every connection the threads hold, so that close() can close them.
        self._held: set[Connection] = set()
        self._held_lock = threading.Lock()
        self._group = (
            None
            if self._checkpoints is None
            else _GroupCommit(self._new_loop_connection, engine, lock_timeout)
        )

    @classmethod
    def for_engine(cls, engine: Engine, lock_timeout: float = 10.0) -> DatabaseRunner:
        """On the event loop for SQLite, in two threads for a database server."""
        threads = 0 if engine.dialect.name == "sqlite" else 2
        return cls(engine, threads, lock_timeout)

    async def run(self, work: Callable[[Connection], T]) -> T:
        """Run ``work(connection)``, which reads, and return its result.

        Anything left open afterwards is rolled back. On a database server the
        connection is in autocommit: each statement is a transaction of its own,
        so ``work`` must not write (:meth:`write` does). If the connection turns
        out to be broken (the database server restarted), ``work`` runs once
        more on a new connection.

        If ``work`` finds the database locked by another writer, it is rolled
        back and run again after a sleep (2 ms, doubling up to 100 ms) that
        leaves the event loop free, until ``lock_timeout`` has passed.

        Raises
        ------
        DatabaseBusy
            The database was still locked after ``lock_timeout`` seconds.
        """
        return await self._perform(work, autocommit=True)

    async def _perform(self, work: Callable[[Connection], T], *, autocommit: bool) -> T:
        started = time.perf_counter()
        try:
            if self._executor is None:
                return self._run(work, autocommit)
            return await self._in_thread(work, autocommit)
        except _Locked:
            return await self._retry(work, autocommit)
        finally:
            add_database_time(time.perf_counter() - started)

    async def write(
        self, work: Callable[[Connection], T], *, one_statement: bool = False
    ) -> T:
        """Run ``work(connection)`` in a write transaction; return its result
        once that transaction is committed.

        ``work`` neither begins nor commits. On a SQLite file it shares its
        transaction with the other writes waiting (group commit, see the
        module's documentation), in a savepoint of its own: if it raises, its
        writes are rolled back, the others' are kept, and the exception is
        raised here. Elsewhere it has a transaction of its own, run as
        :meth:`run` runs work. If the connection turns out to be broken, it
        runs once more on a new one: a write whose commit was lost on the way
        is then refused by its revision check, never applied twice.

        Parameters
        ----------
        work
            What to run on the connection.
        one_statement
            ``work`` runs a single statement. On a database server it then runs
            on the autocommit connection, where that statement is its own
            transaction: one round trip instead of three. Work that runs two
            statements must not say so: each would be committed on its own.

        Raises
        ------
        DatabaseBusy
            Another program held the database's write lock for ``lock_timeout``
            seconds.
        """
        if self._group is not None:
            return await self._group.write(work)
        engine = self.engine

        def in_transaction(connection: Connection) -> T:
            with write_lock(engine), connection.begin():
                return work(connection)

        if one_statement and self._has_autocommit:
            return await self._perform(work, autocommit=True)
        return await self._perform(in_transaction, autocommit=False)

    async def _in_thread(self, work: Callable[[Connection], T], autocommit: bool) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._run, work, autocommit)

    async def _retry(self, work: Callable[[Connection], T], autocommit: bool) -> T:
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
                    return self._run(work, autocommit)
                return await self._in_thread(work, autocommit)
            except _Locked:
                continue
        raise DatabaseBusy(max(1, math.ceil(self.lock_timeout)))

    def _run(self, work: Callable[[Connection], T], autocommit: bool) -> T:
        slot = self._slot(autocommit)
        for attempt in (1, 2):
            connection = self._connection(slot)
            try:
                return work(connection)
            except DBAPIError as exc:
                if is_lock_timeout(exc):
                    raise _Locked from exc  # the connection is fine: keep it
                self._discard(slot)
                if not (exc.connection_invalidated and attempt == 1):
                    raise
            except BaseException:
                self._discard(slot)
                raise
            finally:
                if getattr(self._local, slot, None) is connection:
                    if connection.in_transaction():
                        connection.rollback()
        raise AssertionError("unreachable")  # pragma: no cover

    def _slot(self, autocommit: bool) -> str:
        """The thread-local name of the connection in autocommit or in
        transactions: one connection, in transactions, on SQLite."""
        return "autocommit" if autocommit and self._has_autocommit else "connection"

    def _connection(self, slot: str) -> Connection:
        connection: Connection | None = getattr(self._local, slot, None)
        if connection is None or connection.closed or connection.invalidated:
            if not self._wait_in_sqlite:
                connection = self._new_loop_connection()
            else:
                connection = self.engine.connect()
                if slot == "autocommit":
                    connection.execution_options(isolation_level="AUTOCOMMIT")
                # Out of the pool, as the loop's: kept for the process's life,
                # it takes no room from the other users, and close() ends it.
                connection.detach()
            setattr(self._local, slot, connection)
            with self._held_lock:
                self._held.add(connection)
        return connection

    def _new_loop_connection(self) -> Connection:
        """A SQLite connection for the event loop: it never waits for a lock,
        never checkpoints, and is out of the pool, so that no other user gets
        it without a wait."""
        connection = self.engine.connect()
        raw = connection.connection.dbapi_connection
        raw.execute("PRAGMA busy_timeout=0")  # type: ignore[union-attr]
        if self._checkpoints is not None:
            raw.execute("PRAGMA wal_autocheckpoint=0")  # type: ignore[union-attr]
            self._checkpoints.start()
        connection.detach()
        return connection

    def close(self) -> None:
        """Stop the runner's checkpoints and its group commits (the server is
        stopping); the log is checkpointed once more on the way. The database
        threads end and their connections are closed."""
        if self._group is not None:
            self._group.close()
        if self._checkpoints is not None:
            self._checkpoints.stop()
        if self._executor is not None:
            self._executor.shutdown(wait=True)
        with self._held_lock:
            held, self._held = self._held, set()
        for connection in held:
            _close(connection)

    def _discard(self, slot: str) -> None:
        connection: Connection | None = getattr(self._local, slot, None)
        setattr(self._local, slot, None)
        if connection is not None:
            with self._held_lock:
                self._held.discard(connection)
            _close(connection)


def _close(connection: Connection) -> None:
    """Close ``connection``; one that is already broken is invalidated."""
    try:
        connection.close()
    except DBAPIError:
        connection.invalidate()


class _Write:
    """A write waiting for its group: the work, the future its request awaits,
    and that request's timing (None when timing is off)."""

    __slots__ = ("future", "timing", "work")

    def __init__(
        self,
        work: Callable[[Connection], Any],
        future: asyncio.Future[Any],
        timing: RequestTiming | None,
    ) -> None:
        self.work = work
        self.future = future
        self.timing = timing


class _GroupCommit:
    """The writes of one worker process to a SQLite file, committed in groups.

    A group starts as soon as a write arrives while none is running, and takes
    every write waiting (at most :data:`MAX_GROUP`). It queues for the server's
    write lock (:func:`~sociaparis.core.db.write_lock`'s file, waited for in
    the commit thread when another process holds it), takes SQLite's with
    ``BEGIN IMMEDIATE`` (if another program writes, it lets go and tries again
    after a sleep, as :meth:`DatabaseRunner.run` does, up to ``lock_timeout``),
    runs each write in a savepoint on the event loop, and commits in the
    thread. Each write's request is then answered with its result or its error.

    Parameters
    ----------
    connect
        Makes the group's connection (one, kept; a new one after an error).
    engine
        The database (its file names the lock file).
    lock_timeout
        Seconds to keep trying while another program holds the write lock.
    """

    def __init__(
        self, connect: Callable[[], Connection], engine: Engine, lock_timeout: float
    ) -> None:
        self._connect = connect
        self.lock_timeout = lock_timeout
        self._waiting: list[_Write] = []
        self._running: asyncio.Task[None] | None = None
        self._connection: Connection | None = None
        self._thread = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="sqlite-commit"
        )
        self._lock_path = f"{engine.url.database}.lock" if os.name == "posix" else None
        self._lock_file: Any = None

    async def write(self, work: Callable[[Connection], T]) -> T:
        """Queue ``work`` for the next group; its result once committed."""
        loop = asyncio.get_running_loop()
        write = _Write(work, loop.create_future(), CURRENT.get())
        self._waiting.append(write)
        if self._running is None:
            # A context of its own: the group's timings are its writes', not
            # those of the request that happened to start it.
            self._running = loop.create_task(self._serve(), context=contextvars.Context())
        started = time.perf_counter()
        try:
            return await write.future
        finally:
            add_database_time(time.perf_counter() - started)

    async def _serve(self) -> None:
        try:
            while self._waiting:
                group = [w for w in self._waiting[:MAX_GROUP] if not w.future.done()]
                del self._waiting[:MAX_GROUP]
                if group:
                    await self._commit(group)
        finally:
            self._running = None

    async def _commit(self, group: list[_Write]) -> None:
        loop = asyncio.get_running_loop()
        try:
            waited = await self._begin(loop)
        except DatabaseBusy as busy:
            for write in group:
                _settle(write.future, DatabaseBusy(busy.retry_after))
            return
        except BaseException as error:
            self._discard()
            _fail(group, error)
            return
        for write in group:
            if write.timing is not None:
                write.timing.lock += waited
        connection = self._connection
        assert connection is not None
        outcomes: list[tuple[bool, Any]] = []
        try:
            if len(group) == 1:
                # Alone: no savepoint; an error rolls the transaction back.
                outcomes.append((True, group[0].work(connection)))
            else:
                for write in group:
                    savepoint = connection.begin_nested()
                    try:
                        result = write.work(connection)
                    except Exception as error:  # noqa: BLE001 - its request raises it
                        savepoint.rollback()
                        outcomes.append((False, error))
                    else:
                        savepoint.commit()
                        outcomes.append((True, result))
            started = time.perf_counter()
            await loop.run_in_executor(self._thread, self._commit_and_unlock)
            flushed = time.perf_counter() - started
        except BaseException as error:
            self._abandon()
            _fail(group, error)
            return
        for write, (ok, value) in zip(group, outcomes, strict=True):
            if write.timing is not None:
                write.timing.flush += flushed
            if ok:
                if not write.future.done():
                    write.future.set_result(value)
            else:
                _settle(write.future, value)

    async def _begin(self, loop: asyncio.AbstractEventLoop) -> float:
        """Take the server's write lock and SQLite's; the seconds waited."""
        started = time.perf_counter()
        deadline = loop.time() + self.lock_timeout
        delay = FIRST_RETRY_S
        while True:
            await self._lock(loop)
            if self._connection is None or self._connection.invalidated:
                self._connection = self._connect()
            try:
                self._connection.begin()
                self._connection.exec_driver_sql("BEGIN IMMEDIATE")
            except DBAPIError as error:
                self._connection.rollback()
                self._unlock()
                if not is_lock_timeout(error):
                    raise
            else:
                return time.perf_counter() - started
            if (left := deadline - loop.time()) <= 0:
                raise DatabaseBusy(max(1, math.ceil(self.lock_timeout)))
            await asyncio.sleep(min(delay, left))
            delay = min(2 * delay, LONGEST_RETRY_S)

    async def _lock(self, loop: asyncio.AbstractEventLoop) -> None:
        """Take the server's write lock on the loop, as soon as it is free.

        While another process holds it, the commit thread waits for it and
        lets it go at once: the lock is then taken on the loop, so that it is
        only ever held while the loop runs the group's statements, without a
        pause, and while the commit flushes. Held while the loop was busy
        with other requests, it would keep the other worker processes'
        groups waiting as long.
        """
        if self._lock_path is None:
            return
        import fcntl

        if self._lock_file is None:
            self._lock_file = open(  # noqa: SIM115 - kept open, closed by close()
                private_file(Path(self._lock_path)), "a"
            )
        while True:
            try:
                fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                await loop.run_in_executor(self._thread, self._wait_for_lock)

    def _wait_for_lock(self) -> None:
        """In the commit thread: wait until the server's write lock is free."""
        import fcntl

        fcntl.flock(self._lock_file, fcntl.LOCK_EX)
        fcntl.flock(self._lock_file, fcntl.LOCK_UN)

    def _unlock(self) -> None:
        if self._lock_file is not None:
            import fcntl

            fcntl.flock(self._lock_file, fcntl.LOCK_UN)

    def _commit_and_unlock(self) -> None:
        """In the commit thread: commit (the flush), then let the next writer in."""
        assert self._connection is not None
        try:
            self._connection.commit()
        finally:
            self._unlock()

    def _abandon(self) -> None:
        """Roll back what the group wrote (it failed) and let go of the lock."""
        try:
            if self._connection is not None and self._connection.in_transaction():
                self._connection.rollback()
        except DBAPIError:
            self._discard()
        finally:
            self._unlock()

    def _discard(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.close()
            except DBAPIError:
                connection.invalidate()

    def close(self) -> None:
        """Let the commit thread go and close the connection and lock file."""
        self._thread.shutdown(wait=True)
        self._discard()
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None


def _settle(future: asyncio.Future[Any], error: BaseException) -> None:
    if not future.done():
        future.set_exception(error)


def _fail(group: list[_Write], error: BaseException) -> None:
    """Raise ``error`` in every write's request; a cancellation goes on up."""
    for write in group:
        _settle(write.future, error)
    if not isinstance(error, Exception):
        raise error


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
