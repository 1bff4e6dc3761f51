"""``sociaparis demo``: a fresh demo study, served in the browser (the main job)."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import click

from sociaparis.cli.common import require_free_port
from sociaparis.core.config import Settings, get_settings

REPO_STUDY = Path(__file__).resolve().parents[2] / "studies" / "sociaparis"
DEMO_USER = "demo"
DEMO_PASSWORD = "demo-sociaparis-2026"
#: the transport form, answered by a few clearly labelled synthetic organisations
TRANSPORT_FORM_ID = "sociaparis_transport_vision"


#: the demo interviews: file, case, case attributes; the first is released
DEMO_INTERVIEWS = (
    ("entretien-agent-03.txt", "Agent 03", {"direction": "DFA", "catégorie": "B"}),
    ("entretien-agent-05.txt", "Agent 05", {"direction": "DSIN", "catégorie": "A"}),
)
#: the name the model cuts short in the first interview, widened in the review
DEMO_WIDENED = "Direction des Finances et des Achats"
#: passages of the released interview the demo researcher has coded (code, quote)
DEMO_CODINGS = (
    ("Outils généralistes", "surtout Copilot dans Outlook et Teams"),
    (
        "Rédaction et synthèse",
        "pour résumer les fils de messages et préparer les comptes rendus",
    ),
    ("Stratégies de vérification", "maintenant je vérifie surtout les chiffres"),
    ("Nouvelles compétences", "m'a montré comment écrire les consignes"),
    ("Erreurs constatées", "le résumé attribuait une décision"),
)


def add_demo_interviews(*, session: Any, actor: Any, folder: Path) -> dict[str, int]:
    """Import the study's synthetic interviews with their case attributes,
    propose their pseudonymization, and release the first one.

    The first is reviewed as a researcher would: the directorate the model
    found as "Direction des Finances" is widened to its full name, every other
    proposal accepted, and the text released, ready to code; the second stays
    under review.  Returns the ids of the ``released`` and ``under_review``
    documents.
    """
    from sociaparis.qual import casebook, intake
    from sociaparis.qual import pseudonymize_service as ps
    from sociaparis.qual.pseudonymization import PseudonymizationConfig
    from sociaparis.qual.pseudonymization.files import load_terms

    config = PseudonymizationConfig()
    if (folder / "termes.txt").is_file():
        config = config.with_terms(load_terms(folder / "termes.txt"))
    ids = []
    for name, case, attributes in DEMO_INTERVIEWS:
        [file] = intake.import_files(
            session=session,
            actor=actor,
            files=[(name, (folder / name).read_bytes())],
            case=case,
            detect_speakers=True,
            config=config,
        ).files
        ids.append(file.document.id)
        for attribute in attributes:
            if attribute not in {
                a.name for a in casebook.list_attributes(session=session)
            }:
                casebook.add_attribute(session=session, actor=actor, name=attribute)
        casebook.set_case_cells(session=session, actor=actor, case=case, cells=attributes)
    review = ps.get_review(session=session, actor=actor, document=ids[0])
    start = review.text.find(DEMO_WIDENED)
    end = start + len(DEMO_WIDENED)
    if start >= 0:
        inside = [
            i
            for i, r in enumerate(review.replacements)
            if r.start < end and start < r.end
        ]
        base = {"session": session, "actor": actor, "document": ids[0]}
        if len(inside) == 1:
            ps.review(**base, action="resize", index=inside[0], start=start, end=end)
        elif not inside:
            ps.review(**base, action="add", start=start, end=end, kind="ORGANISATION")
    ps.release_document(
        session=session, actor=actor, document=ids[0], accept_pending=True
    )
    return {"released": ids[0], "under_review": ids[1]}


def add_demo_codings(
    *, session: Any, actor: Any, codebook: Path, document: int
) -> tuple[int, int]:
    """Import the study's starting codebook and code a few passages of the
    released interview as the demo researcher (:data:`DEMO_CODINGS`), so that
    the coding view, the retrievals and the exports show something.

    Returns the number of codes and of codings.
    """
    from sociaparis.qual.codebook_service import import_codebook
    from sociaparis.qual.coding_service import apply_coding
    from sociaparis.qual.corpus import document_text

    codes, _ = import_codebook(session=session, actor=actor, path=codebook)
    text = document_text(session=session, actor=actor, ref=document)
    coded = 0
    for code, quote in DEMO_CODINGS:
        start = text.find(quote)
        if start < 0:  # the text was pseudonymized there: nothing to code
            continue
        apply_coding(
            session=session,
            actor=actor,
            document=document,
            code=code,
            start=start,
            end=start + len(quote),
        )
        coded += 1
    return len(codes), coded


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
        transport = None
        if any(item.form_id == TRANSPORT_FORM_ID for item in loaded):
            from sociaparis.compare.register.examples import add_example_responses

            transport = len(add_example_responses(session=session))
        create_user(
            session=session,
            username=DEMO_USER,
            password=DEMO_PASSWORD,
            role=Role.RESEARCHER,
            display_name="Chercheuse de démonstration",
        )
        interviews = None
        if (study_dir / "interviews").is_dir():
            from sociaparis.qual.corpus import acting_account

            interviews = add_demo_interviews(
                session=session,
                actor=acting_account(session=session, username=DEMO_USER),
                folder=study_dir / "interviews",
            )
            if (study_dir / "codebook.qdc").is_file():
                add_demo_codings(
                    session=session,
                    actor=acting_account(session=session, username=DEMO_USER),
                    codebook=study_dir / "codebook.qdc",
                    document=interviews["released"],
                )
        cities = study_dir / "cities" / "cities.csv"
        frame = None
        if cities.is_file():
            from sociaparis.compare.matrix.service import import_csv
            from sociaparis.qual.corpus import acting_account

            frame = import_csv(
                session=session,
                actor=acting_account(session=session, username=DEMO_USER),
                frame="cities",
                data=cities.read_bytes(),
                filename=cities.name,
                description="The 15 cities of the comparative survey (synthetic values)",
            ).frame
            plan = cities.with_name("calibration.toml")
            if plan.is_file():
                import tomllib

                from sociaparis.compare.qca_runs import save_plan

                save_plan(
                    session=session,
                    actor=acting_account(session=session, username=DEMO_USER),
                    frame=frame,
                    plan={"sets": tomllib.loads(plan.read_text("utf-8"))["sets"]},
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
        "interviews": interviews,
        "frame": frame,
        "transport": transport,
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
    if built["transport"]:
        click.echo(
            f"Synthetic transport responses:    {built['transport']} organisations "
            f"(flagged as synthetic), register at {base}/register"
        )
    if built["interviews"]:
        released = built["interviews"]["released"]
        waiting = built["interviews"]["under_review"]
        click.echo(f"Interview to code (released):     {base}/qual/documents/{released}")
        click.echo(
            f"Interview to review:              {base}/qual/corpus/{waiting}/review"
        )
    if built["frame"]:
        query = urlencode({"frame": built["frame"]})
        click.echo(f"Case matrix (15 cities):          {base}/compare/frame?{query}")
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
    # the reports page rakes to the demo study's population margins
    os.environ["SOCIAPARIS_STUDY_DIR"] = str(study_dir.resolve())
    get_settings.cache_clear()
    from sociaparis.cli.serve import run_server

    run_server(host=host, port=port, workers=1)
