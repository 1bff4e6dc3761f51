"""Generated reference documentation: every CLI command and every error code.

``docs/cli.md`` and ``docs/errors.md`` hold ``cog`` blocks that call these
functions; ``make docs`` regenerates them and the test suite checks they are
current.
"""

from __future__ import annotations

import importlib
import pkgutil

import click

import sociaparis
from sociaparis.core.errors import ErrorCode


def _walk(
    command: click.Command, path: list[str], parent: click.Context | None
) -> list[str]:
    lines: list[str] = []
    name = " ".join(path)
    lines.append(f"{'#' * min(len(path) + 1, 4)} `{name}`\n")
    sub_ctx = click.Context(
        command,
        info_name=path[-1],
        parent=parent,
        terminal_width=88,
        max_content_width=88,
    )
    lines.append("```\n" + command.get_help(sub_ctx).rstrip() + "\n```\n")
    if isinstance(command, click.Group):
        for child in command.list_commands(sub_ctx):
            sub = command.get_command(sub_ctx, child)
            if sub is not None and not sub.hidden:
                lines.extend(_walk(sub, [*path, child], sub_ctx))
    return lines


def cli_reference() -> str:
    """Markdown with the ``--help`` of every command and sub-command."""
    from sociaparis.cli import cli

    return "\n".join(_walk(cli, ["sociaparis"], None))


def error_catalogs() -> list[type[ErrorCode]]:
    """Every error catalog of the package, by its first code."""
    catalogs: set[type[ErrorCode]] = set()
    for module in pkgutil.walk_packages(sociaparis.__path__, "sociaparis."):
        if not module.name.rsplit(".", 1)[-1].endswith("errors"):
            continue
        loaded = importlib.import_module(module.name)
        for value in vars(loaded).values():
            if (
                isinstance(value, type)
                and issubclass(value, ErrorCode)
                and value is not ErrorCode
                and len(value)
            ):
                catalogs.add(value)
    return sorted(catalogs, key=lambda c: next(iter(c)).code)


def errors_reference() -> str:
    """Markdown tables of every error code and its message template."""
    lines = []
    for catalog in error_catalogs():
        lines.append(f"\n## {catalog.__name__} (`{catalog.__module__}`)\n")
        lines.append("| code | message |")
        lines.append("|---|---|")
        for entry in catalog:
            message = " ".join(entry.template.split()).replace("|", "\\|")
            lines.append(f"| `{entry.code}` | {message} |")
    return "\n".join(lines) + "\n"
