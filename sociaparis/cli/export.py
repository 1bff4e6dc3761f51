"""``sociaparis export``: a form's responses as CSV, XLSX, SPSS, Stata or Parquet."""

from __future__ import annotations

from pathlib import Path

import click

from sociaparis.cli.common import (
    ACTING_USER_OR_LOCAL,
    acting_or_local,
    database_session,
    progress_display,
)
from sociaparis.core.config import get_settings
from sociaparis.survey.exports import count_responses, export_form
from sociaparis.survey.io.writers import FORMATS

#: Exports with at least this many responses show a progress bar.
PROGRESS_FROM = 2000


@click.command("export")
@click.argument("form_id")
@click.option(
    "--format", "fmt", help=f"One of {', '.join(FORMATS)} (default: --out suffix)."
)
@click.option("--lang", type=click.Choice(["fr", "en"]), help="Language of the labels.")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("."),
    show_default=True,
    help="A folder, or a file whose suffix names the format.",
)
@click.option("--form-version", default=None, help="Only this version of the form.")
@click.option(
    "--include-in-progress", is_flag=True, help="Also export unfinished responses."
)
@ACTING_USER_OR_LOCAL
def export(
    form_id: str,
    fmt: str | None,
    lang: str | None,
    out: Path,
    form_version: str | None,
    include_in_progress: bool,
    acting: str | None,
) -> None:
    """Export the responses of FORM_ID, with labels and a data dictionary."""
    with database_session() as session:
        actor = acting_or_local(session, acting)
        total = count_responses(
            session=session,
            form_id=form_id,
            version=form_version,
            include_in_progress=include_in_progress,
        )
        progress = progress_display(enabled=total >= PROGRESS_FROM)
        with progress:
            reading = progress.add_task("Reading responses", total=total)
            writing = progress.add_task("Writing rows", total=None)
            result = export_form(
                session=session,
                actor=actor,
                form_id=form_id,
                out=out,
                fmt=fmt,
                lang=lang,
                version=form_version,
                include_in_progress=include_in_progress,
                evaluated=lambda n: progress.advance(reading, n),
                written=lambda n: progress.advance(writing, n),
                data_dir=get_settings().data_dir,
            )
    rows = ", ".join(f"{name}: {count}" for name, count in result.rows.items())
    click.echo(f"Exported {result.format.upper()} ({result.lang}), rows {rows}")
    if result.media:
        click.echo(f"{len(result.media)} files of file questions in media/")
    for path in (*result.files, *result.dictionary):
        click.echo(str(path))
