"""The migration chain builds exactly the schema the models declare."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from sociaparis.core.config import Settings
from sociaparis.core.db import (
    Base,
    current_revision,
    head_revision,
    include_name,
    load_models,
    make_engine,
)
from sociaparis.core.db import upgrade as run_upgrade


def test_upgrade_from_empty_matches_the_models(database_url: str) -> None:
    load_models()
    engine = make_engine(Settings(database_url=database_url, secret_key="x" * 32))
    run_upgrade(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": include_name}
        )
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []


def test_every_migration_downgrades_to_an_empty_database(database_url: str) -> None:
    from alembic import command
    from sqlalchemy import inspect

    from sociaparis.core.db import _alembic_config

    engine = make_engine(Settings(database_url=database_url, secret_key="x" * 32))
    run_upgrade(engine)
    command.downgrade(_alembic_config(engine), "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()


@pytest.mark.parametrize("made_by", ["create_all", "migrations"])
def test_status_index_holds_the_ids_on_postgresql(postgres, made_by: str) -> None:
    from alembic import command

    from sociaparis.core.db import _alembic_config, ensure_schema
    from tests.conftest import _require

    _require(postgres)
    settings = Settings(database_url=postgres.create_database(), secret_key="x" * 32)
    engine = make_engine(settings)
    (ensure_schema(engine, settings) if made_by == "create_all" else run_upgrade(engine))
    definition = text(
        "SELECT indexdef FROM pg_indexes "
        "WHERE indexname = 'ix_responses_instrument_status'"
    )
    with engine.connect() as connection:
        made = connection.execute(definition).scalar_one()
    assert made.endswith("(instrument_id, status) INCLUDE (id)")
    command.downgrade(_alembic_config(engine), "0025_block_triggers_completed")
    with engine.connect() as connection:
        assert (
            connection.execute(definition)
            .scalar_one()
            .endswith("(instrument_id, status)")
        )
    engine.dispose()
