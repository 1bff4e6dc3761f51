"""Group commit: the API's small writes share transactions and their fsync.

A coding is a few short statements, but its commit waits for the disk (an
``fsync`` of SQLite's WAL with ``synchronous=FULL``, or PostgreSQL's WAL flush):
one commit per request caps a study at a few hundred codings a second, and on
SQLite the requests of one process would also queue for the write lock in
SQLite's busy handler, whose sleeps stretch the latency tail.

So each worker process runs its small writes on database threads (one on SQLite,
which has one writer at a time anyway; four on PostgreSQL, whose round trips
leave the thread waiting). A thread takes every request waiting, runs each in a
SAVEPOINT of one transaction (a refused request is rolled back to its savepoint
and answered with its error; the others are kept), commits once, and only then
answers them all: every acknowledged write is durable, and none is
half-written. On SQLite the transaction starts with ``BEGIN IMMEDIATE``, taking
the write lock before the first read, so that another process's commit cannot
invalidate what it read.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker

T = TypeVar("T")

#: Most requests in one transaction (a bound on what one failed commit takes).
MAX_BATCH = 64
#: Database threads per worker process on PostgreSQL.
SERVER_THREADS = 4

_Item = tuple[Callable[[Session], Any], asyncio.Future[Any], asyncio.AbstractEventLoop]


class GroupCommit:
    """Run work units on one thread, many to a transaction, each in a savepoint.

    Parameters
    ----------
    sessions
        The session factory of the study's engine.
    threads
        Database threads (default: 1 on SQLite, :data:`SERVER_THREADS` on a
        database server).
    """

    def __init__(
        self, sessions: sessionmaker[Session], threads: int | None = None
    ) -> None:
        self.sessions = sessions
        bind = sessions.kw.get("bind")
        self._sqlite = getattr(getattr(bind, "dialect", None), "name", "") == "sqlite"
        self.threads = threads or (1 if self._sqlite else SERVER_THREADS)
        self._queue: queue.SimpleQueue[_Item] = queue.SimpleQueue()
        self._started = False
        self._lock = threading.Lock()

    async def run(self, work: Callable[[Session], T]) -> T:
        """Run ``work(session)`` in the next group transaction; return its result
        once that transaction is committed, or raise what ``work`` raised (its
        writes rolled back) or what the commit raised."""
        self._start()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._queue.put((work, future, loop))
        return await future

    def _start(self) -> None:
        if not self._started:
            with self._lock:
                if not self._started:
                    for number in range(self.threads):
                        threading.Thread(
                            target=self._serve,
                            name=f"api-group-commit-{number}",
                            daemon=True,
                        ).start()
                    self._started = True

    def _serve(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            outcomes = self._run_batch(batch)
            for (_work, future, loop), (ok, value) in zip(batch, outcomes, strict=True):
                loop.call_soon_threadsafe(_settle, future, ok, value)

    def _run_batch(self, batch: list[_Item]) -> list[tuple[bool, Any]]:
        outcomes: list[tuple[bool, Any]] = []
        try:
            with self.sessions() as session:
                if self._sqlite:
                    session.connection().exec_driver_sql("BEGIN IMMEDIATE")
                if len(batch) == 1:
                    # Alone in its transaction: no savepoint (two round trips
                    # on PostgreSQL); an error rolls the whole of it back.
                    result = batch[0][0](session)
                    session.commit()
                    return [(True, result)]
                for work, _future, _loop in batch:
                    savepoint = session.begin_nested()
                    try:
                        result = work(session)
                        savepoint.commit()
                    except Exception as exc:  # noqa: BLE001 - handed to the request
                        savepoint.rollback()
                        outcomes.append((False, exc))
                    else:
                        outcomes.append((True, result))
                session.commit()
        except Exception as exc:  # noqa: BLE001 - nothing of the batch was kept
            return [(False, exc)] * len(batch)
        return outcomes


def _settle(future: asyncio.Future[Any], ok: bool, value: Any) -> None:
    if future.cancelled():
        return
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)
