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


@qual.command("pseudonymize")
@click.argument("file", type=click.Path(path_type=str))
@click.option(
    "--terms",
    type=click.Path(path_type=str),
    help="Study terms to replace (directorates, teams, colleagues): one per line, "
    "variants separated by '|', '#' for comments.",
)
@click.option(
    "--allow", type=click.Path(path_type=str), help="Extra words to keep, one per line."
)
@click.option(
    "--out",
    type=click.Path(path_type=str),
    help="Write the pseudonymized text here (default: standard output).",
)
@click.option(
    "--table",
    type=click.Path(path_type=str),
    help="Re-identification table (JSON), continued if it exists, so labels stay the "
    "same across files. WARNING: it maps labels back to names; it is personal data. "
    "Keep it apart from the texts, readable by you only, and destroy it when the "
    "study no longer needs it.",
)
@click.option(
    "--report",
    type=click.Path(path_type=str),
    help="Review report (CSV): every replacement with its offsets, original words "
    "(personal data), kind, label and detector.",
)
def pseudonymize_command(
    file: str,
    terms: str | None,
    allow: str | None,
    out: str | None,
    table: str | None,
    report: str | None,
) -> None:
    """Replace names, places, organisations, e-mails, phones and addresses in FILE.

    FILE is a UTF-8 text file. Each distinct entity becomes a stable label
    ([PERSONNE-1], [LIEU-2]...); AI products and vendors, the City, job categories
    and speaker labels are kept. A pseudonymized text is not anonymous: read it.
    """
    import os
    from collections import Counter

    from sociaparis.cli.common import progress_bar
    from sociaparis.qual.pseudonymization import files

    large = os.path.isfile(file) and os.path.getsize(file) > files.PROGRESS_BYTES
    with progress_bar(enabled=large) as progress:
        result = files.pseudonymize_file(
            file, terms=terms, allow=allow, table=table, progress=progress
        )
    if out is None:
        click.echo(result.text.text, nl=False)
    else:
        files.write_text(out, result.text.text)
    if table is not None:
        files.save_table(table, result.table)
    if report is not None:
        files.write_report(report, result.replacements)
    counts = Counter(r.kind.value for r in result.replacements)
    summary = ", ".join(f"{kind} {n}" for kind, n in sorted(counts.items())) or "none"
    click.echo(f"{len(result.replacements)} replacements ({summary}).", err=True)


def _register_corpus_commands() -> None:
    """Add the commands on the stored corpus (``sociaparis/cli/qual_corpus.py``),
    those twin to the coding view (``qual_coding.py``), the corpus pages
    (``qual_intake.py``) and focus groups (``qual_focus.py``)."""
    from sociaparis.cli import qual_coding, qual_corpus, qual_focus, qual_intake
    from sociaparis.cli.qual_transcribe import register as register_transcribe

    qual_corpus.register(qual)
    register_transcribe(qual)
    qual_coding.register(qual)
    qual_focus.register(qual)
    qual_intake.register(qual)


_register_corpus_commands()
