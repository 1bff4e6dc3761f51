"""``sociaparis invite``: personal single-use invitation links."""

from __future__ import annotations

from pathlib import Path

import click

from sociaparis.cli.common import database_session
from sociaparis.core.config import get_settings
from sociaparis.core.private import write_private_text
from sociaparis.survey.fielding.invitation_csv import read_invitation_csv, write_links_csv
from sociaparis.survey.fielding.service import create_invitations, get_fielding


@click.command()
@click.argument("form_id")
@click.option(
    "--csv",
    "csv_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The invitation list: one row per person (UTF-8 or Windows-1252).",
)
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Where to write the list with each person's link (written readable "
    "by its owner only: keep it private).",
)
@click.option(
    "--base-url",
    default=None,
    help="The address respondents reach sociaparis at "
    "[default: SOCIAPARIS_BASE_URL, else http://127.0.0.1:8000].",
)
def invite(form_id: str, csv_path: Path, out_path: Path, base_url: str | None) -> None:
    """Create one single-use invitation per row of the CSV for FORM_ID.

    Only the hash of each token is stored. Columns the study allows (its
    invitation_attributes, e.g. directorate and job category) are recorded on
    the response; every other column (names, e-mails) only goes to the links file.
    """
    invitations = read_invitation_csv(csv_path.read_bytes(), path=str(csv_path))
    with database_session() as session:
        allowed = set(get_fielding(session=session, form_id=form_id).recorded_attributes)
        created = create_invitations(
            session=session,
            form_id=form_id,
            attributes=[
                {k: v for k, v in row.items() if k in allowed} for row in invitations.rows
            ],
        )
    base_url = base_url or get_settings().base_url or "http://127.0.0.1:8000"
    links = [f"{base_url.rstrip('/')}/i/{invitation.token}" for invitation in created]
    write_private_text(out_path, write_links_csv(invitations, links))
    recorded = sorted(allowed & set(invitations.columns))
    click.echo(f"Created {len(created)} invitations for {form_id}; links in {out_path}.")
    click.echo(f"Recorded on responses: {', '.join(recorded) or 'nothing'}.")
    click.echo("The links file gives access to the questionnaire: keep it private.")
