"""``sociaparis qual`` commands on focus groups: speakers, participants, interaction.

Twins of :mod:`sociaparis.qual.participant_service`; commands that change the
study act as the account given by ``--user`` (or ``SOCIAPARIS_USER``).
"""

from __future__ import annotations

import click

from sociaparis.cli.common import ACTING_USER, JSON_OUTPUT, database_session, print_json

DOCUMENTS = click.option(
    "--document",
    "documents",
    multiple=True,
    help="Only this document (id, GUID or title; repeatable; default: all).",
)
MODERATOR = click.option(
    "--moderator", "include_moderator", is_flag=True, help="Count the moderator too."
)


def register(qual: click.Group) -> None:
    """Add the focus-group commands to the ``qual`` group."""
    for command in (
        speakers_command,
        speaker_group,
        participants_command,
        participant_matrix_command,
        interaction_command,
    ):
        qual.add_command(command)


@click.command("speakers")
@click.argument("document")
@ACTING_USER
@JSON_OUTPUT
def speakers_command(document: str, username: str, as_json: bool) -> None:
    """List the speakers of DOCUMENT with their turns and words."""
    from sociaparis.qual.corpus import acting_account
    from sociaparis.qual.participant_service import list_speakers

    with database_session() as session:
        actor = acting_account(session=session, username=username)
        speakers = list_speakers(session=session, actor=actor, document=document)
    if as_json:
        print_json([s.to_dict() for s in speakers])
        return
    for s in speakers:
        role = "moderator" if s.moderator else (s.case or "-")
        click.echo(f"{s.speaker}\t{s.turns} turns\t{s.words} words\t{role}")


@click.group("speaker")
def speaker_group() -> None:
    """Rename, merge, mark and link the speakers of a document."""


@speaker_group.command("rename")
@click.argument("document")
@click.argument("speaker")
@click.argument("name")
@ACTING_USER
def speaker_rename(document: str, speaker: str, name: str, username: str) -> None:
    """Give SPEAKER of DOCUMENT the name NAME (pseudonymized with the study's table)."""
    from sociaparis.qual.corpus import acting_account
    from sociaparis.qual.participant_service import rename_speaker

    with database_session() as session:
        actor = acting_account(session=session, username=username)
        stored = rename_speaker(session=session, actor=actor, document=document,
                                speaker=speaker, name=name)  # fmt: skip
    click.echo(f"{speaker} -> {stored}")


@speaker_group.command("merge")
@click.argument("document")
@click.argument("speakers", nargs=-1, required=True)
@click.option("--into", required=True, help="The speaker they become.")
@ACTING_USER
def speaker_merge(
    document: str, speakers: tuple[str, ...], into: str, username: str
) -> None:
    """Give the turns of SPEAKERS to --into (a voice the diarization split)."""
    from sociaparis.qual.corpus import acting_account
    from sociaparis.qual.participant_service import merge_speakers

    with database_session() as session:
        actor = acting_account(session=session, username=username)
        moved = merge_speakers(session=session, actor=actor, document=document,
                               speakers=list(speakers), into=into)  # fmt: skip
    click.echo(f"{moved} turns now spoken by {into}")


@speaker_group.command("moderator")
@click.argument("document")
@click.argument("speaker")
@click.option("--unset", is_flag=True, help="SPEAKER is not the moderator.")
@ACTING_USER
def speaker_moderator(document: str, speaker: str, unset: bool, username: str) -> None:
    """Mark SPEAKER as the moderator of DOCUMENT (left out of the tables)."""
    from sociaparis.qual.corpus import acting_account
    from sociaparis.qual.participant_service import set_moderator

    with database_session() as session:
        actor = acting_account(session=session, username=username)
        set_moderator(session=session, actor=actor, document=document,
                      speaker=speaker, moderator=not unset)  # fmt: skip
    click.echo(f"{speaker}: {'participant' if unset else 'moderator'}")


@speaker_group.command("link")
@click.argument("document")
@click.argument("speaker")
@click.argument("case", required=False)
@click.option("--kind", default="participant", show_default=True,
              help="Kind of a new case.")  # fmt: skip
@click.option("--set", "values", multiple=True, help="Attribute NAME=VALUE (repeatable).")
@ACTING_USER
def speaker_link(
    document: str, speaker: str, case: str | None, kind: str,
    values: tuple[str, ...], username: str,
) -> None:  # fmt: skip
    """Link SPEAKER to CASE (created if new, with attributes); no CASE: unlink."""
    from sociaparis.cli.qual_corpus import _pairs
    from sociaparis.qual.corpus import acting_account
    from sociaparis.qual.participant_service import link_speaker

    attributes = _pairs(values, "--set")
    with database_session() as session:
        actor = acting_account(session=session, username=username)
        info = link_speaker(session=session, actor=actor, document=document,
                            speaker=speaker, case=case, kind=kind,
                            attributes=attributes)  # fmt: skip
    click.echo(f"{speaker} -> {info.name if info else '(no case)'}")


@click.command("participants")
@DOCUMENTS
@MODERATOR
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="Write the table as CSV.")  # fmt: skip
@JSON_OUTPUT
def participants_command(
    documents: tuple[str, ...], include_moderator: bool, out: str | None, as_json: bool
) -> None:
    """Turns and words per participant, and their shares (who dominated)."""
    from sociaparis.core.spreadsheets import neutralize_formula
    from sociaparis.qual.participant_service import participation_table

    with database_session() as session:
        table = participation_table(session=session, documents=list(documents),
                                    include_moderator=include_moderator)  # fmt: skip
    if out:
        safe = table.rename(index=neutralize_formula)
        safe.to_csv(out, encoding="utf-8-sig")
    if as_json:
        print_json(table.reset_index().to_dict(orient="records"))
        return
    for name, row in table.iterrows():
        click.echo(
            f"{name}\t{int(row['turns'])} turns\t{int(row['words'])} words\t"
            f"{row['word_share']:.1%} of words"
        )


@click.command("participant-matrix")
@click.option("--by", default="participant", show_default=True,
              help="'participant' or an attribute of their cases.")  # fmt: skip
@DOCUMENTS
@click.option("--measure", type=click.Choice(["codings", "documents"]), default="codings")
@click.option("--subcodes", is_flag=True, help="Count sub-codes in their parents.")
@click.option("--coder", default=None, help="Only this coder's codings.")
@MODERATOR
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="Write the matrix as .csv or .xlsx.")  # fmt: skip
@JSON_OUTPUT
def participant_matrix_command(
    by: str, documents: tuple[str, ...], measure: str, subcodes: bool,
    coder: str | None, include_moderator: bool, out: str | None, as_json: bool,
) -> None:  # fmt: skip
    """Code x participant (or x participant attribute) matrix of codings."""
    from sociaparis.qual.participant_service import (
        participant_attribute_matrix,
        participant_matrix,
    )

    with database_session() as session:
        options = {
            "session": session, "documents": list(documents), "coder": coder,
            "include_subcodes": subcodes, "include_moderator": include_moderator,
        }  # fmt: skip
        if by == "participant":
            result = participant_matrix(**options)
        else:
            result = participant_attribute_matrix(attribute=by, **options)
    if out and out.lower().endswith(".xlsx"):
        result.to_xlsx(out)
    elif out:
        result.to_csv(out, measure=measure)  # type: ignore[arg-type]
    if as_json:
        print_json(result.to_dict())
        return
    click.echo(result.to_frame(measure).to_string())  # type: ignore[arg-type]


@click.command("interaction")
@DOCUMENTS
@click.option("--coder", default=None, help="Only this coder's codings.")
@MODERATOR
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="Write both tables as .xlsx, or the transitions as .csv.")  # fmt: skip
@click.option("--plot", type=click.Path(dir_okay=False), default=None,
              help="Draw the transitions as an SVG heat map.")  # fmt: skip
@JSON_OUTPUT
def interaction_command(
    documents: tuple[str, ...], coder: str | None, include_moderator: bool,
    out: str | None, plot: str | None, as_json: bool,
) -> None:  # fmt: skip
    """Who speaks right after whom; codes in adjacent turns of different speakers."""
    from sociaparis.qual.participant_service import interaction

    with database_session() as session:
        result = interaction(session=session, documents=list(documents), coder=coder,
                             include_moderator=include_moderator)  # fmt: skip
    if out and out.lower().endswith(".xlsx"):
        result.to_xlsx(out)
    elif out:
        result.to_csv(out)
    if plot:
        result.plot(plot)
    if as_json:
        print_json(result.to_dict())
        return
    click.echo("# transitions (row speaks, column speaks next)")
    click.echo(result.transitions.to_string())
    click.echo("\n# codes in adjacent turns of different speakers (row, then column)")
    click.echo(result.cooccurrence.to_string())
