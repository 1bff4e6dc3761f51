"""Schema creation and upgrades on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, inspect, text

from sociaparis.core.config import Settings
from sociaparis.core.db import (
    Base,
    current_revision,
    ensure_schema,
    head_revision,
    make_engine,
    write_lock,
)


def test_new_database_gets_every_table_and_head_stamp(database_url: str) -> None:
    settings = Settings(database_url=database_url, secret_key="x" * 32)
    engine = make_engine(settings)
    assert ensure_schema(engine, settings) is None
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(settings: Settings) -> None:
    engine = make_engine(settings)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def test_default_database_is_a_sqlite_file_in_the_data_dir(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("SOCIAPARIS_DATABASE_URL", raising=False)
    monkeypatch.setenv("SOCIAPARIS_DATA_DIR", str(tmp_path / "d"))
    settings = Settings()
    assert settings.database_url == f"sqlite:///{tmp_path / 'd' / 'sociaparis.db'}"


# -- the SQLite write lock -------------------------------------------------------------


def _sqlite_engine(path: Path) -> Engine:
    return create_engine(f"sqlite:///{path}")


def _held_elsewhere(lock_path: Path) -> bool:
    """Whether another open file (so: another holder) has the lock now."""
    with open(lock_path, "a") as probe:
        try:
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(probe, fcntl.LOCK_UN)
        return False


def test_the_write_lock_is_held_inside_and_released_after(tmp_path: Path) -> None:
    engine = _sqlite_engine(tmp_path / "study.db")
    for _ in range(2):  # the second time on the handle the thread kept
        with write_lock(engine):
            assert _held_elsewhere(tmp_path / "study.db.lock")
        assert not _held_elsewhere(tmp_path / "study.db.lock")


def test_the_write_lock_is_reentrant_within_a_thread(tmp_path: Path) -> None:
    engine = _sqlite_engine(tmp_path / "study.db")
    with write_lock(engine):
        with write_lock(engine):
            assert _held_elsewhere(tmp_path / "study.db.lock")
        assert _held_elsewhere(tmp_path / "study.db.lock")  # the outer still holds it
    assert not _held_elsewhere(tmp_path / "study.db.lock")


def test_two_threads_take_the_write_lock_in_turn(tmp_path: Path) -> None:
    engine = _sqlite_engine(tmp_path / "study.db")
    inside = threading.Event()
    release = threading.Event()
    entered: list[str] = []

    def first() -> None:
        with write_lock(engine):
            entered.append("first")
            inside.set()
            release.wait(5)
            entered.append("first leaves")

    def second() -> None:
        with write_lock(engine):
            entered.append("second")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    threads[0].start()
    assert inside.wait(5)
    threads[1].start()
    threads[1].join(0.3)
    assert threads[1].is_alive()  # waiting for the first thread
    release.set()
    for thread in threads:
        thread.join(5)
    assert entered == ["first", "first leaves", "second"]


def test_a_forked_process_does_not_share_the_parents_lock(tmp_path: Path) -> None:
    engine = _sqlite_engine(tmp_path / "study.db")
    with write_lock(engine):  # the parent now keeps its handle open
        pid = os.fork()
        if pid == 0:  # the child: must wait for the parent, not walk in
            with write_lock(engine):
                os._exit(0)
        time.sleep(0.3)
        assert os.waitpid(pid, os.WNOHANG) == (0, 0)  # still waiting
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def test_a_thread_keeps_few_lock_files_open(tmp_path: Path) -> None:
    def open_lock_files() -> int:
        targets = []
        for fd in os.listdir("/proc/self/fd"):
            # the listing's own descriptor is closed by the time it is read
            with contextlib.suppress(FileNotFoundError):
                targets.append(os.readlink(f"/proc/self/fd/{fd}"))
        return sum(1 for target in targets if target.endswith(".lock"))

    before = open_lock_files()
    for index in range(10):
        with write_lock(_sqlite_engine(tmp_path / f"study{index}.db")):
            assert _held_elsewhere(tmp_path / f"study{index}.db.lock")
    assert open_lock_files() - before <= 4


def test_no_write_lock_on_postgresql_or_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # where a lock file of no path would land
    for url in ["sqlite://", "sqlite:///:memory:", "postgresql+psycopg://u@127.0.0.1/x"]:
        with write_lock(create_engine(url)):
            assert list(tmp_path.iterdir()) == []
