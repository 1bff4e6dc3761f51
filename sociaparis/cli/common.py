"""Helpers shared by CLI commands: opening the configured database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy.orm import Session

from sociaparis.core.config import get_settings
from sociaparis.core.db import ensure_schema, make_engine, transaction


@contextmanager
def database_session() -> Iterator[Session]:
    """Open the configured database (upgrading it if needed) in one transaction."""
    settings = get_settings()
    engine = make_engine(settings)
    message = ensure_schema(engine, settings)
    if message:
        click.echo(message, err=True)
    try:
        with transaction(engine) as session:
            yield session
    finally:
        engine.dispose()
