"""``sociaparis qual`` commands twin to the coding view: change a coding, undo,
memos (registered on the ``qual`` group by :mod:`sociaparis.cli.qual`)."""

from __future__ import annotations

import click

from sociaparis.cli.common import ACTING_USER, JSON_OUTPUT, database_session, print_json


def register(qual: click.Group) -> None:
    """Add the coding commands to the ``qual`` group."""
    for command in (recode_command, undo_command, memo_command, memos_command):
        qual.add_command(command)


@click.command("recode")
@click.argument("coding")
@click.option("--start", type=int, default=None, help="New start (code points).")
@click.option("--end", type=int, default=None, help="New end (code points, excluded).")
@click.option("--code", default=None, help="New code (name, path 'A > B' or GUID).")
@click.option("--memo", default=None, help="New memo ('' clears it).")
@ACTING_USER
@JSON_OUTPUT
def recode_command(
    coding: str, start: int | None, end: int | None, code: str | None,
    memo: str | None, username: str, as_json: bool,
) -> None:  # fmt: skip
    """Change the bounds, the code or the memo of the coding with GUID CODING."""
    from sociaparis.qual.coding_service import edit_coding
    from sociaparis.qual.corpus import acting_account

    with database_session() as session:
        actor = acting_account(session=session, username=username)
        info = edit_coding(
            session=session, actor=actor, coding=coding, start=start, end=end,
            code=code, memo=memo,
        )  # fmt: skip
    if as_json:
        print_json(info.to_dict())
        return
    click.echo(f"{info.guid}\t{info.start}:{info.end}\t{info.text}")


@click.command("undo")
@click.option("--document", default=None, help="Only an action on this document.")
@ACTING_USER
@JSON_OUTPUT
def undo_command(document: str | None, username: str, as_json: bool) -> None:
    """Undo your last coding action (apply, remove or recode) not undone yet."""
    from sociaparis.qual.coding_service import undo_last
    from sociaparis.qual.corpus import acting_account

    with database_session() as session:
        actor = acting_account(session=session, username=username)
        result = undo_last(session=session, actor=actor, document=document)
    if as_json:
        print_json(result.to_dict())
        return
    click.echo(f"undone {result.undone} of {result.coding}")


@click.command("memo")
@click.argument("on", type=click.Choice(["document", "code", "case", "coding"]))
@click.argument("target")
@click.argument("text")
@ACTING_USER
def memo_command(on: str, target: str, text: str, username: str) -> None:
    """Write memo TEXT on a document, code, case or coding (TARGET: its name,
    id or GUID)."""
    from sociaparis.qual.coding_service import add_memo
    from sociaparis.qual.corpus import acting_account

    with database_session() as session:
        actor = acting_account(session=session, username=username)
        guid = add_memo(session=session, actor=actor, text=text, on=on, target=target)
    click.echo(guid)


@click.command("memos")
@click.argument("on", type=click.Choice(["document", "code", "case", "coding"]))
@click.argument("target")
@JSON_OUTPUT
def memos_command(on: str, target: str, as_json: bool) -> None:
    """Print the memos on a document, code, case or coding, oldest first."""
    from sociaparis.qual.coding_service import memo_notes

    with database_session() as session:
        notes = memo_notes(session=session, on=on, target=target)
    if as_json:
        print_json([n.to_dict() for n in notes])
        return
    for note in notes:
        when = note.created_at.strftime("%Y-%m-%d %H:%M") if note.created_at else ""
        click.echo(f"{when}\t{note.author or ''}\t{note.text}")
