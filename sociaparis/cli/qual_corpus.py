"""``sociaparis qual`` commands on the stored corpus (registered on the ``qual`` group).

Commands that change the study act as the account given by ``--user`` (or the
``SOCIAPARIS_USER`` environment variable), whose role is checked.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import click

from sociaparis.cli.common import (
    ACTING_USER,
    JSON_OUTPUT,
    database_session,
    print_json,
    progress_display,
)


def _typed(text: str) -> Any:
    """A command-line attribute value: true/false, integer, number, ISO date or text."""
    if text in ("true", "false"):
        return text == "true"
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d+\.\d+", text):
        return float(text)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return date.fromisoformat(text)
    return text


def _pairs(items: tuple[str, ...], what: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"'{item}' is not NAME=VALUE", param_hint=what)
        out[name.strip()] = _typed(value.strip())
    return out


def register(qual: click.Group) -> None:
    """Add the corpus commands to the ``qual`` group."""
    for command in (
        import_command,
        documents_command,
        text_command,
        cases_command,
        case_command,
        case_attributes_command,
        pseudonymize_document_command,
        review_command,
        reidentification_command,
        codebook_group,
        code_command,
        uncode_command,
        segments_command,
        matrix_command,
        search_command,
        history_command,
        corpus_agreement_command,
        export_qdpx_command,
        import_qdpx_command,
    ):
        qual.add_command(command)
    from sociaparis.cli.qual_blind import register as register_blind

    register_blind(qual)


# ------------------------------------------------------------------ documents, cases


@click.command("import")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False)
)
@click.option(
    "--case", default=None, help="Case the documents belong to (created if new)."
)
@click.option("--case-kind", default="", help="Kind of a new case: interviewee, city…")
@click.option("--format", "format_", default=None, help="Reader (default: extension).")
@click.option("--speakers", is_flag=True, help="Read 'NAME: text' paragraphs as turns.")
@click.option(
    "--no-pseudonymization",
    is_flag=True,
    help="Release at once (text already pseudonymized, or not about people).",
)
@click.option("--allow-duplicate", is_flag=True, help="Import a file imported before.")
@click.option(
    "--skip-imported",
    is_flag=True,
    help="Skip files imported before (same content), e.g. to finish an "
    "interrupted import.",
)
@ACTING_USER
@JSON_OUTPUT
def import_command(
    files: tuple[str, ...],
    case: str | None,
    case_kind: str,
    format_: str | None,
    speakers: bool,
    no_pseudonymization: bool,
    allow_duplicate: bool,
    skip_imported: bool,
    username: str,
    as_json: bool,
) -> None:
    """Import documents (TXT, MD, DOCX, ODT, VTT, SRT, Whisper JSON, noScribe HTML).

    The documents are committed in batches (50 files, or fewer once a batch
    has taken a second), so that a live study's respondents are not kept
    waiting; if the import stops, the batches committed stay: run the same
    command again with --skip-imported to import the rest.
    """

    from sociaparis.cli.common import database_batches
    from sociaparis.core.db import BatchCommits
    from sociaparis.core.errors import SociaparisError
    from sociaparis.qual.corpus import acting_account, import_document
    from sociaparis.qual.corpus_errors import CorpusError

    results = []
    skipped = []
    with database_batches() as session, progress_display() as progress:
        actor = acting_account(session=session, username=username)
        batches = BatchCommits(session)
        task = progress.add_task("Importing", total=len(files))
        for file in files:
            try:
                info = import_document(
                    session=session,
                    actor=actor,
                    data=Path(file),
                    format=format_,
                    detect_speakers=speakers,
                    case=case,
                    case_kind=case_kind,
                    needs_pseudonymization=not no_pseudonymization,
                    allow_duplicate=allow_duplicate,
                )
            except SociaparisError as exc:
                # The duplicate check comes before anything is written.
                if not (skip_imported and exc.error is CorpusError.DUPLICATE_DOCUMENT):
                    if batches.committed:
                        click.echo(
                            f"{batches.committed} documents imported before this "
                            "error are kept; run the command again with "
                            "--skip-imported once the file is fixed or left out.",
                            err=True,
                        )
                    raise
                skipped.append(file)
            else:
                results.append(info)
                batches.item_done()
            progress.advance(task)
    if as_json:
        print_json([r.to_dict() for r in results])
        return
    for info in results:
        click.echo(
            f"{info.id}\t{info.title}\t{info.format}\t{info.length} characters\t"
            f"{info.turns} turns\t{info.status}"
        )
        for warning in info.warnings:
            click.echo(f"  warning {warning}", err=True)
    if skipped:
        click.echo(f"Skipped {len(skipped)} files imported before.", err=True)


@click.command("documents")
@click.option("--status", default=None, help="imported, under_review or released.")
@JSON_OUTPUT
def documents_command(status: str | None, as_json: bool) -> None:
    """List the documents of the study."""
    from sociaparis.qual.corpus import list_documents

    with database_session() as session:
        docs = list_documents(session=session, status=status)
    if as_json:
        print_json([d.to_dict() for d in docs])
        return
    for d in docs:
        cases = ", ".join(d.cases) or "-"
        click.echo(f"{d.id}\t{d.title}\t{d.status}\t{d.length}\t{d.turns}\t{cases}")


@click.command("text")
@click.argument("document")
@ACTING_USER
@JSON_OUTPUT
def text_command(document: str, username: str, as_json: bool) -> None:
    """Print a stored DOCUMENT by turns (or paragraphs) with their offsets."""
    from sociaparis.qual.corpus import (
        acting_account,
        document_row,
        document_text,
        turns_of,
    )

    with database_session() as session:
        actor = acting_account(session=session, username=username)
        body = document_text(session=session, actor=actor, ref=document)
        row = document_row(session, document)
        spans = [
            (t.speaker, t.start, t.end)
            for t in turns_of(session=session, document_id=row.id)
        ] or [(None, s, e) for s, e in row.paragraphs]
    if as_json:
        print_json({"text": body, "spans": [list(s) for s in spans]})
        return
    for speaker, start, end in spans:
        label = f" {speaker}:" if speaker else ""
        click.echo(f"[{start}:{end}]{label} {body[start:end]}")


@click.command("cases")
@JSON_OUTPUT
def cases_command(as_json: bool) -> None:
    """List the cases with their attributes."""
    from sociaparis.qual.corpus import list_cases

    with database_session() as session:
        cases = list_cases(session=session)
    if as_json:
        print_json([c.to_dict() for c in cases])
        return
    for c in cases:
        attributes = ", ".join(f"{k}={v}" for k, v in c.attributes.items())
        click.echo(
            f"{c.name}\t{c.kind or '-'}\t{len(c.documents)} documents\t{attributes}"
        )


@click.command("case")
@click.argument("name")
@click.option("--kind", default="", help="interviewee, city, focus group…")
@click.option("--set", "values", multiple=True, help="Attribute NAME=VALUE (repeatable).")
@ACTING_USER
def case_command(name: str, kind: str, values: tuple[str, ...], username: str) -> None:
    """Create case NAME (if new) and set its attributes."""
    from sociaparis.qual.corpus import acting_account, ensure_case

    attributes = _pairs(values, "--set")
    with database_session() as session:
        actor = acting_account(session=session, username=username)
        info = ensure_case(
            session=session, actor=actor, name=name, kind=kind, attributes=attributes
        )
    click.echo(f"{info.name}: {len(info.attributes)} attributes")


@click.command("case-attributes")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--case-column", required=True, help="Column holding the case names.")
@click.option("--column", "columns", multiple=True, help="Columns to copy (default all).")
@click.option("--create", is_flag=True, help="Create the cases that do not exist yet.")
@ACTING_USER
def case_attributes_command(
    file: str, case_column: str, columns: tuple[str, ...], create: bool, username: str
) -> None:
    """Fill case attributes from a table (CSV or XLSX, e.g. survey responses)."""
    import pandas as pd

    from sociaparis.core.spreadsheets import ZIP_SPREADSHEETS, read_excel
    from sociaparis.qual.corpus import acting_account, fill_case_attributes

    try:
        if file.lower().endswith(ZIP_SPREADSHEETS):
            data = read_excel(file)
        else:
            data = pd.read_csv(file, sep=None, engine="python", encoding="utf-8-sig")
    except (ValueError, OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise click.ClickException(f"{file}: cannot read the table ({exc})") from None
    with database_session() as session:
        actor = acting_account(session=session, username=username)
        warnings = fill_case_attributes(
            session=session, actor=actor, data=data, case_column=case_column,
            columns=list(columns) or None, create=create,
        )  # fmt: skip
    for warning in warnings:
        click.echo(f"warning {warning}", err=True)
    click.echo(f"{len(data) - len(warnings)} cases filled")


# ------------------------------------------------------------------ pseudonymization


@click.command("pseudonymize-document")
@click.argument("document")
@click.option("--terms", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Study terms to replace, one per line.")  # fmt: skip
@click.option("--no-ner", is_flag=True, help="Do not run spaCy's statistical model.")
@ACTING_USER
def pseudonymize_document_command(
    document: str, terms: str | None, no_ner: bool, username: str
) -> None:
    """Propose replacements for a stored DOCUMENT and open its review."""
    from sociaparis.cli.common import progress_bar
    from sociaparis.qual.corpus import acting_account
    from sociaparis.qual.pseudonymization import PseudonymizationConfig
    from sociaparis.qual.pseudonymization.files import load_terms
    from sociaparis.qual.pseudonymize_service import start_review

    config = PseudonymizationConfig(use_ner=not no_ner)
    if terms:
        config = config.with_terms(load_terms(terms))
    with database_session() as session, progress_bar() as progress:
        actor = acting_account(session=session, username=username)
        review = start_review(
            session=session,
            actor=actor,
            document=document,
            config=config,
            progress=progress,
        )
    click.echo(
        f"{review.title}: {len(review.replacements)} replacements proposed; "
        f"see `sociaparis qual review {document}`."
    )


@click.command("review")
@click.argument("document")
@click.option(
    "--accept", "accepts", type=int, multiple=True, help="Accept replacement N."
)
@click.option(
    "--reject", "rejects", type=int, multiple=True, help="Reject replacement N."
)
@click.option("--relabel", nargs=2, type=(int, str), default=None,
              help="Give replacement N another label: N LABEL.")  # fmt: skip
@click.option("--resize", "resizes", nargs=3, type=(int, int, int), multiple=True,
              help="Widen or narrow replacement N: N START END.")  # fmt: skip
@click.option("--add", "additions", nargs=3, type=(int, int, str), multiple=True,
              help="Add a replacement: START END KIND (personne, lieu…).")  # fmt: skip
@click.option("--add-everywhere", nargs=2, type=(str, str), default=None,
              help="Replace every occurrence: PHRASE KIND.")  # fmt: skip
@click.option("--accept-all", is_flag=True, help="Accept every proposed replacement.")
@click.option("--release", is_flag=True, help="Apply the replacements and release.")
@ACTING_USER
@JSON_OUTPUT
def review_command(
    document: str,
    accepts: tuple[int, ...],
    rejects: tuple[int, ...],
    relabel: tuple[int, str] | None,
    resizes: tuple[tuple[int, int, int], ...],
    additions: tuple[tuple[int, int, str], ...],
    add_everywhere: tuple[str, str] | None,
    accept_all: bool,
    release: bool,
    username: str,
    as_json: bool,
) -> None:
    """Show and decide the replacements of DOCUMENT, then release it for coding."""
    from sociaparis.qual import pseudonymize_service as ps
    from sociaparis.qual.corpus import acting_account

    with database_session() as session:
        actor = acting_account(session=session, username=username)
        base = {"session": session, "actor": actor, "document": document}
        for index in accepts:
            ps.review(**base, action="accept", index=index)
        for index in rejects:
            ps.review(**base, action="reject", index=index)
        if relabel:
            ps.review(**base, action="relabel", index=relabel[0], label=relabel[1])
        for index, start, end in resizes:
            ps.review(**base, action="resize", index=index, start=start, end=end)
        for start, end, kind in additions:
            ps.review(**base, action="add", start=start, end=end, kind=kind)
        if add_everywhere:
            ps.review(
                **base, action="add_everywhere", phrase=add_everywhere[0],
                kind=add_everywhere[1],
            )  # fmt: skip
        if accept_all:
            ps.review(**base, action="accept_all")
        if release:
            counts = ps.release_document(**base)
            click.echo(f"released: {sum(counts.values())} replacements applied")
            return
        state = ps.get_review(**base)
    if as_json:
        print_json(state.to_dict())
        return
    for i, r in enumerate(state.replacements):
        click.echo(
            f"{i}\t{r.status.value}\t{r.start}:{r.end}\t{r.original}\t{r.label}\t{r.detector}"
        )
    click.echo(f"{len(state.pending)} still proposed", err=True)


@click.command("reidentification")
@click.option("--destroy", is_flag=True, help="Erase every entity of the table.")
@click.option("--yes", is_flag=True, help="Do not ask before destroying.")
@ACTING_USER
@JSON_OUTPUT
def reidentification_command(
    destroy: bool, yes: bool, username: str, as_json: bool
) -> None:
    """Print (admins only) or destroy the study's re-identification table."""
    from sociaparis.qual import pseudonymize_service as ps
    from sociaparis.qual.corpus import acting_account

    if destroy and not yes:
        click.confirm("Erase every entity of the re-identification table?", abort=True)
    with database_session() as session:
        actor = acting_account(session=session, username=username)
        if destroy:
            count = ps.destroy_reidentification(session=session, actor=actor)
            click.echo(f"{count} labels no longer lead to anyone.")
            return
        table = ps.reidentification_table(session=session, actor=actor)
    if as_json:
        print_json(table.to_dict())
        return
    for entry in table.entries:
        click.echo(f"{entry.label}\t{' | '.join(entry.forms)}")


# ------------------------------------------------------------------ codebook, coding


@click.group("codebook")
def codebook_group() -> None:
    """Show, edit, import and export the study's codebook."""


@codebook_group.command("show")
@JSON_OUTPUT
def codebook_show(as_json: bool) -> None:
    """Print the codebook with the number of codings of each code."""
    from sociaparis.qual.codebook_service import list_codes

    with database_session() as session:
        codes = list_codes(session=session)
    if as_json:
        print_json([c.to_dict() for c in codes])
        return
    for c in codes:
        click.echo(f"{'  ' * (len(c.path) - 1)}{c.name} ({c.codings})")


@codebook_group.command("add")
@click.argument("name")
@click.option("--parent", default=None, help="Parent code (name, path 'A > B' or GUID).")
@click.option("--description", default="")
@click.option("--inclusion", default="")
@click.option("--exclusion", default="")
@click.option("--example", default="")
@click.option("--color", default=None, help="#RRGGBB")
@ACTING_USER
def codebook_add(username: str, **fields: Any) -> None:
    """Add code NAME."""
    from sociaparis.qual.codebook_service import add_code
    from sociaparis.qual.corpus import acting_account

    with database_session() as session:
        actor = acting_account(session=session, username=username)
        info = add_code(session=session, actor=actor, **fields)
    click.echo(f"{' > '.join(info.path)}\t{info.guid}")


@codebook_group.command("delete")
@click.argument("code")
@click.option("--with-codings", is_flag=True, help="Also delete the code's codings.")
@ACTING_USER
def codebook_delete(code: str, with_codings: bool, username: str) -> None:
    """Delete CODE (its sub-codes move up to its parent)."""
    from sociaparis.qual.codebook_service import delete_code
    from sociaparis.qual.corpus import acting_account

    with database_session() as session:
        actor = acting_account(session=session, username=username)
        removed = delete_code(
            session=session, actor=actor, code=code, with_codings=with_codings
        )
    click.echo(f"deleted {code} ({removed} codings removed)")


@codebook_group.command("merge")
@click.argument("codes", nargs=-1, required=True)
@click.option("--into", required=True, help="The code that receives the codings.")
@ACTING_USER
def codebook_merge(codes: tuple[str, ...], into: str, username: str) -> None:
    """Merge CODES into another code, keeping every coding."""
    from sociaparis.qual.codebook_service import merge_codes
    from sociaparis.qual.corpus import acting_account

    with database_session() as session:
        actor = acting_account(session=session, username=username)
        info = merge_codes(session=session, actor=actor, sources=list(codes), target=into)
    click.echo(f"{' > '.join(info.path)}: {info.codings} codings")


@codebook_group.command("split")
@click.argument("code")
@click.argument("codings", nargs=-1, required=True)
@click.option("--name", required=True, help="Name of the new code.")
@ACTING_USER
def codebook_split(code: str, codings: tuple[str, ...], name: str, username: str) -> None:
    """Move CODINGS (GUIDs) of CODE to a new code."""
    from sociaparis.qual.codebook_service import split_code
    from sociaparis.qual.corpus import acting_account

    with database_session() as session:
        actor = acting_account(session=session, username=username)
        info = split_code(
            session=session, actor=actor, code=code, codings=list(codings), name=name
        )
    click.echo(f"{' > '.join(info.path)}: {info.codings} codings")


@codebook_group.command("move")
@click.argument("code")
@click.option("--parent", default=None, help="New parent (omit: top level).")
@ACTING_USER
def codebook_move(code: str, parent: str | None, username: str) -> None:
    """Move CODE (with its sub-codes) under another code."""
    from sociaparis.qual.codebook_service import move_code
    from sociaparis.qual.corpus import acting_account

    with database_session() as session:
        actor = acting_account(session=session, username=username)
        info = move_code(session=session, actor=actor, code=code, parent=parent)
    click.echo(" > ".join(info.path))


@codebook_group.command("rename")
@click.argument("code")
@click.argument("name")
@ACTING_USER
def codebook_rename(code: str, name: str, username: str) -> None:
    """Rename CODE to NAME."""
    from sociaparis.qual.codebook_service import update_code
    from sociaparis.qual.corpus import acting_account

    with database_session() as session:
        actor = acting_account(session=session, username=username)
        info = update_code(session=session, actor=actor, code=code, name=name)
    click.echo(" > ".join(info.path))


@codebook_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@ACTING_USER
def codebook_import(file: str, username: str) -> None:
    """Add or update codes from a .qdc, .xlsx or .csv codebook."""
    from sociaparis.qual.codebook_service import import_codebook
    from sociaparis.qual.corpus import acting_account

    with database_session() as session:
        actor = acting_account(session=session, username=username)
        codes, warnings = import_codebook(session=session, actor=actor, path=file)
    for warning in warnings:
        click.echo(f"warning {warning}", err=True)
    click.echo(f"{len(codes)} codes in the codebook")


@codebook_group.command("export")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--headers", type=click.Choice(["fr", "en"]), default="fr")
def codebook_export(file: str, headers: str) -> None:
    """Write the codebook as .qdc, .xlsx or .csv (by the suffix)."""
    from sociaparis.qual.codebook_service import export_codebook

    with database_session() as session:
        export_codebook(session=session, path=file, headers=headers)
    click.echo(file)


@click.command("code")
@click.argument("document")
@click.argument("code")
@click.argument("start", type=int)
@click.argument("end", type=int)
@click.option("--memo", default=None, help="A memo on this coding.")
@ACTING_USER
@JSON_OUTPUT
def code_command(
    document: str, code: str, start: int, end: int, memo: str | None, username: str,
    as_json: bool,
) -> None:  # fmt: skip
    """Apply CODE to characters START (inclusive) to END (exclusive) of DOCUMENT."""
    from sociaparis.qual.coding_service import apply_coding
    from sociaparis.qual.corpus import acting_account

    with database_session() as session:
        actor = acting_account(session=session, username=username)
        info = apply_coding(
            session=session, actor=actor, document=document, code=code, start=start,
            end=end, memo=memo,
        )  # fmt: skip
    if as_json:
        print_json(info.to_dict())
        return
    click.echo(f"{info.guid}\t{info.start}:{info.end}\t{info.text}")


@click.command("uncode")
@click.argument("coding")
@ACTING_USER
def uncode_command(coding: str, username: str) -> None:
    """Remove the coding with GUID CODING."""
    from sociaparis.qual.coding_service import remove_coding
    from sociaparis.qual.corpus import acting_account

    with database_session() as session:
        actor = acting_account(session=session, username=username)
        remove_coding(session=session, actor=actor, coding=coding)
    click.echo(f"removed {coding}")


# ------------------------------------------------------------------ retrieval


@click.command("segments")
@click.argument("code")
@click.option("--subcodes", is_flag=True, help="Also the segments of sub-codes.")
@click.option("--coder", default=None, help="Only this coder's codings.")
@click.option("--where", "where", multiple=True, help="Case attribute NAME=VALUE.")
@click.option("--case", "cases", multiple=True, help="Only documents of this case.")
@click.option(
    "--with",
    "with_code",
    default=None,
    help="Only segments co-occurring with a coding of this code.",
)
@click.option(
    "--mode",
    type=click.Choice(["overlap", "turn"]),
    default="overlap",
    show_default=True,
    help="With --with: overlapping spans or same turn.",
)
@click.option("--context", default=80, show_default=True, help="Characters around.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False), default=None)
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the segments as .csv, .html or .docx.",
)
@JSON_OUTPUT
def segments_command(
    code: str, subcodes: bool, coder: str | None, where: tuple[str, ...],
    cases: tuple[str, ...], with_code: str | None, mode: str, context: int,
    csv_path: str | None, out: str | None, as_json: bool,
) -> None:  # fmt: skip
    """Print every segment coded with CODE, with its context."""
    from sociaparis.qual.retrieval import segments
    from sociaparis.qual.segments_export import export_segments

    filters: dict[str, list[Any]] = {}
    for name, value in _pairs(where, "--where").items():
        filters.setdefault(name, []).append(value)
    with database_session() as session:
        result = segments(
            session=session, code=code, include_subcodes=subcodes, coder=coder,
            attributes=filters, context=context, cases=cases, with_code=with_code,
            mode=mode,  # type: ignore[arg-type]
        )  # fmt: skip
    if csv_path:
        Path(csv_path).write_bytes(export_segments(result, "csv"))
    if out:
        fmt = Path(out).suffix.lower().lstrip(".")
        Path(out).write_bytes(export_segments(result, fmt))
    if as_json:
        print_json(result.to_dict())
        return
    for s in result.segments:
        said = f" {' + '.join(s.speakers)}" if s.speakers else ""
        click.echo(
            f"[{s.title} {s.start}:{s.end} {s.coder or '-'}{said}] "
            f"…{s.before}«{s.text}»{s.after}…"
        )
    click.echo(f"{len(result.segments)} segments", err=True)


@click.command("matrix")
@click.option("--by", default="case", show_default=True,
              help="'case' or the name of a case attribute.")  # fmt: skip
@click.option("--measure", type=click.Choice(["codings", "documents"]), default="codings")
@click.option("--subcodes", is_flag=True, help="Count sub-codes in their parents.")
@click.option("--coder", default=None, help="Only this coder's codings.")
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="Write the matrix as .csv or .xlsx.")  # fmt: skip
@JSON_OUTPUT
def matrix_command(
    by: str, measure: str, subcodes: bool, coder: str | None, out: str | None,
    as_json: bool,
) -> None:  # fmt: skip
    """Code x case (or code x attribute) matrix of codings or documents."""
    from sociaparis.qual.matrices import code_attribute_matrix, code_case_matrix

    with database_session() as session:
        if by == "case":
            result = code_case_matrix(
                session=session, include_subcodes=subcodes, coder=coder
            )
        else:
            result = code_attribute_matrix(
                session=session, attribute=by, include_subcodes=subcodes, coder=coder
            )
    if out and out.lower().endswith(".xlsx"):
        result.to_xlsx(out)
    elif out:
        result.to_csv(out, measure=measure)  # type: ignore[arg-type]
    if as_json:
        print_json(result.to_dict())
        return
    click.echo(result.to_frame(measure).to_string())  # type: ignore[arg-type]


@click.command("search")
@click.argument("query")
@click.option("--limit", default=50, show_default=True, help="Most places shown.")
@JSON_OUTPUT
def search_command(query: str, limit: int, as_json: bool) -> None:
    """Full-text search of the released documents (accents ignored)."""
    from sociaparis.qual.search import search

    with database_session() as session:
        result = search(session=session, query=query, limit=limit)
    if as_json:
        print_json(result.to_dict())
        return
    for h in result.hits:
        click.echo(f"[{h.title} {h.start}:{h.end}] …{h.before}«{h.match}»{h.after}…")
    click.echo(f"{len(result.hits)} places in {result.documents} documents", err=True)


@click.command("history")
@click.option("--kind", default=None, help="apply, remove, merge, split, rename…")
@JSON_OUTPUT
def history_command(kind: str | None, as_json: bool) -> None:
    """Print who did what, when, oldest first."""
    from sociaparis.qual.corpus import history

    with database_session() as session:
        events = history(session=session, kind=kind)
    if as_json:
        print_json([e.to_dict() for e in events])
        return
    for e in events:
        click.echo(f"{e.at.isoformat()}\t{e.actor}\t{e.kind}\t{e.code_guid or ''}")


@click.command("corpus-agreement")
@click.option("--unit", type=click.Choice(["turns", "paragraphs", "segments"]),
              default="turns", show_default=True)  # fmt: skip
@click.option("--size", default=500, show_default=True, help="Segment length.")
@click.option("--coder", "coders", multiple=True, help="Coders to compare (default all).")
@click.option(
    "--document",
    "documents",
    multiple=True,
    help="Documents to compare (id, GUID or title; default all released).",
)
@click.option("--code", "codes", multiple=True, help="Codes to compare (default all).")
@JSON_OUTPUT
def corpus_agreement_command(
    unit: str, size: int, coders: tuple[str, ...], documents: tuple[str, ...],
    codes: tuple[str, ...], as_json: bool,
) -> None:  # fmt: skip
    """Inter-coder agreement on the stored codings, per code and overall."""
    from sociaparis.qual.codebook_service import code_path
    from sociaparis.qual.interchange import stored_agreement

    with database_session() as session:
        try:
            result = stored_agreement(
                session=session,
                unit=unit,  # type: ignore[arg-type]
                size=size,
                coders=list(coders) or None,
                documents=list(documents) or None,
                codes=[code_path(session, c) for c in codes] or None,
            )
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
    if as_json:
        print_json(result.to_dict())
        return
    click.echo(result.to_frame().to_string())


# ------------------------------------------------------------------ REFI-QDA


@click.command("export-qdpx")
@click.argument("file", type=click.Path(dir_okay=False))
@ACTING_USER
def export_qdpx_command(file: str, username: str) -> None:
    """Write the study's qualitative part as a REFI-QDA .qdpx project."""
    from sociaparis.qual.corpus import acting_account
    from sociaparis.qual.interchange import export_qdpx

    with database_session() as session:
        actor = acting_account(session=session, username=username)
        project = export_qdpx(session=session, actor=actor, target=file)
    click.echo(
        f"{file}: {len(project.sources)} sources, {len(project.codes)} codes, "
        f"{len(project.codings)} codings"
    )


@click.command("import-qdpx")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@ACTING_USER
@JSON_OUTPUT
def import_qdpx_command(file: str, username: str, as_json: bool) -> None:
    """Import a REFI-QDA .qdpx project (NVivo, ATLAS.ti, MAXQDA, QualCoder)."""
    from sociaparis.qual.corpus import acting_account
    from sociaparis.qual.interchange import import_qdpx

    with database_session() as session:
        actor = acting_account(session=session, username=username)
        counts, warnings = import_qdpx(session=session, actor=actor, source=file)
    for warning in warnings:
        click.echo(f"warning {warning}", err=True)
    if as_json:
        print_json({**counts, "warnings": [str(w) for w in warnings]})
        return
    click.echo(", ".join(f"{k} {v}" for k, v in counts.items()))
