"""Helpers shared by CLI commands: the database, the acting account, JSON output,
progress bars."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

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


#: ``--user NAME``: the account a command acts as (default ``$SOCIAPARIS_USER``).
ACTING_USER = click.option(
    "--user",
    "username",
    envvar="SOCIAPARIS_USER",
    required=True,
    help="Act as this account (default: $SOCIAPARIS_USER).",
)
#: ``--json``: print the result as JSON instead of a table.
JSON_OUTPUT = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


def print_json(data: Any) -> None:
    """Print ``data`` as indented JSON (UTF-8 kept, dates as text)."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


@contextmanager
def progress_bar(*, enabled: bool = True) -> Iterator[Callable[[int, int, str], None]]:
    """A progress bar on standard error, driven by a ``progress(done, total, what)``
    callback (the shape of the domain's progress callbacks); shown only on a
    terminal, and only when ``enabled``."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    console = Console(stderr=True)
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
        disable=not (enabled and console.is_terminal),
    )
    with bar:
        task = bar.add_task("", total=None)

        def progress(done: int, total: int, what: str) -> None:
            bar.update(task, description=what, completed=done, total=total)

        yield progress
