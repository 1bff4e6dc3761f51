"""``sociaparis qual``: documents, pseudonymization, coding, agreement."""

from __future__ import annotations

import click


@click.group()
def qual() -> None:
    """Import, pseudonymize and code interviews; measure inter-coder agreement."""


@qual.command("agreement")
@click.argument("case_file", type=click.Path(exists=True, dir_okay=False))
def agreement_command(case_file: str) -> None:
    """Recompute a reliability case (JSON) and print it back with our `value`."""
    import json

    from sociaparis.analysis.reliability import run_case

    try:
        with open(case_file, encoding="utf-8") as handle:
            case = json.load(handle)
        result = run_case(case)
    except (ValueError, TypeError) as exc:
        raise click.ClickException(f"{case_file}: {exc}") from None
    click.echo(json.dumps(result, indent=2, ensure_ascii=False))


def _clock(seconds: float | None) -> str:
    """``hh:mm:ss.s`` for a time in seconds, ``?`` when unknown."""
    if seconds is None:
        return "?"
    minutes, secs = divmod(seconds, 60)
    return f"{int(minutes // 60):02d}:{int(minutes % 60):02d}:{secs:04.1f}"


@qual.command("read")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--format",
    "format_",
    default=None,
    help="Reader to use (default: from the extension).",
)
@click.option(
    "--speakers", is_flag=True, help="Read 'NAME: text' paragraphs as speaker turns."
)
@click.option("--json", "as_json", is_flag=True, help="Print the document as JSON.")
def read_command(file: str, format_: str | None, speakers: bool, as_json: bool) -> None:
    """Parse a document (TXT, MD, DOCX, ODT, VTT, SRT, JSON, HTML) and print it."""
    import json

    from sociaparis.qual.io import read_document

    document = read_document(file, format=format_, detect_speakers=speakers)
    if as_json:
        click.echo(json.dumps(document.to_dict(), indent=2, ensure_ascii=False))
        return
    click.echo(
        f"# {document.filename} ({document.format}, sha256 {document.sha256[:12]})"
    )
    click.echo(
        f"# {len(document.text)} characters, {len(document.paragraphs)} paragraphs, "
        f"{len(document.turns)} turns"
    )
    for warning in document.warnings:
        click.echo(f"# warning {warning}")
    if not document.turns:
        for start, end in document.paragraphs:
            click.echo(f"\n[{start}:{end}] {document.text[start:end]}")
    for turn in document.turns:
        times = (
            f"{_clock(turn.start_s)}-{_clock(turn.end_s)} "
            if turn.start_s is not None
            else ""
        )
        utterance = document.text[turn.start : turn.end]
        click.echo(
            f"\n[{turn.start}:{turn.end}] {times}{turn.speaker or '-'}: {utterance}"
        )
