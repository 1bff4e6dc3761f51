"""``sociaparis token``: personal API tokens for scripts and notebooks."""

from __future__ import annotations

import click

from sociaparis.accounts.token_service import (
    TokenInfo,
    create_token,
    list_tokens,
    revoke_token,
)
from sociaparis.cli.common import JSON_OUTPUT, database_session, print_json


@click.group()
def token() -> None:
    """Create, list and revoke personal API tokens (see docs/api.md)."""


@token.command("create")
@click.argument("username")
@click.option("--name", default="", help="What the token is for, shown by `list`.")
def create_command(username: str, name: str) -> None:
    """Create an API token acting as USERNAME and print it (shown only once).

    The token is sent as `Authorization: Bearer TOKEN`; only its hash is stored.
    """
    with database_session() as session:
        info, secret = create_token(session=session, username=username, name=name)
    click.echo(
        f"Token {info.id} for '{info.username}' (store it now: it is not shown again):",
        err=True,
    )
    click.echo(secret)


def _when(info: TokenInfo) -> str:
    used = (
        info.last_used_at.isoformat(timespec="minutes") if info.last_used_at else "never"
    )
    state = (
        f"revoked {info.revoked_at.isoformat(timespec='minutes')}"
        if info.revoked_at
        else "active"
    )
    return f"last used {used}\t{state}"


@token.command("list")
@click.argument("username", required=False)
@JSON_OUTPUT
def list_command(username: str | None, as_json: bool) -> None:
    """List API tokens (of USERNAME if given): id, account, name, last use, state."""
    with database_session() as session:
        tokens = list_tokens(session=session, username=username)
    if as_json:
        print_json([t.to_dict() for t in tokens])
        return
    if not tokens:
        click.echo("No API tokens: create one with `sociaparis token create USERNAME`.")
    for info in tokens:
        click.echo(f"{info.id}\t{info.username}\t{info.name}\t{_when(info)}")


@token.command("revoke")
@click.argument("token_id", type=int)
def revoke_command(token_id: int) -> None:
    """Revoke the API token TOKEN_ID: requests sending it get 401 from now on."""
    with database_session() as session:
        info = revoke_token(session=session, token_id=token_id)
    click.echo(f"Token {info.id} of '{info.username}' is revoked.")
