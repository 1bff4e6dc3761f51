"""``sociaparis user``: researcher accounts, lockouts and the audit log.

Each command acts as the account of ``--user`` (or ``$SOCIAPARIS_USER``),
which must be an admin; without it, in single-user mode, as the local admin
(whoever holds the study's files), and in server mode only until a first admin
exists.
"""

from __future__ import annotations

import sys
from datetime import date

import click

from sociaparis.accounts.audit import AuditFilter, audit_csv, audit_page
from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import (
    add_account,
    end_all_sessions,
    list_people,
    parse_role,
    set_disabled,
    set_password,
    set_role,
    unlock_account,
)
from sociaparis.cli.common import ACTING_USER_OR_LOCAL, acting_or_local, database_session


@click.group()
def user() -> None:
    """Create, list and change researcher accounts; read the audit log."""


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


_PASSWORD_STDIN = click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input instead of asking.",
)
_GENERATE = click.option(
    "--generate",
    is_flag=True,
    help="Generate a strong one-time password and print it once.",
)


def _show_generated(generated: str | None) -> None:
    if generated:
        click.echo(f"One-time password (shown once): {generated}")


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
@_GENERATE
@ACTING_USER_OR_LOCAL
def add_command(
    username: str,
    role: str,
    display_name: str,
    password_stdin: bool,
    generate: bool,
    acting: str | None,
) -> None:
    """Create the account USERNAME (the password is stored as an argon2 hash)."""
    parsed_role = parse_role(role)
    password = None if generate else _read_password(password_stdin)
    with database_session() as session:
        issued = add_account(
            session=session,
            actor=acting_or_local(session, acting),
            username=username,
            password=password,
            role=parsed_role,
            display_name=display_name,
        )
    click.echo(f"Created {issued.account.role.value} account '{username}'.")
    _show_generated(issued.generated)


@user.command("list")
@ACTING_USER_OR_LOCAL
def list_command(acting: str | None) -> None:
    """List accounts, their roles, and whether they are disabled or locked."""
    with database_session() as session:
        people = list_people(session=session, actor=acting_or_local(session, acting))
    if not people:
        click.echo("No accounts yet: create one with `sociaparis user add NAME`.")
    for person in people:
        account = person.account
        state = "\tdisabled" if account.disabled else ""
        if person.locked_until is not None:
            state += f"\tlocked until {person.locked_until:%Y-%m-%d %H:%M} UTC"
        click.echo(
            f"{account.username}\t{account.role.value}\t{account.display_name}{state}"
        )


@user.command("role")
@click.argument("username")
@click.argument("role")
@ACTING_USER_OR_LOCAL
def role_command(username: str, role: str, acting: str | None) -> None:
    """Give USERNAME the ROLE (admin, researcher, coder, viewer); logs it out."""
    parsed_role = parse_role(role)
    with database_session() as session:
        account = set_role(
            session=session,
            actor=acting_or_local(session, acting),
            username=username,
            role=parsed_role,
        )
    click.echo(
        f"'{account.username}' is now {account.role.value}; its sessions are ended."
    )


@user.command("password")
@click.argument("username")
@_PASSWORD_STDIN
@_GENERATE
@ACTING_USER_OR_LOCAL
def password_command(
    username: str, password_stdin: bool, generate: bool, acting: str | None
) -> None:
    """Set a new password for USERNAME (lifts a lockout); logs it out everywhere."""
    password = None if generate else _read_password(password_stdin)
    with database_session() as session:
        issued = set_password(
            session=session,
            actor=acting_or_local(session, acting),
            username=username,
            password=password,
        )
    click.echo(f"New password for '{issued.account.username}'; its sessions are ended.")
    _show_generated(issued.generated)


@user.command("disable")
@click.argument("username")
@ACTING_USER_OR_LOCAL
def disable_command(username: str, acting: str | None) -> None:
    """Disable USERNAME: it can no longer log in and its sessions end at once."""
    with database_session() as session:
        account = set_disabled(
            session=session,
            actor=acting_or_local(session, acting),
            username=username,
            disabled=True,
        )
    click.echo(f"'{account.username}' is disabled; its sessions are ended.")


@user.command("enable")
@click.argument("username")
@ACTING_USER_OR_LOCAL
def enable_command(username: str, acting: str | None) -> None:
    """Enable USERNAME again after `sociaparis user disable`."""
    with database_session() as session:
        account = set_disabled(
            session=session,
            actor=acting_or_local(session, acting),
            username=username,
            disabled=False,
        )
    click.echo(f"'{account.username}' can log in again.")


@user.command("unlock")
@click.argument("username")
@ACTING_USER_OR_LOCAL
def unlock_command(username: str, acting: str | None) -> None:
    """Lift the lockout of USERNAME after repeated wrong passwords."""
    with database_session() as session:
        account = unlock_account(
            session=session, actor=acting_or_local(session, acting), username=username
        )
    click.echo(f"'{account.username}' is unlocked.")


@user.command("logout")
@click.argument("username")
@ACTING_USER_OR_LOCAL
def logout_command(username: str, acting: str | None) -> None:
    """End every session of USERNAME (a lost laptop, a copied cookie)."""
    with database_session() as session:
        ended = end_all_sessions(
            session=session, actor=acting_or_local(session, acting), username=username
        )
    click.echo(f"Ended {ended} session(s) of '{username}'.")


@user.command("audit")
@click.option(
    "--person", default="", help="Entries where this account acted or was the target."
)
@click.option("--action", default="", help="Only this action (e.g. login.failure).")
@click.option(
    "--since", type=click.DateTime(["%Y-%m-%d"]), default=None, help="First day (UTC)."
)
@click.option(
    "--until",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Last day (UTC), included.",
)
@click.option(
    "--page", type=click.IntRange(min=1), default=1, show_default=True, help="Page of 50."
)
@click.option("--csv", "as_csv", is_flag=True, help="Print every matching entry as CSV.")
@ACTING_USER_OR_LOCAL
def audit_command(
    person: str,
    action: str,
    since: object,
    until: object,
    page: int,
    as_csv: bool,
    acting: str | None,
) -> None:
    """Show the audit log, newest first: log-ins, account changes, exports, fielding."""
    where = AuditFilter(
        person=person, action=action, since=_day(since), until=_day(until)
    )
    with database_session() as session:
        actor = acting_or_local(session, acting)
        if as_csv:
            data = audit_csv(session=session, actor=actor, where=where)
        else:
            log = audit_page(session=session, actor=actor, where=where, page=page)
    if as_csv:
        click.echo(data.decode("utf-8-sig"), nl=False)
        return
    for row in log.rows:
        click.echo(
            f"{row.at:%Y-%m-%d %H:%M:%S}\t{row.actor or '-'}\t{row.action}\t"
            f"{row.target}\t{row.details_text()}"
        )
    click.echo(f"{log.total} entries; page {log.page} of {log.pages}.", err=True)


def _day(value: object) -> date | None:
    return value.date() if value is not None else None  # type: ignore[attr-defined]
