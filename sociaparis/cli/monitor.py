"""``sociaparis monitor``: the fielding monitoring tables, printed or as CSV."""

from __future__ import annotations

from pathlib import Path

import click

from sociaparis.cli.common import database_session
from sociaparis.core.private import write_private_text
from sociaparis.survey.fielding.monitoring import (
    TABLES,
    available_tables,
    csv_name,
    fielding_monitoring,
    monitoring_rows,
    table_csv,
)


def _text(value: object) -> str:
    if value is None:
        return "x"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


@click.command()
@click.argument("form_id")
@click.option(
    "--table",
    "tables",
    multiple=True,
    type=click.Choice(TABLES),
    help="Only this table (repeat for several) [default: all].",
)
@click.option(
    "--csv",
    "csv_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write each table as FORM_ID-TABLE.csv in this folder instead of printing.",
)
@click.option(
    "--lang",
    default=None,
    help="Language of the labels, e.g. fr or en [default: the form's].",
)
def monitor(
    form_id: str, tables: tuple[str, ...], csv_dir: Path | None, lang: str | None
) -> None:
    """Where fielding of FORM_ID stands: by page, by day, by attribute.

    The tables of the researcher page /fielding/FORM_ID, under the same
    small-cell rule (a hidden cell prints as x and is empty in a CSV): by_page
    (reached, stopped here, median time), by_day (completed to date by stratum,
    response rate), invitations, started and completed by the two first
    recorded attributes.
    """
    with database_session() as session:
        monitoring = fielding_monitoring(session=session, form_id=form_id, lang=lang)
    chosen = [t for t in (tables or TABLES) if t in available_tables(monitoring)]
    if csv_dir is not None:
        csv_dir.mkdir(parents=True, exist_ok=True)
    for table in chosen:
        header, rows = monitoring_rows(monitoring, table)
        if not rows:
            continue
        if csv_dir is not None:
            path = csv_dir / csv_name(form_id, table)
            write_private_text(path, table_csv(monitoring, table).decode("utf-8"))
            click.echo(f"{table}: {len(rows)} rows in {path}")
            continue
        cells = [[_text(v) for v in row] for row in [header, *rows]]
        widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
        click.echo(f"== {table}")
        for row in cells:
            click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
        click.echo("")
    click.echo(
        f"Counts below {monitoring.min_cell_count}, and those they could be "
        "worked out from, are hidden (x)."
    )
