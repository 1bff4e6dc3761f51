"""``sociaparis db``: create and upgrade the database schema."""

from __future__ import annotations

import click

from sociaparis.cli.common import warn_if_open
from sociaparis.core.config import get_settings
from sociaparis.core.db import current_revision, ensure_schema, head_revision, make_engine


@click.group()
def db() -> None:
    """Create, upgrade and inspect the database schema."""


@db.command("upgrade")
def upgrade_command() -> None:
    """Create the tables of a new database, or apply pending migrations."""
    settings = get_settings()
    warn_if_open(settings)
    engine = make_engine(settings)
    message = ensure_schema(engine, settings.model_copy(update={"mode": "single"}))
    if message:
        click.echo(message)
    click.echo(
        f"Database at revision {current_revision(engine)} (head {head_revision()})."
    )


@db.command("status")
def status_command() -> None:
    """Print the database URL and its schema revision."""
    settings = get_settings()
    warn_if_open(settings)
    engine = make_engine(settings)
    safe_url = engine.url.render_as_string(hide_password=True)
    click.echo(f"database: {safe_url}")
    click.echo(f"revision: {current_revision(engine)} (head {head_revision()})")
