"""``sociaparis study``: check a study folder (study.toml, instruments, margins)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from sociaparis.survey.study import (
    InstrumentCheck,
    StudyInstrument,
    check_study,
    load_study,
)


@click.group()
def study() -> None:
    """Work with a study folder: its study.toml, questionnaires and margins."""


def _describe(check: InstrumentCheck, instrument: StudyInstrument) -> str:
    if not check.ok:
        return f"instrument {check.instrument}: {check.file.name} FAILED"
    window = f"{instrument.opens or '…'} to {instrument.closes or '…'}"
    kind = "anonymous" if instrument.anonymous else "identified"
    return (
        f"instrument {check.instrument}: {check.file.name} OK (form_id {check.form_id}, "
        f"version {check.version}, {check.pages} pages, {check.questions} questions; "
        f"{kind}, {instrument.access}, {window})"
    )


@study.command("check")
@click.argument("folder", type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def check_command(folder: Path, as_json: bool) -> None:
    """Check the study in FOLDER (a folder or its study.toml) and every instrument."""
    result = check_study(load_study(folder))
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        raise SystemExit(0 if result.ok else 1)
    loaded = result.study
    click.echo(f"study: {loaded.id} ({loaded.title[loaded.default_language]})")
    click.echo(
        f"languages: {', '.join(loaded.languages)}; min_cell_count: "
        f"{loaded.min_cell_count}"
    )
    for check in result.instruments:
        click.echo(_describe(check, loaded.instrument(check.instrument)))
        for line in (*check.errors, *(f"warning: {w}" for w in check.warnings)):
            click.echo(f"  {line}")
    if loaded.population is not None:
        population = loaded.population
        click.echo(
            f"population: {population.total} people in {len(population.cells)} cells "
            f"({' x '.join(population.dimensions)}"
            f"{', synthetic' if population.synthetic else ''})"
        )
    for error in result.errors:
        click.echo(f"  {error}")
    if not result.ok:
        raise click.ClickException("the study has problems (listed above)")
    click.echo("OK")


@study.command("load")
@click.argument("folder", type=click.Path(exists=True, path_type=Path))
def load_command(folder: Path) -> None:
    """Store the study's questionnaires (new versions only) and their fielding set-up."""
    from sociaparis.cli.common import database_session
    from sociaparis.survey.fielding.study import load_study_into_database

    loaded_study = load_study(folder)
    with database_session() as session:
        loaded = load_study_into_database(session=session, study=loaded_study)
    for item in loaded:
        stored = item.added.stored
        state = "new version" if item.added.created else "unchanged"
        access = "open link" if item.entry.access == "open" else "invitations"
        click.echo(
            f"{stored.form_id}: version {stored.version} ({state}); {access}, "
            f"{'anonymous' if item.entry.anonymous else 'identified'}"
        )
