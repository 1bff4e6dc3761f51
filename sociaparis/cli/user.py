"""``sociaparis user``: researcher accounts."""

from __future__ import annotations

import sys

import click

from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import create_user, list_accounts, parse_role
from sociaparis.cli.common import database_session


@click.group()
def user() -> None:
    """Create and list researcher accounts."""


@user.command("add")
@click.argument("username")
@click.option(
    "--role",
    default=Role.RESEARCHER.value,
    show_default=True,
    help="admin, researcher, coder or viewer.",
)
@click.option("--name", "display_name", default="", help="Full name shown on pages.")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input instead of asking.",
)
def add_command(
    username: str, role: str, display_name: str, password_stdin: bool
) -> None:
    """Create the account USERNAME (the password is stored as an argon2 hash)."""
    parsed_role = parse_role(role)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with database_session() as session:
        account = create_user(
            session=session,
            username=username,
            password=password,
            role=parsed_role,
            display_name=display_name,
        )
    click.echo(f"Created {account.role.value} account '{account.username}'.")


@user.command("list")
def list_command() -> None:
    """List accounts and their roles."""
    with database_session() as session:
        accounts = list_accounts(session=session)
    if not accounts:
        click.echo("No accounts yet: create one with `sociaparis user add NAME`.")
    for account in accounts:
        click.echo(f"{account.username}\t{account.role.value}\t{account.display_name}")
