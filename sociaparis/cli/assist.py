"""``sociaparis assist``: passages suggested by a language model, checked in the text.

The plain-file commands (``suggest``, ``find-more``, ``propose``, ``replay``) need
no study: they read a UTF-8 text file and a codebook file.  Sending the text to
the endpoint is the user's decision: pseudonymize it first.  The study's
commands come from :mod:`sociaparis.cli.assist_run` (``run``, ``runs``,
``review``, ``export``) and :mod:`sociaparis.cli.assist_evaluate`
(``evaluate``, ``offline``, ``similar``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from sociaparis.cli.assist_evaluate import COMMANDS_OF_EVALUATION
from sociaparis.cli.assist_run import COMMANDS_OF_RUNS
from sociaparis.cli.common import print_json

if TYPE_CHECKING:
    from sociaparis.assist.briefs import SuggestionResult
    from sociaparis.assist.endpoint import Endpoint


@click.group()
def assist() -> None:
    """AI-assisted coding: a model proposes passages, a person decides."""


def endpoint_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--endpoint``, ``--model``, ``--key`` and the transport settings."""
    options = [
        click.option(
            "--endpoint",
            "url",
            default=None,
            help="Base URL of an OpenAI-compatible API, e.g. http://localhost:11434/v1 "
            "(default: SOCIAPARIS_LLM_URL).",
        ),
        click.option(
            "--model", default=None, help="Model name (default: SOCIAPARIS_LLM_MODEL)."
        ),
        click.option(
            "--key",
            default=None,
            help="API key, sent as a Bearer token (default: SOCIAPARIS_LLM_KEY, "
            "which keeps it out of the shell history).",
        ),
        click.option("--timeout", type=float, default=None, help="Seconds per request."),
        click.option(
            "--retries",
            type=click.IntRange(0, 10),
            default=None,
            help="Retries per request.",
        ),
        click.option(
            "--concurrency",
            type=click.IntRange(1, 64),
            default=None,
            help="Requests in flight at once (default: SOCIAPARIS_LLM_CONCURRENCY).",
        ),
        click.option(
            "--seed", type=int, default=None, help="Seed, for servers that take one."
        ),
        click.option(
            "--chunk-words",
            type=click.IntRange(50, 100_000),
            default=None,
            help="Words per request (default: SOCIAPARIS_LLM_CHUNK_WORDS).",
        ),
        click.option(
            "--language",
            type=click.Choice(["fr", "en"]),
            default="fr",
            show_default=True,
            help="Language of the prompts.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _endpoint(options: dict[str, Any]) -> tuple[Endpoint, int]:
    from sociaparis.assist.endpoint import endpoint_from_settings
    from sociaparis.core.config import get_settings

    settings = get_settings()
    endpoint = endpoint_from_settings(
        settings,
        url=options["url"],
        model=options["model"],
        key=options["key"],
        timeout=options["timeout"],
        retries=options["retries"],
        concurrency=options["concurrency"],
        seed=options["seed"],
    )
    return endpoint, options["chunk_words"] or settings.llm_chunk_words


def _print_result(result: SuggestionResult, as_json: bool) -> None:
    from sociaparis.assist.replay import result_to_dict

    if as_json:
        print_json(result_to_dict(result))
        return
    reasons = Counter(r.reason for r in result.rejected)
    detail = ", ".join(f"{reason} {n}" for reason, n in sorted(reasons.items()))
    click.echo(
        f"{len(result.suggestions)} suggestions, {len(result.rejected)} rejected"
        f"{f' ({detail})' if detail else ''}; {len(result.calls)} calls, "
        f"{result.prompt_tokens} prompt + {result.completion_tokens} completion tokens"
    )
    for s in result.suggestions:
        quote = " ".join(s.quote.split())
        why = f" — {s.rationale}" if s.rationale else ""
        click.echo(f"[{s.start}:{s.end}] {s.code}: « {quote} »{why}")
    for r in result.rejected:
        click.echo(f"rejected ({r.reason}) {r.code}: « {' '.join(r.quote.split())} »")


def _record(path: str | None, run: dict[str, Any], result: SuggestionResult) -> None:
    if path is None:
        return
    from sociaparis.assist.replay import recording, write_recording

    write_recording(path, recording(run, result))
    click.echo(f"Recorded {len(result.calls)} calls in {path}.", err=True)


FILE = click.argument("file", type=click.Path(exists=True, dir_okay=False))
CODEBOOK = click.option(
    "--codebook",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Codebook: .qdc, .xlsx or .csv, as `qual codebook import` reads them.",
)
RECORD = click.option(
    "--record",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write every call (prompts, answers, tokens) and the result here, to replay "
    "the run later (`assist replay`). The key is never written.",
)
JSON = click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")


@assist.command("suggest")
@FILE
@CODEBOOK
@endpoint_options
@RECORD
@JSON
def suggest_command(
    file: str, codebook: str, record: str | None, as_json: bool, **options: Any
) -> None:
    """Ask a model for passages of FILE (UTF-8 text) for the codes of CODEBOOK.

    Every quote is located in FILE's text (offsets in code points, end
    exclusive, quote == text[start:end]); quotes not in the text, for unknown
    codes or found several times are rejected and counted. Exits 0 when the
    endpoint answered, even if every quote was rejected. FILE is sent to the
    endpoint as it is: pseudonymize it first.
    """
    from sociaparis.assist.inputs import read_briefs, read_text_file
    from sociaparis.assist.llm import LLMSuggester

    text = read_text_file(file)
    codes = read_briefs(codebook)
    endpoint, chunk_words = _endpoint(options)
    suggester = LLMSuggester(
        endpoint, chunk_words=chunk_words, language=options["language"]
    )
    try:
        result = suggester.suggest(text, codes)
    finally:
        endpoint.close()
    _record(record, suggester.settings(), result)
    _print_result(result, as_json)


@assist.command("find-more")
@FILE
@CODEBOOK
@click.option("--code", "code_name", required=True, help="The code, as in the codebook.")
@endpoint_options
@RECORD
@JSON
def find_more_command(
    file: str,
    codebook: str,
    code_name: str,
    record: str | None,
    as_json: bool,
    **options: Any,
) -> None:
    """Find more passages of FILE like the examples of one code of CODEBOOK."""
    from sociaparis.assist.inputs import read_briefs, read_text_file
    from sociaparis.assist.llm import LLMSuggester, find_more

    text = read_text_file(file)
    codes = {code.name: code for code in read_briefs(codebook)}
    if code_name not in codes:
        raise click.BadParameter(
            f"'{code_name}' is not in the codebook ({', '.join(sorted(codes))})",
            param_hint="--code",
        )
    endpoint, chunk_words = _endpoint(options)
    try:
        result = find_more(
            text,
            codes[code_name],
            endpoint=endpoint,
            chunk_words=chunk_words,
            language=options["language"],
        )
    finally:
        endpoint.close()
    settings = LLMSuggester(
        endpoint, chunk_words=chunk_words, language=options["language"]
    ).settings()
    _record(record, {**settings, "kind": "find_more", "code": code_name}, result)
    _print_result(result, as_json)


@assist.command("propose")
@FILE
@click.option(
    "--codebook",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Existing codes, not to be proposed again.",
)
@click.option("--count", type=click.IntRange(1, 30), default=8, show_default=True,
              help="Codes proposed per chunk at most.")  # fmt: skip
@endpoint_options
@JSON
def propose_command(
    file: str, codebook: str | None, count: int, as_json: bool, **options: Any
) -> None:
    """Propose new codes for FILE, each with quotes verified in the text.

    Nothing is added to any codebook: keep the proposals you want with
    `qual codebook add`, or discard them.
    """
    from sociaparis.assist.inputs import read_briefs, read_text_file
    from sociaparis.assist.llm import propose_codes

    text = read_text_file(file)
    existing = [code.name for code in read_briefs(codebook)] if codebook else []
    endpoint, chunk_words = _endpoint(options)
    try:
        result = propose_codes(
            text,
            endpoint=endpoint,
            existing=existing,
            count=count,
            chunk_words=chunk_words,
            language=options["language"],
        )
    finally:
        endpoint.close()
    if as_json:
        print_json(
            {
                "proposals": [
                    {
                        "name": p.name,
                        "definition": p.definition,
                        "passages": [
                            {"start": s.start, "end": s.end, "quote": s.quote}
                            for s in p.passages
                        ],
                    }
                    for p in result.proposals
                ],
                "rejected": [
                    {"code": r.code, "quote": r.quote, "reason": r.reason}
                    for r in result.rejected
                ],
                "calls": len(result.calls),
            }
        )
        return
    click.echo(
        f"{len(result.proposals)} proposed codes, {len(result.rejected)} quotes "
        f"rejected; {len(result.calls)} calls"
    )
    for proposal in result.proposals:
        click.echo(f"\n{proposal.name}: {proposal.definition}")
        for s in proposal.passages:
            click.echo(f"  [{s.start}:{s.end}] « {' '.join(s.quote.split())} »")


@assist.command("replay")
@click.argument("recording", type=click.Path(exists=True, dir_okay=False))
@FILE
@CODEBOOK
@JSON
def replay_command(recording: str, file: str, codebook: str, as_json: bool) -> None:
    """Run `assist suggest` (or `find-more`) again from RECORDING's answers,
    with no network.

    FILE and CODEBOOK must be those of the recorded run: every request is
    matched to its recorded answer by its content.
    """
    from sociaparis.assist.inputs import read_briefs, read_text_file
    from sociaparis.assist.replay import read_recording, replay_run

    data = read_recording(recording)
    result = replay_run(data, read_text_file(file), read_briefs(codebook))
    _print_result(result, as_json)


for _command in (*COMMANDS_OF_RUNS, *COMMANDS_OF_EVALUATION):
    assist.add_command(_command)
