"""The ``sociaparis`` command line: a root group whose sub-commands load lazily.

Each domain's commands live in their own module (``cli/survey.py``,
``cli/qca.py``…); register a new one in :data:`COMMANDS`.
"""

from __future__ import annotations

import importlib
from typing import Any

import click
from pydantic import ValidationError

from sociaparis import __version__
from sociaparis.core.errors import SociaparisError

#: command name -> "module:attribute" of a click command or group
COMMANDS: dict[str, str] = {
    "assist": "sociaparis.cli.assist:assist",
    "cases": "sociaparis.cli.cases:cases",
    "config": "sociaparis.cli.config:config",
    "db": "sociaparis.cli.db:db",
    "export": "sociaparis.cli.export:export",
    "demo": "sociaparis.cli.demo:demo",
    "instrument": "sociaparis.cli.survey:instrument",
    "invite": "sociaparis.cli.fielding:invite",
    "job": "sociaparis.cli.job:job",
    "mail": "sociaparis.cli.fielding:mail",
    "monitor": "sociaparis.cli.monitor:monitor",
    "qca": "sociaparis.cli.qca:qca",
    "qual": "sociaparis.cli.qual:qual",
    "register": "sociaparis.cli.register:register",
    "report": "sociaparis.cli.report:report",
    "response": "sociaparis.cli.response:response",
    "serve": "sociaparis.cli.serve:serve",
    "stats": "sociaparis.cli.stats:stats",
    "study": "sociaparis.cli.study:study",
    "token": "sociaparis.cli.token:token",
    "user": "sociaparis.cli.user:user",
}


class LazyGroup(click.Group):
    """A group that imports a sub-command's module only when it is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMANDS))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in COMMANDS:
            module_name, attribute = COMMANDS[cmd_name].split(":")
            return getattr(importlib.import_module(module_name), attribute)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SociaparisError as exc:
            raise click.ClickException(f"{exc.code}: {exc.message}") from None
        except Exception as exc:
            from sociaparis.core.db import is_lock_timeout, lock_timeout_error

            if not is_lock_timeout(exc):
                raise
            from sociaparis.core.config import get_settings

            error = lock_timeout_error(get_settings())
            raise click.ClickException(f"{error.code}: {error.message}") from None


@click.group(cls=LazyGroup, invoke_without_command=True)
@click.version_option(__version__, prog_name="sociaparis")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """sociaparis: surveys, interviews, QCA and statistics for one study.

    Without a command, serves the study in the browser (`sociaparis serve`).
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(ctx.command.get_command(ctx, "serve"))


def main() -> None:
    """Entry point of the ``sociaparis`` console script.

    Everything the command writes (database, exports, links) is private to its
    owner: see :mod:`sociaparis.core.private`.
    """
    import os

    from sociaparis.core.private import PRIVATE_UMASK

    os.umask(PRIVATE_UMASK)
    try:
        cli(prog_name="sociaparis")
    except ValidationError as error:  # a SOCIAPARIS_* setting the Settings refuse
        for line in settings_problems(error):
            click.echo(f"Error: {line}", err=True)
        raise SystemExit(1) from None


def settings_problems(error: ValidationError) -> list[str]:
    """One line per refused setting, named as the environment variable."""
    lines = []
    for problem in error.errors():
        message = problem["msg"].removeprefix("Value error, ")
        name = f"SOCIAPARIS_{str(problem['loc'][0]).upper()}" if problem["loc"] else ""
        lines.append(message if message.startswith(name) else f"{name}: {message}")
    return lines
