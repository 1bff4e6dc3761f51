"""``sociaparis response``: what a researcher does to one stored response."""

from __future__ import annotations

import click

from sociaparis.cli.common import ACTING_USER_OR_LOCAL, acting_or_local, database_session
from sociaparis.core.config import get_settings
from sociaparis.survey.fielding.service import delete_response, sweep_uploads
from sociaparis.survey.fielding.uploads import UploadLimits


@click.group()
def response() -> None:
    """Work on one stored response."""


@response.command("delete")
@click.argument("response_id")
@click.confirmation_option(prompt="Delete this response and its files for good?")
@ACTING_USER_OR_LOCAL
def delete(response_id: str, acting: str | None) -> None:
    """Delete the response RESPONSE_ID (the _id of exports) and its uploaded files.

    For a respondent who withdraws: the answers and every file sent to its
    file questions are removed; this cannot be undone.
    """
    with database_session() as session:
        deleted = delete_response(
            session=session,
            actor=acting_or_local(session, acting),
            response_id=response_id,
            limits=UploadLimits.from_settings(get_settings()),
        )
    click.echo(f"Deleted response {deleted.response_id} and {deleted.files} files.")


@response.command("sweep")
def sweep() -> None:
    """Remove the uploaded files that no saved answer names.

    Files sent on a page that was refused and then left, and folders of
    responses that no longer exist; a saved page already removes the files
    its own response replaced.
    """
    with database_session() as session:
        swept = sweep_uploads(
            session=session, limits=UploadLimits.from_settings(get_settings())
        )
    click.echo(
        f"Removed {swept.files} files and {swept.folders} folders of responses "
        "that no longer exist."
    )
