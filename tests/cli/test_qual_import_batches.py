"""``sociaparis qual import`` commits in batches: the write lock is free between
them, and an interrupted import keeps what was committed and can be finished."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import event
from sqlalchemy.orm import Session

from sociaparis.cli import cli
from sociaparis.core import db
from sociaparis.core.config import get_settings


@pytest.fixture
def study(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("SOCIAPARIS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SOCIAPARIS_DATABASE_URL", raising=False)
    monkeypatch.delenv("SOCIAPARIS_USER", raising=False)
    monkeypatch.setattr(db, "BATCH_ITEMS", 3, raising=False)
    monkeypatch.setattr(db, "BATCH_SECONDS", 3600.0, raising=False)
    get_settings.cache_clear()
    added = CliRunner().invoke(
        cli,
        ["user", "add", "boss", "--role", "researcher", "--password-stdin"],
        input="a-long-password-123\n",
    )
    assert added.exit_code == 0, added.output
    for number in range(1, 8):
        (tmp_path / f"e{number}.txt").write_text(
            f"Entretien {number} : l'IA au service.", encoding="utf-8"
        )
    yield tmp_path
    get_settings.cache_clear()


def _import(study: Path, numbers: range | list[int], *options: str):
    files = [str(study / f"e{n}.txt") for n in numbers]
    return CliRunner().invoke(cli, ["qual", "import", *files, "--user", "boss", *options])


def _titles() -> list[str]:
    listed = CliRunner().invoke(cli, ["qual", "documents", "--json"])
    return sorted(d["title"] for d in json.loads(listed.output))


def test_the_import_commits_in_batches_leaving_the_lock_free_between_them(
    study: Path,
) -> None:
    database = study / "data" / "sociaparis.db"
    writes_between: list[bool] = []

    def another_writer(_session: Session) -> None:
        # Another program that will not wait: it gets the write lock at once.
        other = sqlite3.connect(database, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            writes_between.append(True)
        except sqlite3.OperationalError:
            writes_between.append(False)
        finally:
            other.close()

    event.listen(Session, "after_commit", another_writer)
    try:
        result = _import(study, range(1, 8))
    finally:
        event.remove(Session, "after_commit", another_writer)
    assert result.exit_code == 0, result.output
    assert writes_between == [True, True, True]  # batches of 3, 3 and 1
    assert len(_titles()) == 7


def test_an_interrupted_import_keeps_its_batches_and_can_be_finished(
    study: Path,
) -> None:
    (study / "e5.txt").write_bytes(b"")
    failed = _import(study, range(1, 8))
    assert failed.exit_code == 1
    assert "3 documents imported before this error are kept" in failed.output
    assert "--skip-imported" in failed.output
    assert _titles() == ["e1.txt", "e2.txt", "e3.txt"]

    finished = _import(study, [1, 2, 3, 4, 6, 7], "--skip-imported")
    assert finished.exit_code == 0, finished.output
    assert "Skipped 3 files imported before." in finished.output
    assert _titles() == [f"e{n}.txt" for n in (1, 2, 3, 4, 6, 7)]


def test_a_command_that_cannot_get_the_write_lock_says_so(
    study: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOCIAPARIS_LOCK_TIMEOUT", "0.2")
    get_settings.cache_clear()
    holder = sqlite3.connect(study / "data" / "sociaparis.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # the server, or another command, writing
    try:
        result = _import(study, [1])
    finally:
        holder.rollback()
        holder.close()
    database = study / "data" / "sociaparis.db"
    assert result.exit_code == 1
    assert result.output == (
        f"Error: CORE_020: The database at sqlite:///{database} stayed locked by "
        "another program writing to it for 0.2 s (SOCIAPARIS_LOCK_TIMEOUT). Try "
        "again in a moment, or raise SOCIAPARIS_LOCK_TIMEOUT.\n"
    )
