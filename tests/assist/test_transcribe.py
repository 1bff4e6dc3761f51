"""``sociaparis qual transcribe``: through the scripted /audio/transcriptions
endpoint, or a local faster-whisper folder; the result reads as a Whisper JSON
import does."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from sociaparis.assist.errors import AssistError
from sociaparis.cli import cli
from sociaparis.core.config import get_settings
from sociaparis.qual.io import read_document
from tests.assist.openai_server import Reply, ScriptedOpenAI

AUDIO = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(range(64))
VERBOSE = {
    "task": "transcribe",
    "language": "french",
    "duration": 9.5,
    "text": "Bonjour. Vous utilisez Albert ? Oui, tous les jours.",
    "segments": [
        {
            "id": 0,
            "seek": 0,
            "start": 0.0,
            "end": 1.2,
            "text": " Bonjour.",
            "tokens": [1],
        },
        {"id": 1, "seek": 0, "start": 1.2, "end": 4.0, "text": " Vous utilisez Albert ?"},
        {"id": 2, "seek": 0, "start": 4.4, "end": 9.5, "text": " Oui, tous les jours."},
    ],
}


@pytest.fixture
def audio(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for name in ("LLM_URL", "LLM_KEY", "TRANSCRIBE_MODEL", "AUDIO_MAX_BYTES"):
        monkeypatch.delenv(f"SOCIAPARIS_{name}", raising=False)
    monkeypatch.setenv("SOCIAPARIS_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    path = tmp_path / "entretien 03.wav"
    path.write_bytes(AUDIO)
    yield path
    get_settings.cache_clear()


def transcribe(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["qual", "transcribe", *args])
    return result.exit_code, result.output


def test_an_endpoint_transcription_becomes_a_document_with_timestamped_turns(
    audio: Path, openai_server: ScriptedOpenAI
) -> None:
    openai_server.add(Reply(200, VERBOSE))
    code, out = transcribe(
        str(audio), "--endpoint", openai_server.url, "--model",
        "openai/whisper-large-v3", "--key", "sk-audio", "--json",
    )  # fmt: skip
    assert code == 0, out
    target = audio.with_suffix(".json")
    assert out.startswith(f"Wrote {target}: 3 timestamped turns.\n")
    document = json.loads(out.split("\n", 1)[1])
    assert [(t["start_s"], t["end_s"], t["text"]) for t in document["turns"]] == [
        (0.0, 1.2, "Bonjour."),
        (1.2, 4.0, "Vous utilisez Albert ?"),
        (4.4, 9.5, "Oui, tous les jours."),
    ]
    # exactly what `qual import` reads from the written file
    imported = read_document(target)
    assert imported.to_dict() == document and imported.format == "whisper_json"
    [request] = openai_server.requests
    assert request.path == "/v1/audio/transcriptions"
    assert request.headers["Authorization"] == "Bearer sk-audio"
    assert request.form == {
        "model": "openai/whisper-large-v3",
        "response_format": "verbose_json",
        "timestamp_granularities[]": "segment",
        "temperature": "0",
        "language": "fr",
    }
    assert request.files["file"] == ("entretien 03.wav", AUDIO)
    # a second run does not overwrite the transcript
    code, out = transcribe(str(audio), "--endpoint", openai_server.url, "--model", "w")
    assert code == 2 and "exists" in out


def test_text_without_segments_is_one_turn(
    audio: Path, openai_server: ScriptedOpenAI
) -> None:
    openai_server.add(Reply(200, {"text": "Tout d'un bloc.", "duration": 3.0}))
    code, out = transcribe(str(audio), "--endpoint", openai_server.url, "--model", "w",
                           "--language", "", "--json")  # fmt: skip
    assert code == 0, out
    [turn] = json.loads(out.split("\n", 1)[1])["turns"]
    assert (turn["start_s"], turn["end_s"], turn["text"]) == (0.0, 3.0, "Tout d'un bloc.")
    assert "language" not in openai_server.requests[0].form


@pytest.mark.parametrize(
    ("setup", "args", "error", "context"),
    [
        ("", [], AssistError.NO_TRANSCRIBER, {}),
        ("big", ["--endpoint", "http://127.0.0.1:9/v1", "--model", "w"],
         AssistError.AUDIO_TOO_LARGE, {"size": len(AUDIO), "limit": 10}),
        ("", ["--local-model", "{tmp}/no-model"], AssistError.LOCAL_MODEL_MISSING,
         {"path": "{tmp}/no-model", "missing": "model.bin or config.json"}),
    ],
)  # fmt: skip
def test_refusals(
    audio: Path,
    monkeypatch: pytest.MonkeyPatch,
    setup: str,
    args: list[str],
    error: AssistError,
    context: dict[str, object],
) -> None:
    if setup == "big":
        monkeypatch.setenv("SOCIAPARIS_AUDIO_MAX_BYTES", "10")
        get_settings.cache_clear()
        context = {**context, "path": str(audio)}
    tmp = str(audio.parent)
    args = [a.replace("{tmp}", tmp) for a in args]
    context = {k: v.replace("{tmp}", tmp) if isinstance(v, str) else v
               for k, v in context.items()}  # fmt: skip
    code, out = transcribe(str(audio), *args)
    assert (code, out) == (1, f"Error: {error.code}: {error.format(**context)}\n")
    assert not audio.with_suffix(".json").exists()


@pytest.mark.skipif(
    importlib.util.find_spec("faster_whisper") is not None,
    reason="faster-whisper is installed here",
)
def test_a_local_model_needs_faster_whisper(audio: Path) -> None:
    model = audio.parent / "faster-whisper-small"
    model.mkdir()
    (model / "model.bin").write_bytes(b"\0")
    (model / "config.json").write_text("{}")
    code, out = transcribe(str(audio), "--local-model", str(model))
    assert (code, out) == (
        1,
        f"Error: ASSIST_015: {AssistError.FASTER_WHISPER_MISSING.format()}\n",
    )


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (Reply(200, "plain text, not JSON"), "ASSIST_017: The transcription from"),
        (Reply(200, {"segments": [], "text": ""}), "not usable: no segments and no text"),
        (Reply(413, {"error": {"message": "file too large"}}), "HTTP 413 (1 attempts)"),
    ],
)
def test_unusable_transcriptions(
    audio: Path, openai_server: ScriptedOpenAI, reply: Reply, message: str
) -> None:
    openai_server.add(reply)
    code, out = transcribe(str(audio), "--endpoint", openai_server.url, "--model", "w")
    assert code == 1 and message in out
    assert not audio.with_suffix(".json").exists()
