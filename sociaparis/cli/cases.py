"""``sociaparis cases``: comparison frames and their evidence-backed case matrix.

Commands that change a frame act as the account given by ``--user`` (or the
``SOCIAPARIS_USER`` environment variable), whose role is checked.  (``--as`` is
taken by ``from-codes``, where it says how a code becomes a value.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sociaparis.cli.common import ACTING_USER, JSON_OUTPUT, database_session, print_json


def _report(result: Any) -> None:
    click.echo(
        f"{result.frame}: {result.cells} cells in {len(result.cases)} cases "
        f"({result.created_cases} new), dimensions: {', '.join(result.dimensions)}"
    )
    for warning in result.warnings:
        click.echo(f"warning {warning}", err=True)


def _actor(session: Any, username: str) -> Any:
    from sociaparis.qual.corpus import acting_account

    return acting_account(session=session, username=username)


def _shown(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float):
        return f"{value:.15g}"
    return str(value)


@click.group()
def cases() -> None:
    """Case matrices: cases x dimensions, each cell backed by its evidence."""


@cases.command("list")
def list_command() -> None:
    """List the comparison frames."""
    from sociaparis.compare.matrix.service import list_frames

    with database_session() as session:
        for name in list_frames(session=session):
            click.echo(name)


@cases.command("import-csv")
@click.argument("frame")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--description", help="Describe the frame (kept for later imports).")
@ACTING_USER
def import_csv_command(
    frame: str, csv_file: Path, description: str | None, username: str
) -> None:
    """Import hand-entered values: first column the cases, one column per dimension."""
    from sociaparis.compare.matrix.service import import_csv

    with database_session() as session:
        result = import_csv(
            session=session,
            actor=_actor(session, username),
            frame=frame,
            data=csv_file.read_bytes(),
            filename=csv_file.name,
            description=description,
        )
    _report(result)


def _mapping(items: tuple[str, ...]) -> dict[str, str]:
    from sociaparis.compare.matrix.errors import MatrixError
    from sociaparis.core.errors import SociaparisError

    out: dict[str, str] = {}
    for item in items:
        name, sep, question = item.partition("=")
        if not sep or not name.strip() or not question.strip():
            raise SociaparisError(MatrixError.BAD_MAPPING, item=item)
        out[name.strip()] = question.strip()
    return out


@cases.command("from-survey")
@click.argument("frame")
@click.argument("form_id")
@click.option("--case-question", required=True, help="Question naming the case.")
@click.option(
    "--map",
    "maps",
    multiple=True,
    required=True,
    help="DIMENSION=QUESTION (or QUESTION/CHOICE); repeat for each dimension.",
)
@click.option("--include-in-progress", is_flag=True, help="Use unfinished responses.")
@click.option("--lang", help="Language of the dimension labels.")
@ACTING_USER
def from_survey_command(
    frame: str,
    form_id: str,
    case_question: str,
    maps: tuple[str, ...],
    include_in_progress: bool,
    lang: str | None,
    username: str,
) -> None:
    """Fill dimensions from one response per case (e.g. the CIO survey)."""
    from sociaparis.compare.matrix.sources import cells_from_survey

    with database_session() as session:
        result = cells_from_survey(
            session=session,
            actor=_actor(session, username),
            frame=frame,
            form_id=form_id,
            case_question=case_question,
            mapping=_mapping(maps),
            include_in_progress=include_in_progress,
            lang=lang,
        )
    _report(result)


@cases.command("from-codes")
@click.argument("frame")
@click.option("--code", required=True, help="Code name, path 'A > B' or GUID.")
@click.option(
    "--as",
    "measure",
    type=click.Choice(["present", "count"]),
    default="present",
    show_default=True,
    help="1/0 presence of the code in the case's documents, or its number of codings.",
)
@click.option("--dimension", help="Dimension name (default: the code's name).")
@click.option("--include-subcodes", is_flag=True, help="Count sub-codes' codings too.")
@click.option("--coder", help="Only this coder's codings.")
@ACTING_USER
def from_codes_command(
    frame: str,
    code: str,
    measure: str,
    dimension: str | None,
    include_subcodes: bool,
    coder: str | None,
    username: str,
) -> None:
    """Fill a dimension from a code in each case's interviews."""
    from sociaparis.compare.matrix.sources import cells_from_codes

    with database_session() as session:
        result = cells_from_codes(
            session=session,
            actor=_actor(session, username),
            frame=frame,
            code=code,
            measure=measure,  # type: ignore[arg-type]
            dimension=dimension,
            include_subcodes=include_subcodes,
            coder=coder,
        )
    _report(result)


@cases.command("import")
@click.argument("frame")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--description", help="Describe the frame (kept for later imports).")
@ACTING_USER
def import_command(
    frame: str, file: Path, description: str | None, username: str
) -> None:
    """Import hand-entered values from a .csv file or an .xlsx workbook, and list
    the values it changed."""
    from sociaparis.compare.matrix.service import import_file

    with database_session() as session:
        result = import_file(
            session=session,
            actor=_actor(session, username),
            frame=frame,
            data=file.read_bytes(),
            filename=file.name,
            description=description,
        )
    _report(result)
    for change in result.changes:
        click.echo(
            f"{change.case} / {change.dimension}: "
            f"{_old_new(change.old_value)} -> {_old_new(change.new_value)}"
        )
    click.echo(f"{result.unchanged} cells kept their value")


def _old_new(value: str | None) -> str:
    return "(empty)" if value is None else value


@cases.command("set")
@click.argument("frame")
@click.argument("case")
@click.argument("dimension")
@click.argument("value")
@click.option("--note", help="A note on this value (kept with the cell).")
@click.option(
    "--reason",
    help="Why the value changes (needed to replace a value; kept in the history).",
)
@ACTING_USER
def set_command(
    frame: str,
    case: str,
    dimension: str,
    value: str,
    note: str | None,
    reason: str | None,
    username: str,
) -> None:
    """Enter one value by hand (the case and dimension are created if new)."""
    from sociaparis.compare.matrix.service import set_cell

    with database_session() as session:
        cell = set_cell(
            session=session,
            actor=_actor(session, username),
            frame=frame,
            case=case,
            dimension=dimension,
            value=value,
            note=note,
            reason=reason,
        )
    click.echo(f"{cell.case} / {cell.dimension} = {_shown(cell.value)}")


@cases.command("history")
@click.argument("frame")
@click.option("--case", "case", help="Only this case's changes.")
@click.option("--dimension", help="Only this dimension's changes.")
@JSON_OUTPUT
def history_command(
    frame: str, case: str | None, dimension: str | None, as_json: bool
) -> None:
    """List the changes of the frame's values, newest first: when, who, the cell,
    the old and the new value, and why."""
    from sociaparis.compare.matrix.service import cell_history

    with database_session() as session:
        entries = cell_history(
            session=session, frame=frame, case=case, dimension=dimension
        )
    if as_json:
        print_json([e.to_dict() for e in entries])
        return
    for entry in entries:
        when = f"{entry.changed_at:%Y-%m-%d %H:%M:%S}" if entry.changed_at else "-"
        kinds = (
            f" [{entry.old_source_kind or '-'} -> {entry.new_source_kind or '-'}]"
            if entry.old_source_kind != entry.new_source_kind
            else ""
        )
        click.echo(
            f"{when} {entry.changed_by} {entry.case} / {entry.dimension}: "
            f"{_old_new(entry.old_value)} -> {_old_new(entry.new_value)}{kinds}"
            + (f" ({entry.reason})" if entry.reason else "")
        )


@cases.command("link")
@click.argument("frame")
@click.argument("case")
@click.argument("qual_case", required=False)
@ACTING_USER
def link_command(frame: str, case: str, qual_case: str | None, username: str) -> None:
    """Link a case to the qualitative case holding its interviews (none: unlink)."""
    from sociaparis.compare.matrix.service import link_case
    from sociaparis.qual.service import get_case

    with database_session() as session:
        target = get_case(session=session, ref=qual_case).id if qual_case else None
        link_case(
            session=session,
            actor=_actor(session, username),
            frame=frame,
            case=case,
            qual_case=target,
        )
    click.echo(f"{case} -> {qual_case or '(no qualitative case)'}")


@cases.command("show")
@click.argument("frame")
@click.option("--sources", is_flag=True, help="Mark each value with its source.")
@JSON_OUTPUT
def show_command(frame: str, sources: bool, as_json: bool) -> None:
    """Print the case matrix (h: by hand, s: survey, c: codes with --sources)."""
    from sociaparis.compare.matrix.service import frame_info, list_cells, matrix_frame

    with database_session() as session:
        info = frame_info(session=session, frame=frame)
        cells = list_cells(session=session, frame=frame)
        matrix = matrix_frame(session=session, frame=frame) if info.cases else None
    if as_json:
        print_json({**info.to_dict(), "cells": [c.to_dict() for c in cells]})
        return
    kinds = {(c.case, c.dimension): c.source_kind[0] for c in cells}
    table = Table(title=escape(f"{info.name}: {info.description}".rstrip(": ")))
    table.add_column("case")
    for name in matrix.columns if matrix is not None else []:
        table.add_column(escape(str(name)), justify="right")
    rows: list[list[str]] = []
    for name, row in matrix.iterrows() if matrix is not None else []:
        shown = [
            _shown(v)
            + (f" [{kinds[(name, d)]}]" if sources and (name, d) in kinds else "")
            for d, v in row.items()
        ]
        rows.append([str(name), *shown])
    for row in rows:
        table.add_row(*(escape(v) for v in row))
    # as wide as the widest values, so that no value is cut
    header = ["case", *(str(c) for c in (matrix.columns if matrix is not None else []))]
    widths = [
        max(len(str(v)) for v in column) for column in zip(header, *rows, strict=True)
    ]
    Console(width=max(sum(widths) + 3 * len(widths) + 1, Console().width)).print(table)


@cases.command("evidence")
@click.argument("frame")
@click.argument("case")
@click.argument("dimension")
@click.option("--context", type=int, default=80, show_default=True)
@click.option("--lang", help="Language of question and choice labels.")
@JSON_OUTPUT
def evidence_command(
    frame: str, case: str, dimension: str, context: int, lang: str | None, as_json: bool
) -> None:
    """Show what backs a cell: the survey answer or the coded segments."""
    from sociaparis.compare.matrix.export import evidence_text
    from sociaparis.compare.matrix.sources import cell_evidence

    with database_session() as session:
        evidence = cell_evidence(
            session=session,
            frame=frame,
            case=case,
            dimension=dimension,
            context=context,
            lang=lang,
        )
    if as_json:
        print_json(evidence.to_dict())
        return
    cell = evidence.cell
    click.echo(f"{cell.case} / {cell.dimension} = {_shown(cell.value)}")
    click.echo(f"source: {evidence_text(cell)}")
    when = f"{cell.updated_at:%Y-%m-%d %H:%M:%S} UTC" if cell.updated_at else "-"
    click.echo(f"set by {cell.updated_by or '-'} on {when}")
    if cell.note:
        click.echo(f"note: {cell.note}")
    if evidence.answer is not None:
        answer = evidence.answer
        click.echo(f"question {answer['question']}: {answer['label']}")
        labels = (
            f" ({'; '.join(answer['answer_labels'])})" if answer["answer_labels"] else ""
        )
        click.echo(f"answer: {_shown(answer['answer'])}{labels}")
    for segment in evidence.segments:
        who = f"{segment['speaker']}: " if segment["speaker"] else ""
        click.echo(
            f"\n[{segment['title']} {segment['start']}:{segment['end']}] {who}"
            f"…{segment['before']}[{segment['text']}]{segment['after']}…"
        )
    for warning in evidence.warnings:
        click.echo(f"warning {warning}", err=True)


@cases.command("export")
@click.argument("frame")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="matrix.csv (the matrix) or matrix.xlsx (with sources and dimensions).",
)
def export_command(frame: str, out: Path) -> None:
    """Export the case matrix to CSV or XLSX (formula-safe cells)."""
    from sociaparis.compare.matrix.export import export_matrix

    with database_session() as session:
        path = export_matrix(session=session, frame=frame, out=out)
    click.echo(f"case matrix written to {path}")


from sociaparis.cli.register import from_repeat_command  # noqa: E402

cases.add_command(from_repeat_command)
