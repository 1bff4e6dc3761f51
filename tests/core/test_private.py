"""The data folder and the files sociaparis writes in it are private to their
owner (0700 and 0600), whatever the umask of the process."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from sociaparis.core.config import Settings, with_secret_key
from sociaparis.core.db import make_engine, write_lock


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The usual umask, under which new files are readable by everyone."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_sqlite_study_is_private(tmp_path: Path, open_umask: None) -> None:
    data = tmp_path / "home" / "data"
    settings = with_secret_key(Settings(data_dir=data, secret_key=""))
    engine = make_engine(settings)
    try:
        with engine.connect() as connection:
            connection.execute(text("CREATE TABLE answers (text TEXT)"))
            connection.commit()
            with write_lock(engine):
                connection.execute(text("INSERT INTO answers VALUES ('secret')"))
                connection.commit()
            # The -wal and -shm files exist while a connection is open.
            modes = {
                path.name: _mode(path)
                for path in (tmp_path / "home", *sorted((tmp_path / "home").rglob("*")))
            }
    finally:
        engine.dispose()
    assert modes == {
        "home": 0o700,
        "data": 0o700,
        "secret_key": 0o600,
        "sociaparis.db": 0o600,
        "sociaparis.db-shm": 0o600,
        "sociaparis.db-wal": 0o600,
        "sociaparis.db.lock": 0o600,
    }


def test_an_existing_folder_keeps_its_mode(tmp_path: Path, open_umask: None) -> None:
    # Made private by the owner's own choice or not: the warning says so
    # (tests/cli/test_private_files.py), sociaparis does not change it.
    (tmp_path / "data").mkdir(mode=0o750)
    make_engine(Settings(data_dir=tmp_path / "data", secret_key="k" * 32)).dispose()
    assert _mode(tmp_path / "data") == 0o750
    assert _mode(tmp_path / "data" / "sociaparis.db") == 0o600
