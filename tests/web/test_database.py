"""The respondent pages' database runner, inline and in threads, on SQLite and
PostgreSQL."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import pytest
from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.exc import DBAPIError, OperationalError

from sociaparis.core.config import Settings
from sociaparis.core.db import make_engine
from sociaparis.web.database import DatabaseBusy, DatabaseRunner

T = TypeVar("T")


@pytest.fixture
def database(database_url: str) -> Iterator[Engine]:
    engine = make_engine(Settings(database_url=database_url, secret_key="k" * 32))
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE page_log (n INTEGER)"))
    yield engine
    engine.dispose()


@pytest.fixture(params=[0, 1], ids=["inline", "thread"])
def runner(database: Engine, request: pytest.FixtureRequest) -> DatabaseRunner:
    return DatabaseRunner(database, request.param)


# The event loops run in a thread of their own (the browser tests leave one
# running in the main thread), always the same one, as a server's would be.
_LOOP_THREAD = ThreadPoolExecutor(max_workers=1)


def _run(runner: DatabaseRunner, work: Callable[[Connection], T]) -> T:
    return _LOOP_THREAD.submit(asyncio.run, runner.run(work)).result()


def _count(connection: Connection) -> int:
    return connection.execute(text("SELECT count(*) FROM page_log")).scalar_one()


def _backend_pid(connection: Connection) -> int:
    if connection.dialect.name == "postgresql":
        return connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    return id(connection.connection.dbapi_connection)


def test_one_connection_serves_every_request(
    runner: DatabaseRunner,
) -> None:
    pids = [_run(runner, _backend_pid) for _ in range(3)]
    assert len(set(pids)) == 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_what_work_commits_stays_and_what_it_leaves_open_is_rolled_back(
    runner: DatabaseRunner,
) -> None:
    # On SQLite a read is a transaction, whose snapshot must not outlive it.

    def committed(connection: Connection) -> None:
        with connection.begin():
            connection.execute(text("INSERT INTO page_log VALUES (1)"))

    def left_open(connection: Connection) -> bool:
        connection.execute(text("INSERT INTO page_log VALUES (2)"))
        return connection.in_transaction()

    _run(runner, committed)
    assert _run(runner, left_open) is True
    assert _run(runner, _count) == 1
    with runner.engine.connect() as other:
        assert _count(other) == 1


def _broken(connection: Connection) -> None:
    connection.execute(text("INSERT INTO page_log VALUES (99)"))
    raise RuntimeError("a bug in the page")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_failing_work_leaves_nothing_behind(
    runner: DatabaseRunner,
) -> None:
    with pytest.raises(RuntimeError, match="a bug"):
        _run(runner, _broken)
    assert _run(runner, _count) == 0


def _one_transaction(connection: Connection) -> tuple[bool, int]:
    """Whether two statements ran in one transaction, and the backend's pid."""
    connection.execute(text("SELECT pg_sleep(0.002)"))
    in_one = connection.execute(
        text("SELECT transaction_timestamp() < statement_timestamp()")
    ).scalar_one()
    return in_one, _backend_pid(connection)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_on_a_database_server_reads_are_autocommit_and_writes_transactions(
    runner: DatabaseRunner,
) -> None:
    # A read is one round trip a statement: no BEGIN, no ROLLBACK. Its second
    # statement therefore starts a transaction of its own.
    in_one, reader = _run(runner, _one_transaction)
    [(written_in_one, writer)] = _write_all(runner, [_one_transaction])
    assert (in_one, written_in_one) == (False, True)
    assert reader != writer  # a connection for each, so neither switches modes
    with runner.engine.connect() as other:
        states = dict(
            other.execute(
                text("SELECT pid, state FROM pg_stat_activity WHERE pid IN (:r, :w)"),
                {"r": reader, "w": writer},
            ).all()
        )
    assert states == {reader: "idle", writer: "idle"}  # nothing left open


def _insert_in_one_statement(connection: Connection) -> tuple[bool, int]:
    """Insert a row; whether the statement had a transaction of its own, and
    the backend's pid."""
    alone = connection.execute(
        text(
            "WITH logged AS (INSERT INTO page_log VALUES (7) RETURNING n)"
            " SELECT transaction_timestamp() = statement_timestamp() FROM logged"
        )
    ).scalar_one()
    return alone, _backend_pid(connection)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_on_a_database_server_a_one_statement_write_is_its_own_transaction(
    runner: DatabaseRunner,
) -> None:
    # No BEGIN, no COMMIT: the statement runs on the autocommit connection.
    _, reader = _run(runner, _one_transaction)
    [(alone, writer)] = _write_all(runner, [_insert_in_one_statement], one_statement=True)
    [(in_a_transaction, other_writer)] = _write_all(runner, [_insert_in_one_statement])
    assert (alone, in_a_transaction) == (True, False)
    assert writer == reader != other_writer
    with runner.engine.connect() as other:
        assert _count(other) == 2


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_closing_the_runner_closes_its_connections(runner: DatabaseRunner) -> None:
    _in_one, reader = _run(runner, _one_transaction)
    [(_in_one, writer)] = _write_all(runner, [_one_transaction])
    runner.close()
    alive = None
    with runner.engine.connect() as other:
        for _ in range(100):  # a backend leaves pg_stat_activity as it exits
            alive = other.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE pid IN (:r, :w)"),
                {"r": reader, "w": writer},
            ).scalar_one()
            if alive == 0:
                break
            time.sleep(0.02)
    assert alive == 0


def test_a_lost_connection_is_replaced_and_the_work_run_once_more(
    runner: DatabaseRunner,
) -> None:
    calls: list[int] = []

    def flaky(connection: Connection) -> int:
        calls.append(_backend_pid(connection))
        if len(calls) == 1:
            raise OperationalError(
                "SELECT 1", {}, Exception("gone"), connection_invalidated=True
            )
        return _count(connection)

    assert _run(runner, flaky) == 0
    assert len(calls) == 2


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_database_server_restart_costs_no_request(
    runner: DatabaseRunner,
) -> None:
    # A server that drops its connections (restart, failover): the thread's next
    # request finds its connection dead, and is served on a new one.
    pid = _run(runner, _backend_pid)
    with runner.engine.begin() as other:  # a pool connection, not the runner's
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    assert _run(runner, _count) == 0
    assert _run(runner, _backend_pid) != pid


def test_an_error_that_is_not_a_lost_connection_is_not_retried(
    runner: DatabaseRunner,
) -> None:
    calls: list[None] = []

    def wrong(connection: Connection) -> None:
        calls.append(None)
        connection.execute(text("SELECT * FROM no_such_table"))

    with pytest.raises(DBAPIError, match="no_such_table"):
        _run(runner, wrong)
    assert len(calls) == 1


def _insert(n: int) -> Callable[[Connection], int]:
    def work(connection: Connection) -> int:
        connection.execute(text("INSERT INTO page_log VALUES (:n)"), {"n": n})
        return n

    return work


def _write_all(runner: DatabaseRunner, works: list, one_statement: bool = False) -> list:
    """Send ``works`` as writes at once, as concurrent requests would; their
    outcomes (a result or the exception raised), in order."""

    async def all_at_once() -> list:
        return await asyncio.gather(
            *(runner.write(work, one_statement=one_statement) for work in works),
            return_exceptions=True,
        )

    return _LOOP_THREAD.submit(asyncio.run, all_at_once()).result()


def test_a_write_is_committed_when_it_returns_and_a_failed_one_leaves_nothing(
    runner: DatabaseRunner,
) -> None:
    assert _write_all(runner, [_insert(1)]) == [1]
    with runner.engine.connect() as other:
        assert _count(other) == 1
    [failed] = _write_all(runner, [_broken])
    assert isinstance(failed, RuntimeError)
    assert _run(runner, _count) == 1


def test_concurrent_writes_share_commits_and_a_failed_one_only_loses_its_own(
    runner: DatabaseRunner,
) -> None:
    commits: list[None] = []
    event.listen(runner.engine, "commit", lambda _connection: commits.append(None))

    outcomes = _write_all(runner, [_insert(n) for n in range(5)] + [_broken, _insert(5)])
    assert outcomes[:5] == [0, 1, 2, 3, 4] and outcomes[6] == 5
    assert isinstance(outcomes[5], RuntimeError)
    with runner.engine.connect() as other:
        kept = other.execute(text("SELECT n FROM page_log ORDER BY n")).scalars().all()
    assert kept == [0, 1, 2, 3, 4, 5]
    grouped = runner._group is not None
    assert grouped is (runner.engine.dialect.name == "sqlite" and not runner._executor)
    # Grouped: the seven writes arrive before their group starts, one commit.
    assert len(commits) == (1 if grouped else 6)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_grouped_write_waits_for_its_flush_and_locks_off_the_loop(
    database: Engine,
) -> None:
    from sociaparis.core.db import write_lock
    from sociaparis.web.timing import CURRENT, RequestTiming

    runner = DatabaseRunner(database, 0, lock_timeout=5)
    group = runner._group
    assert group is not None
    commit = group._commit_and_unlock

    def slow_commit() -> None:
        time.sleep(0.2)  # a disk slow to flush
        commit()

    group._commit_and_unlock = slow_commit
    released = threading.Event()

    def hold_the_server_lock() -> None:  # another worker process's save
        with write_lock(database):
            held.set()
            released.wait(5)

    held = threading.Event()
    holder = threading.Thread(target=hold_the_server_lock)
    holder.start()
    held.wait(5)

    async def save_while_pages_are_read() -> tuple[list[float], RequestTiming, float]:
        timing = RequestTiming(started=time.perf_counter())
        CURRENT.set(timing)
        saving = asyncio.create_task(runner.write(_insert(1)))
        read_at: list[float] = []
        started = time.perf_counter()
        while not saving.done():
            if time.perf_counter() - started > 0.1:
                released.set()  # the other worker's commit ends
            await runner.run(_count)
            read_at.append(time.perf_counter())
            await asyncio.sleep(0.005)
        await saving
        return read_at, timing, time.perf_counter() - started

    try:
        read_at, timing, took = _LOOP_THREAD.submit(
            asyncio.run, save_while_pages_are_read()
        ).result()
    finally:
        released.set()
        holder.join()
        runner.close()
    # Pages were read all along, while the lock was held (0.1 s) and while the
    # flush went on (0.2 s): the loop never stopped as long as the flush.
    longest_gap = max(b - a for a, b in zip(read_at, read_at[1:], strict=False))
    assert took >= 0.3 and len(read_at) >= 20 and longest_gap < 0.15
    assert timing.lock >= 0.09 and timing.flush >= 0.2
    assert timing.database >= timing.lock + timing.flush
    with database.connect() as other:
        assert _count(other) == 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_write_another_program_locks_out_is_busy_and_writes_nothing(
    database: Engine,
) -> None:
    runner = DatabaseRunner(database, 0, lock_timeout=0.3)
    holder = sqlite3.connect(database.url.database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # a command importing files
    try:
        [busy] = _write_all(runner, [_insert(1)])
    finally:
        holder.rollback()
        holder.close()
    assert isinstance(busy, DatabaseBusy) and busy.retry_after == 1
    assert _write_all(runner, [_insert(2)]) == [2]  # the lock released
    with database.connect() as other:
        assert other.execute(text("SELECT n FROM page_log")).scalars().all() == [2]
    runner.close()


def test_threads_are_zero_or_more(database: Engine) -> None:
    with pytest.raises(ValueError, match="0 or more"):
        DatabaseRunner(database, -1)


def test_sqlite_runs_inline_and_a_database_server_in_threads(database: Engine) -> None:
    runner = DatabaseRunner.for_engine(database)
    inline = database.dialect.name == "sqlite"
    assert (runner._executor is None) is inline


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_work_that_finds_the_database_locked_waits_off_the_loop(
    database_url: str,
) -> None:
    # Another program (a command importing files) holds SQLite's write lock.
    settings = Settings(database_url=database_url, secret_key="k" * 32, lock_timeout=0.5)
    engine = make_engine(settings)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE page_log (n INTEGER)"))
    runner = DatabaseRunner.for_engine(engine, settings.lock_timeout)
    holder = sqlite3.connect(engine.url.database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    tries: list[None] = []

    def save(connection: Connection) -> None:
        tries.append(None)
        with connection.begin():
            connection.execute(text("INSERT INTO page_log VALUES (1)"))

    async def save_while_other_requests_go_on() -> tuple[int, int]:
        served = 0

        async def other_requests() -> None:
            nonlocal served
            while True:
                await asyncio.sleep(0.01)
                served += 1

        others = asyncio.create_task(other_requests())
        try:
            with pytest.raises(DatabaseBusy) as busy:
                await runner.run(save)
        finally:
            others.cancel()
        return served, busy.value.retry_after

    try:
        served, retry_after = _LOOP_THREAD.submit(
            asyncio.run, save_while_other_requests_go_on()
        ).result()
    finally:
        holder.rollback()
        holder.close()
    assert served > 0 and retry_after == 1
    assert len(tries) > 1
    _run(runner, save)  # the lock released, the same work goes through
    assert _run(runner, _count) == 1
    engine.dispose()


def test_on_sqlite_a_thread_checkpoints_the_log_instead_of_the_pages_commits(
    tmp_path,
) -> None:
    engine = make_engine(
        Settings(database_url=f"sqlite:///{tmp_path / 'study.db'}", secret_key="k" * 32)
    )
    runner = DatabaseRunner(engine, 0, checkpoint_every=0.02)
    wal = tmp_path / "study.db-wal"
    row = "x" * 4000

    def write_a_round(connection: Connection) -> int:
        with connection.begin():
            connection.execute(text("CREATE TABLE IF NOT EXISTS answer (a TEXT)"))
            connection.execute(
                text("INSERT INTO answer (a) VALUES (:a)"), [{"a": row}] * 250
            )
        return connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one()

    try:
        sizes = []
        for _ in range(8):  # 8 rounds of about 1 MB of log each
            assert _run(runner, write_a_round) == 0  # the commits never checkpoint
            time.sleep(0.3)  # 15 checkpoints' time: one is enough
            sizes.append(wal.stat().st_size)
        # Checkpointed between rounds, the log starts over: it stays about one
        # round long, where unchecked it would hold all eight.
        assert max(sizes) < 3 * sizes[0]
        thread = runner._checkpoints._thread
        assert thread is not None and thread.is_alive()
    finally:
        runner.close()
        engine.dispose()
    assert not thread.is_alive()


# Starlette's client runs the app's lifespan, which uvicorn runs in `serve`.
@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")
def test_the_apps_lifespan_stops_the_checkpoint_thread(tmp_path) -> None:
    from starlette.testclient import TestClient

    from sociaparis.web.app import create_app

    app = create_app(Settings(data_dir=tmp_path / "data", secret_key="k" * 32))
    with TestClient(app) as client:
        assert client.get("/i/not-an-invitation").status_code == 404
        thread = app.state.database._checkpoints._thread
        assert thread is not None and thread.is_alive()
    assert not thread.is_alive()
    app.state.engine.dispose()
