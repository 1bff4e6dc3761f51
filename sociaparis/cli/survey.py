"""``sociaparis instrument``: check, store, list and simulate XLSForm questionnaires."""

from __future__ import annotations

import json
from pathlib import Path

import click

from sociaparis.cli.common import (
    ACTING_USER,
    ACTING_USER_OR_LOCAL,
    acting_or_local,
    database_session,
)
from sociaparis.survey.fielding.operations import store_form_version
from sociaparis.survey.service import list_instruments
from sociaparis.survey.simulate import load_answers, simulate
from sociaparis.survey.xlsform import XLSFormResult, read_xlsform

FORM = click.argument(
    "form", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
MEDIA = click.option(
    "--media",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Folder of the form's attachments (select_*_from_file files, pulldata() "
    "CSVs) [default: media/ beside FORM].",
)


@click.group()
def instrument() -> None:
    """Check, store and test XLSForm questionnaires."""


def _summary(form: XLSFormResult) -> list[str]:
    from sociaparis.survey.fielding.operations import CheckReport

    report = CheckReport(form.filename, form, (), tuple(form.warnings))
    lines = [f"{key}: {value}" for key, value in report.summary()]
    lines.extend(f"warning: {issue}" for issue in form.warnings)
    return lines


@instrument.command("check")
@FORM
@MEDIA
def check_command(form: Path, media: Path | None) -> None:
    """Check FORM (every rule of `add`) without storing it."""
    result = read_xlsform(form, media=media)
    for line in _summary(result):
        click.echo(line)
    click.echo("OK")


@instrument.command("add")
@FORM
@MEDIA
@ACTING_USER_OR_LOCAL
def add_command(form: Path, media: Path | None, acting: str | None) -> None:
    """Check FORM and store it as a new version (unchanged forms are not duplicated).

    Its attachments are stored with the version: a changed attachment makes a
    new version, and a fielded version never changes.
    """
    result = read_xlsform(form, media=media)
    with database_session() as session:
        added = store_form_version(
            session=session,
            actor=acting_or_local(session, acting),
            form=result,
            filename=form.name,
        )
    stored = added.stored
    for issue in added.warnings:
        click.echo(f"warning: {issue}")
    if added.created:
        click.echo(
            f"Added {stored.form_id} version {stored.version} (id {stored.id}, "
            f"{len(stored.instrument.pages())} pages)."
        )
    else:
        click.echo(
            f"Unchanged: {stored.form_id} version {stored.version} (id {stored.id}) "
            "already holds this form."
        )


@instrument.command("list")
@click.option("--form-id", default=None, help="Only the versions of this form.")
def list_command(form_id: str | None) -> None:
    """List the stored instruments and their versions."""
    with database_session() as session:
        stored = list_instruments(session=session, form_id=form_id)
    if not stored:
        click.echo(
            "No instruments stored yet (add one with `sociaparis instrument add`)."
        )
        return
    for entry in stored:
        click.echo(
            f"{entry.id}\t{entry.form_id}\tversion {entry.version}\t"
            f"{entry.created_at:%Y-%m-%d %H:%M}\t{entry.title}"
        )


@instrument.command("simulate")
@FORM
@click.option(
    "--answers",
    "answers_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="JSON object from question name to answer (a repeat: a list of objects).",
)
@click.option(
    "--lang", default=None, help="Language of the messages (default: the form's)."
)
@MEDIA
def simulate_command(
    form: Path, answers_path: Path, lang: str | None, media: Path | None
) -> None:
    """Run the form logic on ANSWERS and print pages, values and errors as JSON."""
    model = read_xlsform(form, media=media).instrument
    report = simulate(model, load_answers(answers_path), lang=lang)
    click.echo(json.dumps(report, ensure_ascii=False, indent=2))


def _set_closed(form_id: str, username: str, closed: bool) -> None:
    from sociaparis.qual.corpus import acting_account
    from sociaparis.survey.fielding.operations import set_fielding_closed

    with database_session() as session:
        actor = acting_account(session=session, username=username)
        fielding = set_fielding_closed(
            session=session, actor=actor, form_id=form_id, closed=closed
        )
    if fielding.closed:
        click.echo(f"{form_id} is closed: no new response starts.")
    else:
        dates = ""
        if fielding.opens_on or fielding.closes_on:
            dates = (
                f" (the study's dates still apply: {fielding.opens_on or '…'} to "
                f"{fielding.closes_on or '…'})"
            )
        click.echo(f"{form_id} is open{dates}.")


@instrument.command("open")
@click.argument("form_id")
@ACTING_USER
def open_command(form_id: str, username: str) -> None:
    """Open FORM_ID's fielding again after `instrument close`."""
    _set_closed(form_id, username, closed=False)


@instrument.command("close")
@click.argument("form_id")
@ACTING_USER
def close_command(form_id: str, username: str) -> None:
    """Close FORM_ID's fielding: its links answer a "closed" page; responses in
    progress may still be finished."""
    _set_closed(form_id, username, closed=True)
