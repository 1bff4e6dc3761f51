"""``sociaparis qual`` twins of the corpus pages: upload with a report per file,
attributes of the case table, documents filtered by case and attribute."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sociaparis.cli.common import ACTING_USER, JSON_OUTPUT, database_session, print_json


def register(qual: click.Group) -> None:
    """Add the upload and case-table commands to the ``qual`` group."""
    for command in (upload_command, attribute_command, cells_command, find_command):
        qual.add_command(command)


@click.command("upload")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False)
)
@click.option("--case", default=None, help="Case every file goes to (created if new).")
@click.option("--speakers", is_flag=True, help="Read 'NAME: text' paragraphs as turns.")
@click.option(
    "--no-pseudonymize",
    is_flag=True,
    help="Release the documents at once instead of proposing replacements.",
)
@click.option("--terms", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Study terms to replace, one per line.")  # fmt: skip
@click.option("--no-ner", is_flag=True, help="Do not run spaCy's statistical model.")
@ACTING_USER
@JSON_OUTPUT
def upload_command(
    files: tuple[str, ...],
    case: str | None,
    speakers: bool,
    no_pseudonymize: bool,
    terms: str | None,
    no_ner: bool,
    username: str,
    as_json: bool,
) -> None:
    """Import FILES as the corpus page does: each file is reported (turns,
    speakers, warnings, proposed replacements) and a file that cannot be read
    does not stop the others. Exits with status 1 if any file was refused.
    """
    from sociaparis.qual import intake
    from sociaparis.qual.corpus import acting_account
    from sociaparis.qual.pseudonymization import PseudonymizationConfig
    from sociaparis.qual.pseudonymization.files import load_terms

    config = PseudonymizationConfig(use_ner=not no_ner)
    if terms:
        config = config.with_terms(load_terms(terms))
    sent = []
    for file in files:
        # One byte past the limit is enough to refuse the file in its report.
        with Path(file).open("rb") as handle:
            sent.append((Path(file).name, handle.read(intake.MAX_FILE_BYTES + 1)))
    with database_session() as session:
        actor = acting_account(session=session, username=username)
        report = intake.import_files(
            session=session,
            actor=actor,
            files=sent,
            case=case,
            detect_speakers=speakers,
            pseudonymize=not no_pseudonymize,
            config=config,
        )
    if as_json:
        print_json(report.to_dict())
    else:
        for f in report.files:
            if not f.ok:
                click.echo(f"{f.filename}\trefused\t{f.error}")
                continue
            proposed = ", ".join(f"{k} {n}" for k, n in sorted(f.proposed.items()))
            click.echo(
                f"{f.filename}\t{f.document.id}\t{f.document.status}\t{f.format}\t"
                f"{f.paragraphs} paragraphs\t{f.turns} turns\t"
                f"speakers: {', '.join(f.speakers) or '-'}"
                + (f"\tproposed: {proposed or '0'}" if report.pseudonymize else "")
            )
            for warning in f.warnings:
                click.echo(f"  warning {warning}")
        click.echo(f"{report.imported} imported, {report.refused} refused", err=True)
    if report.refused:
        sys.exit(1)


@click.command("attribute")
@click.argument("name")
@click.option(
    "--type",
    "kind",
    type=click.Choice(["Text", "Boolean", "Integer", "Float", "Date", "DateTime"]),
    default="Text",
    show_default=True,
)
@ACTING_USER
def attribute_command(name: str, kind: str, username: str) -> None:
    """Add attribute NAME (an empty column of the case table)."""
    from sociaparis.qual.casebook import add_attribute
    from sociaparis.qual.corpus import acting_account

    with database_session() as session:
        actor = acting_account(session=session, username=username)
        added = add_attribute(session=session, actor=actor, name=name, kind=kind)
    click.echo(f"{added.name} ({added.type})")


@click.command("cells")
@click.argument("case")
@click.argument("cells", nargs=-1, required=True)
@ACTING_USER
def cells_command(case: str, cells: tuple[str, ...], username: str) -> None:
    """Set cells of CASE's row as NAME=TEXT, each read by its attribute's type
    (as the case table's page does); NAME= removes a value."""
    from sociaparis.qual.casebook import set_case_cells
    from sociaparis.qual.corpus import acting_account

    values = {}
    for item in cells:
        name, sep, text = item.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"'{item}' is not NAME=TEXT", param_hint="CELLS")
        values[name] = text
    with database_session() as session:
        actor = acting_account(session=session, username=username)
        set_case_cells(session=session, actor=actor, case=case, cells=values)
    click.echo(f"{case}: {len(values)} cells set")


@click.command("find")
@click.option("--status", default=None, help="imported, under_review or released.")
@click.option("--case", default=None, help="Documents of this case.")
@click.option("--where", default=None, help="Documents of the cases with NAME=VALUE.")
@JSON_OUTPUT
def find_command(
    status: str | None, case: str | None, where: str | None, as_json: bool
) -> None:
    """List documents by status, case and case attribute, grouped by case."""
    from sociaparis.qual.casebook import documents_by_case, find_documents

    attribute, value = None, None
    if where is not None:
        attribute, sep, value = where.partition("=")
        if not sep or not attribute:
            raise click.BadParameter(f"'{where}' is not NAME=VALUE", param_hint="--where")
    with database_session() as session:
        found = find_documents(
            session=session, status=status, case=case, attribute=attribute, value=value
        )
    groups = documents_by_case(found)
    if as_json:
        print_json(
            [{"case": k, "documents": [d.to_dict() for d in v]} for k, v in groups]
        )
        return
    for name, documents in groups:
        click.echo(name if name is not None else "(no case)")
        for d in documents:
            click.echo(f"  {d.id}\t{d.title}\t{d.status}\t{d.turns} turns")
