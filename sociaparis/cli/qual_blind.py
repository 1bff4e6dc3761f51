"""``sociaparis qual blind`` (blind mode of agreement studies) and ``qual code-hits``
(code the places a search found), registered on the ``qual`` group."""

from __future__ import annotations

import click

from sociaparis.cli.common import ACTING_USER, JSON_OUTPUT, database_session, print_json


def register(qual: click.Group) -> None:
    """Add the commands to the ``qual`` group."""
    qual.add_command(blind_command)
    qual.add_command(code_hits_command)


@click.command("blind")
@click.argument("action", type=click.Choice(["status", "on", "off", "reveal"]))
@ACTING_USER
@JSON_OUTPUT
def blind_command(action: str, username: str, as_json: bool) -> None:
    """Blind mode: while on, a coder sees only their own codings.

    ACTION is `on` (hide other coders' codings from coders, again after a
    reveal), `reveal` (show every coding to everyone, the mode staying on),
    `off`, or `status`. Researchers and admins always see every coding.
    """
    from sociaparis.qual.blind import blind_state, reveal, set_blind
    from sociaparis.qual.corpus import acting_account

    with database_session() as session:
        if action == "status":
            state = blind_state(session=session)
        else:
            actor = acting_account(session=session, username=username)
            if action == "reveal":
                state = reveal(session=session, actor=actor)
            else:
                state = set_blind(session=session, actor=actor, blind=action == "on")
    if as_json:
        print_json(state.to_dict())
        return
    mode = "on" if state.blind else "off"
    revealed = ", codings revealed" if state.revealed else ""
    hiding = " (coders see only their own codings)" if state.hiding else ""
    click.echo(f"blind mode {mode}{revealed}{hiding}")


@click.command("code-hits")
@click.argument("code")
@click.argument("hits", nargs=-1, required=True)
@ACTING_USER
def code_hits_command(code: str, hits: tuple[str, ...], username: str) -> None:
    """Apply CODE to HITS of a search, each DOCUMENT:START:END (as `qual search
    --json` gives them: the document's GUID, start and end)."""
    from sociaparis.qual.coding_service import code_hits
    from sociaparis.qual.corpus import acting_account

    with database_session() as session:
        actor = acting_account(session=session, username=username)
        count = code_hits(session=session, actor=actor, code=code, hits=hits)
    click.echo(f"{count} codings stored")
