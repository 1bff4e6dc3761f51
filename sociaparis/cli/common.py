"""Helpers shared by CLI commands: the database, the acting account, JSON output,
progress bars."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from sociaparis.core.config import Settings, get_settings
from sociaparis.core.db import (
    ensure_schema,
    make_engine,
    make_session_factory,
    transaction,
)
from sociaparis.core.private import open_folder_warning

if TYPE_CHECKING:
    from rich.progress import Progress


def warn_if_open(settings: Settings) -> None:
    """Say (on stderr) when the data folder is open to other accounts."""
    warning = open_folder_warning(settings.data_dir)
    if warning:
        click.echo(warning, err=True)


def open_study(settings: Settings) -> Engine:
    """The engine of the study, its schema brought up to date; warns (on
    stderr) when the data folder is open to other accounts."""
    warn_if_open(settings)
    engine = make_engine(settings)
    message = ensure_schema(engine, settings)
    if message:
        click.echo(message, err=True)
    return engine


@contextmanager
def database_session() -> Iterator[Session]:
    """Open the configured database (upgrading it if needed) in one transaction."""
    engine = open_study(get_settings())
    try:
        with transaction(engine) as session:
            yield session
    finally:
        engine.dispose()


@contextmanager
def database_batches() -> Iterator[Session]:
    """Open the configured database for a long run of writes committed in
    batches (:class:`~sociaparis.core.db.BatchCommits`): the last batch is
    committed at the end; an error rolls back only the batch in progress."""
    engine = open_study(get_settings())
    try:
        with make_session_factory(engine)() as session:
            try:
                yield session
            except BaseException:
                session.rollback()
                raise
            session.commit()
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
#: ``--user NAME`` where it may be left out: without it the command acts as the
#: implicit local admin in single-user mode (see :func:`acting_or_local`).
ACTING_USER_OR_LOCAL = click.option(
    "--user",
    "acting",
    envvar="SOCIAPARIS_USER",
    default=None,
    help="Act as this account (default: $SOCIAPARIS_USER, else in single-user "
    "mode the local admin).",
)


def acting_or_local(session: Session, username: str | None) -> Any:
    """The account a command acts as: ``--user``, else the implicit local admin
    in single-user mode (``ACCOUNT_012`` in server mode once an admin exists)."""
    from sociaparis.accounts.service import command_line_account

    return command_line_account(
        session=session, username=username, mode=get_settings().mode
    )


#: ``--json``: print the result as JSON instead of a table.
JSON_OUTPUT = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


def print_json(data: Any) -> None:
    """Print ``data`` as indented JSON (UTF-8 kept, dates as text)."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def require_free_port(host: str, port: int) -> None:
    """Refuse, with what to do, a port another program already listens on.

    Checked before anything is built or printed, so that no link is shown for a
    server that cannot start.
    """
    import socket

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        # As uvicorn binds: a port left in TIME_WAIT by a stopped server is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise click.ClickException(
                f"Cannot listen on {host}:{port}: {error.strerror or error}. Another "
                f"program (an earlier sociaparis, perhaps) uses it: stop it, or choose "
                f"another port with --port {port + 1 if port < 65535 else 8000}."
            ) from error


def progress_display(*, enabled: bool = True) -> Progress:
    """The commands' progress bar on standard error (description, bar, done of
    total), drawn only on a terminal and only when ``enabled``; it vanishes when
    done."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    console = Console(stderr=True)
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
        disable=not (enabled and console.is_terminal),
    )


@contextmanager
def progress_bar(*, enabled: bool = True) -> Iterator[Callable[[int, int, str], None]]:
    """A :func:`progress_display` driven by a ``progress(done, total, what)``
    callback (the shape of the domain's progress callbacks)."""
    with progress_display(enabled=enabled) as bar:
        task = bar.add_task("", total=None)

        def progress(done: int, total: int, what: str) -> None:
            bar.update(task, description=what, completed=done, total=total)

        yield progress
