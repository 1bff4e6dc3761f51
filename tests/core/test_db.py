"""Schema creation and upgrades on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import inspect, text

from sociaparis.core.config import Settings
from sociaparis.core.db import (
    Base,
    current_revision,
    ensure_schema,
    head_revision,
    make_engine,
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
