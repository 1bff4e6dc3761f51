"""Transcribe an interview recording into a document with timestamped turns.

Two ways, both giving the segments Whisper gives (start, end, text):

- an OpenAI-compatible ``POST {url}/audio/transcriptions`` endpoint (the State's
  Albert API and vLLM serve Whisper), asked for ``verbose_json``;
- a faster-whisper model folder on this machine (the optional
  ``sociaparis[transcription]`` extra; sociaparis never downloads a model).

The segments are written as a Whisper JSON transcript and read by the same
reader as ``qual import`` of a Whisper JSON file
(:func:`sociaparis.qual.io.whisper_json.read_whisper_json`), so a transcribed
interview is exactly an imported one.
"""

from __future__ import annotations

import json
import mimetypes
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sociaparis.assist.briefs import CallRecord
from sociaparis.assist.endpoint import Endpoint, check_url, excerpt
from sociaparis.assist.errors import AssistError
from sociaparis.core.errors import Reason, SociaparisError
from sociaparis.qual.io.whisper_json import read_whisper_json

if TYPE_CHECKING:
    from sociaparis.core.config import Settings
    from sociaparis.qual.document import ImportedDocument

#: files a faster-whisper (CTranslate2) model folder holds
LOCAL_MODEL_FILES = ("model.bin", "config.json")
#: default seconds a transcription request may take
TRANSCRIBE_TIMEOUT_S = 900.0


@dataclass(frozen=True)
class Transcript:
    """A transcription: the Whisper JSON, the document read from it, the calls."""

    whisper: dict[str, Any]
    document: ImportedDocument
    calls: tuple[CallRecord, ...] = field(default=())

    def whisper_bytes(self) -> bytes:
        """The Whisper JSON as written to a file (UTF-8)."""
        return (json.dumps(self.whisper, ensure_ascii=False, indent=1) + "\n").encode()


def transcription_endpoint(
    settings: Settings,
    *,
    url: str | None = None,
    model: str | None = None,
    key: str | None = None,
    timeout: float | None = None,
) -> Endpoint:
    """The transcription endpoint: ``url`` or ``SOCIAPARIS_LLM_URL``, ``model`` or
    ``SOCIAPARIS_TRANSCRIBE_MODEL``, ``key`` or ``SOCIAPARIS_LLM_KEY``.

    Raises ``ASSIST_014`` when no URL or model is configured.
    """
    url = url or settings.llm_url
    model = model or settings.transcribe_model
    if not (url or "").strip() or not (model or "").strip():
        raise SociaparisError(AssistError.NO_TRANSCRIBER)
    secret = key or settings.llm_key.get_secret_value() or None
    return Endpoint(
        url=check_url(url),
        model=model,
        key=secret,
        timeout=timeout or TRANSCRIBE_TIMEOUT_S,
        retries=settings.llm_retries,
        concurrency=1,
    )


def _audio(path: Path, max_bytes: int) -> bytes:
    if not path.is_file():
        raise SociaparisError(AssistError.AUDIO_MISSING, path=str(path))
    size = path.stat().st_size
    if size > max_bytes:
        raise SociaparisError(
            AssistError.AUDIO_TOO_LARGE, path=str(path), size=size, limit=max_bytes
        )
    return path.read_bytes()


def whisper_segments(data: Any, *, source: str) -> dict[str, Any]:
    """A Whisper JSON transcript from a ``verbose_json`` answer.

    Keeps ``language``, ``duration`` and each segment's ``start``, ``end``,
    ``text`` (and ``speaker`` when a server diarizes).  An answer with a
    ``text`` but no segments becomes one segment over the whole duration.

    Examples
    --------
    >>> whisper_segments({"text": "Bonjour.", "duration": 2.5}, source="x")["segments"]
    [{'start': 0.0, 'end': 2.5, 'text': 'Bonjour.'}]
    """
    if not isinstance(data, dict):
        raise SociaparisError(
            AssistError.TRANSCRIPT_MALFORMED,
            source=source,
            reason=Reason(en="not a JSON object", fr="ce n'est pas un objet JSON"),
        )
    segments = data.get("segments")
    out: list[dict[str, Any]] = []
    if isinstance(segments, list) and segments:
        for item in segments:
            if not isinstance(item, dict):
                continue
            segment = {
                "start": item.get("start"),
                "end": item.get("end"),
                "text": item.get("text", ""),
            }
            if item.get("speaker") is not None:
                segment["speaker"] = item["speaker"]
            out.append(segment)
    elif isinstance(data.get("text"), str) and data["text"].strip():
        duration = data.get("duration")
        end = float(duration) if isinstance(duration, int | float) else None
        out.append({"start": 0.0, "end": end, "text": data["text"]})
    if not out:
        raise SociaparisError(
            AssistError.TRANSCRIPT_MALFORMED,
            source=source,
            reason=Reason(
                en="no segments and no text", fr="elle n'a ni segments ni texte"
            ),
        )
    return {
        "language": data.get("language"),
        "duration": data.get("duration"),
        "segments": out,
    }


def _document(whisper: dict[str, Any], audio: Path) -> ImportedDocument:
    name = f"{audio.stem}.json"
    data = (json.dumps(whisper, ensure_ascii=False) + "\n").encode()
    return read_whisper_json(data, path=name, max_bytes=max(len(data), 1))


def transcribe_with_endpoint(
    audio: str | Path,
    endpoint: Endpoint,
    *,
    language: str | None = "fr",
    max_bytes: int = 200_000_000,
) -> Transcript:
    """Transcribe ``audio`` through ``POST {url}/audio/transcriptions``.

    The request is a multipart form: ``file``, ``model``,
    ``response_format=verbose_json``, ``timestamp_granularities[]=segment``,
    ``temperature=0`` and ``language`` when given.  Its record holds these
    fields and the file's name and size, not the audio.
    """
    path = Path(audio)
    data = _audio(path, max_bytes)
    form = {
        "model": endpoint.model,
        "response_format": "verbose_json",
        "timestamp_granularities[]": "segment",
        "temperature": "0",
    }
    if language:
        form["language"] = language
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    completion = endpoint.post(
        "audio/transcriptions",
        data=form,
        files={"file": (path.name, data, mime)},
        record_body={**form, "file": {"name": path.name, "bytes": len(data)}},
    )
    if not completion.ok:
        raise SociaparisError(
            AssistError.HTTP_ERROR,
            url=endpoint.shown_url,
            status=completion.status,
            attempts=len(completion.calls),
            reason=excerpt(completion.body),
        )
    try:
        answer = json.loads(completion.body)
    except ValueError:
        raise SociaparisError(
            AssistError.TRANSCRIPT_MALFORMED,
            source=endpoint.shown_url,
            reason=Reason(
                en="the answer is not JSON (does the server take "
                "response_format=verbose_json?)",
                fr="la réponse n'est pas du JSON (le serveur accepte-t-il "
                "response_format=verbose_json ?)",
            ),
        ) from None
    whisper = whisper_segments(answer, source=endpoint.shown_url)
    return Transcript(whisper, _document(whisper, path), completion.calls)


def transcribe_locally(
    audio: str | Path,
    model_dir: str | Path,
    *,
    language: str | None = "fr",
    max_bytes: int = 200_000_000,
) -> Transcript:
    """Transcribe ``audio`` with a faster-whisper model folder on this machine.

    Raises ``ASSIST_016`` when the folder is not a CTranslate2 Whisper model and
    ``ASSIST_015`` when faster-whisper is not installed.  The model is never
    downloaded (``local_files_only``).
    """
    path = Path(audio)
    folder = Path(model_dir)
    missing = [name for name in LOCAL_MODEL_FILES if not (folder / name).is_file()]
    if missing:
        raise SociaparisError(
            AssistError.LOCAL_MODEL_MISSING,
            path=str(folder),
            missing=" or ".join(missing),
        )
    _audio(path, max_bytes)
    try:
        from faster_whisper import WhisperModel
    except ImportError:
        raise SociaparisError(AssistError.FASTER_WHISPER_MISSING) from None
    model = WhisperModel(str(folder), local_files_only=True)
    segments, info = model.transcribe(str(path), language=language, temperature=0.0)
    answer = {
        "language": info.language,
        "duration": info.duration,
        "segments": [{"start": s.start, "end": s.end, "text": s.text} for s in segments],
    }
    whisper = whisper_segments(answer, source=str(folder))
    return Transcript(whisper, _document(whisper, path))
