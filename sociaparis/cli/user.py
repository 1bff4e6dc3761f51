"""``sociaparis user``: researcher accounts."""

from __future__ import annotations

import sys

import click

from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import (
    create_user,
    end_all_sessions,
    list_accounts,
    parse_role,
    set_disabled,
    set_password,
    set_role,
)
from sociaparis.cli.common import database_session


@click.group()
def user() -> None:
    """Create, list and change researcher accounts."""


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


_PASSWORD_STDIN = click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input instead of asking.",
)


@user.command("add")
@click.argument("username")
@click.option(
    "--role",
    default=Role.RESEARCHER.value,
    show_default=True,
    help="admin, researcher, coder or viewer.",
)
@click.option("--name", "display_name", default="", help="Full name shown on pages.")
@_PASSWORD_STDIN
def add_command(
    username: str, role: str, display_name: str, password_stdin: bool
) -> None:
    """Create the account USERNAME (the password is stored as an argon2 hash)."""
    parsed_role = parse_role(role)
    password = _read_password(password_stdin)
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
        state = "\tdisabled" if account.disabled else ""
        click.echo(
            f"{account.username}\t{account.role.value}\t{account.display_name}{state}"
        )


@user.command("role")
@click.argument("username")
@click.argument("role")
def role_command(username: str, role: str) -> None:
    """Give USERNAME the ROLE (admin, researcher, coder, viewer); logs it out."""
    parsed_role = parse_role(role)
    with database_session() as session:
        account = set_role(session=session, username=username, role=parsed_role)
    click.echo(
        f"'{account.username}' is now {account.role.value}; its sessions are ended."
    )


@user.command("password")
@click.argument("username")
@_PASSWORD_STDIN
def password_command(username: str, password_stdin: bool) -> None:
    """Set a new password for USERNAME; logs it out everywhere."""
    password = _read_password(password_stdin)
    with database_session() as session:
        account = set_password(session=session, username=username, password=password)
    click.echo(f"New password for '{account.username}'; its sessions are ended.")


@user.command("disable")
@click.argument("username")
def disable_command(username: str) -> None:
    """Disable USERNAME: it can no longer log in and its sessions end at once."""
    with database_session() as session:
        account = set_disabled(session=session, username=username, disabled=True)
    click.echo(f"'{account.username}' is disabled; its sessions are ended.")


@user.command("enable")
@click.argument("username")
def enable_command(username: str) -> None:
    """Enable USERNAME again after `sociaparis user disable`."""
    with database_session() as session:
        account = set_disabled(session=session, username=username, disabled=False)
    click.echo(f"'{account.username}' can log in again.")


@user.command("logout")
@click.argument("username")
def logout_command(username: str) -> None:
    """End every session of USERNAME (a lost laptop, a copied cookie)."""
    with database_session() as session:
        ended = end_all_sessions(session=session, username=username)
    click.echo(f"Ended {ended} session(s) of '{username}'.")
