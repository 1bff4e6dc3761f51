"""``sociaparis qual transcribe``: an interview recording to a Whisper JSON transcript."""

from __future__ import annotations

from pathlib import Path

import click


def register(qual: click.Group) -> None:
    """Add ``transcribe`` to the ``qual`` group."""
    qual.add_command(transcribe_command)


@click.command("transcribe")
@click.argument("audio", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--endpoint",
    "url",
    default=None,
    help="Base URL of an OpenAI-compatible API serving /audio/transcriptions "
    "(default: SOCIAPARIS_LLM_URL).",
)
@click.option(
    "--model",
    default=None,
    help="Transcription model (default: SOCIAPARIS_TRANSCRIBE_MODEL), e.g. "
    "openai/whisper-large-v3.",
)
@click.option("--key", default=None, help="API key (default: SOCIAPARIS_LLM_KEY).")
@click.option(
    "--local-model",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="A faster-whisper model folder on this machine, instead of an endpoint "
    "(needs `pip install 'sociaparis[transcription]'`).",
)
@click.option(
    "--language",
    default="fr",
    show_default=True,
    help="Language spoken ('' to let the model detect it).",
)
@click.option("--timeout", type=float, default=None, help="Seconds the request may take.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Whisper JSON file to write (default: AUDIO with the .json suffix).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the document as JSON.")
@click.pass_context
def transcribe_command(
    ctx: click.Context,
    audio: Path,
    url: str | None,
    model: str | None,
    key: str | None,
    local_model: Path | None,
    language: str,
    timeout: float | None,
    out: Path | None,
    as_json: bool,
) -> None:
    """Transcribe AUDIO into a Whisper JSON transcript with timestamped turns.

    The transcript is written to --out and printed as `qual read` prints it;
    import it into the study with `sociaparis qual import FILE.json`, like any
    Whisper JSON file (pseudonymization follows as for any import). The
    recording goes to the endpoint as it is: use an endpoint the study trusts
    with interviews, or a local model.
    """
    from sociaparis.assist.transcribe import (
        transcribe_locally,
        transcribe_with_endpoint,
        transcription_endpoint,
    )
    from sociaparis.cli.qual import read_command
    from sociaparis.core.config import get_settings

    settings = get_settings()
    target = out or audio.with_suffix(".json")
    if target.exists():
        raise click.BadParameter(
            f"{target} exists; give another --out or remove it", param_hint="--out"
        )
    if local_model is not None:
        transcript = transcribe_locally(
            audio, local_model, language=language or None,
            max_bytes=settings.audio_max_bytes,
        )  # fmt: skip
    else:
        endpoint = transcription_endpoint(
            settings, url=url, model=model, key=key, timeout=timeout
        )
        try:
            transcript = transcribe_with_endpoint(
                audio,
                endpoint,
                language=language or None,
                max_bytes=settings.audio_max_bytes,
            )
        finally:
            endpoint.close()
    target.write_bytes(transcript.whisper_bytes())
    click.echo(
        f"Wrote {target}: {len(transcript.document.turns)} timestamped turns.", err=True
    )
    ctx.invoke(
        read_command, file=str(target), format_="whisper_json", speakers=False,
        as_json=as_json,
    )  # fmt: skip
