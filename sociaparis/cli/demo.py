"""``sociaparis demo``: a fresh demo study, served in the browser (the main job)."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import click

from sociaparis.cli.common import require_free_port
from sociaparis.core.config import Settings, get_settings

REPO_STUDY = Path(__file__).resolve().parents[2] / "studies" / "sociaparis"
DEMO_USER = "demo"
DEMO_PASSWORD = "demo-sociaparis-2026"


def build_demo(data_dir: Path, study_dir: Path, *, responses: int, seed: int) -> dict:
    """Create a fresh SQLite study in ``data_dir`` from ``study_dir``.

    Returns what to tell the user: the database path, the stored forms, an
    invitation token for the staff survey and the open-link form.
    """
    from sociaparis.accounts.roles import Role
    from sociaparis.accounts.service import create_user
    from sociaparis.core.db import ensure_schema, make_engine, transaction
    from sociaparis.core.private import private_folder
    from sociaparis.survey.fielding.service import (
        configure_fielding,
        create_invitations,
        get_fielding,
    )
    from sociaparis.survey.fielding.study import load_study_into_database
    from sociaparis.survey.study import load_study
    from sociaparis.survey.synthetic import add_synthetic_responses

    private_folder(data_dir)
    for stale in data_dir.glob("sociaparis.db*"):
        stale.unlink()
    settings = Settings(data_dir=data_dir, database_url="")
    engine = make_engine(settings)
    ensure_schema(engine, settings)
    study = load_study(study_dir)
    with transaction(engine) as session:
        loaded = load_study_into_database(session=session, study=study)
        for item in loaded:
            # The demo lifts the fielding dates so that its links work on any day.
            fielding = get_fielding(session=session, form_id=item.form_id)
            configure_fielding(
                session=session,
                fielding=dataclasses.replace(fielding, opens_on=None, closes_on=None),
            )
        staff = next(item for item in loaded if item.entry.anonymous)
        open_form = next((i.form_id for i in loaded if i.entry.access == "open"), None)
        add_synthetic_responses(
            session=session,
            form_id=staff.form_id,
            count=responses,
            seed=seed,
            attribute_cells=study.population,
        )
        create_user(
            session=session,
            username=DEMO_USER,
            password=DEMO_PASSWORD,
            role=Role.RESEARCHER,
            display_name="Chercheuse de démonstration",
        )
        [invitation] = create_invitations(
            session=session,
            form_id=staff.form_id,
            attributes=[{"directorate": "dfa", "job_category": "B"}],
        )
    engine.dispose()
    return {
        "database": data_dir / "sociaparis.db",
        "forms": [item.form_id for item in loaded],
        "staff_form": staff.form_id,
        "token": invitation.token,
        "open_form": open_form,
    }


@click.command()
@click.option(
    "--data-dir",
    default="sociaparis-demo",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of the demo database (its database is recreated).",
)
@click.option(
    "--study",
    "study_dir",
    default=str(REPO_STUDY),
    show_default="studies/sociaparis of this repository",
    type=click.Path(exists=True, path_type=Path),
    help="The study folder to load.",
)
@click.option(
    "--responses", default=300, show_default=True, type=click.IntRange(0, 100_000)
)
@click.option(
    "--seed", default=2026, show_default=True, help="Seed of the synthetic data."
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--no-serve", is_flag=True, help="Build the demo study and stop.")
def demo(
    data_dir: Path,
    study_dir: Path,
    responses: int,
    seed: int,
    host: str,
    port: int,
    no_serve: bool,
) -> None:
    """Create a fresh demo study (SQLite) with synthetic responses, and serve it.

    The study's three questionnaires are loaded from the study folder, a few
    hundred CLEARLY LABELLED SYNTHETIC staff-survey responses are added so the
    researcher pages show something, and a demo researcher account is created.
    """
    if not no_serve:
        require_free_port(host, port)
    click.echo(f"Building the demo study from {study_dir} …")
    built = build_demo(data_dir.resolve(), study_dir, responses=responses, seed=seed)
    base = f"http://{host}:{port}"
    click.echo(f"Database: {built['database']}")
    click.echo(f"Questionnaires: {', '.join(built['forms'])}")
    click.echo(f"Synthetic staff-survey responses: {responses} (flagged as synthetic)")
    click.echo("")
    click.echo(f"Respondent link (staff survey):   {base}/i/{built['token']}")
    if built["open_form"]:
        click.echo(f"Open link (transport survey):     {base}/o/{built['open_form']}")
    click.echo(f"Researcher pages:                 {base}/login")
    click.echo(f"   user: {DEMO_USER}   password: {DEMO_PASSWORD}")
    click.echo("")
    click.echo("To use the command line on this study while it is served:")
    click.echo(f"   export SOCIAPARIS_DATA_DIR={data_dir.resolve()}")
    if no_serve:
        return
    os.environ["SOCIAPARIS_DATA_DIR"] = str(data_dir.resolve())
    os.environ["SOCIAPARIS_DATABASE_URL"] = ""
    os.environ["SOCIAPARIS_MODE"] = "single"
    get_settings.cache_clear()
    from sociaparis.cli.serve import run_server

    run_server(host=host, port=port, workers=1)
