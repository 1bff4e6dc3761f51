"""Errors of the language-model side of assisted coding (``ASSIST_001``–``029``).

The study-bound runs have their own catalog (``run_errors.py``, ``ASSIST_030``–
``ASSIST_059``) and the offline suggester another (``offline_errors.py``,
``ASSIST_060``–``ASSIST_089``).
"""

from __future__ import annotations

from sociaparis.core.errors import ErrorCode


class AssistError(ErrorCode):
    """Errors raised while reaching a model or transcription endpoint."""

    NOT_CONFIGURED = (
        "ASSIST_001",
        "No language-model endpoint is configured ({missing} missing): set "
        "SOCIAPARIS_LLM_URL and SOCIAPARIS_LLM_MODEL, or give --endpoint and "
        "--model. Nothing was sent.",
    )
    BAD_URL = (
        "ASSIST_002",
        "{url!r} is not an http(s) address: give the endpoint's base URL, e.g. "
        "http://localhost:11434/v1 (Ollama) or https://albert.api.etalab.gouv.fr/v1.",
    )
    BAD_SETTING = ("ASSIST_003", "{name}={value}: {reason}")
    UNREACHABLE = (
        "ASSIST_004",
        "The endpoint {url} could not be reached ({attempts} attempts): {reason}. "
        "Check the address, that the server runs, and the timeout "
        "(SOCIAPARIS_LLM_TIMEOUT, --timeout).",
    )
    HTTP_ERROR = (
        "ASSIST_005",
        "The endpoint {url} answered HTTP {status} ({attempts} attempts): {reason}",
    )
    REFUSED_KEY = (
        "ASSIST_006",
        "The endpoint {url} refused the request (HTTP {status}): check the key "
        "(SOCIAPARIS_LLM_KEY, --key) and that it may use model '{model}'.",
    )
    NO_USABLE_JSON = (
        "ASSIST_007",
        "The model '{model}' at {url} never answered usable JSON ({attempts} "
        "answers): {reason}. Try a larger model, or one that supports structured "
        "output.",
    )
    NO_CODES = (
        "ASSIST_008",
        "{path}: the codebook holds no code that can be applied; nothing to suggest.",
    )
    TEXT_UNREADABLE = (
        "ASSIST_009",
        "{path}: {reason}. Give a UTF-8 text file (pseudonymized first: "
        "`sociaparis qual pseudonymize`).",
    )
    RECORDING_UNREADABLE = (
        "ASSIST_010",
        "{path}: not a recording of a sociaparis assist run: {reason}.",
    )
    REPLAY_MISSING = (
        "ASSIST_011",
        "The recording holds no answer to request {number} (model '{model}'): the "
        "text, the codebook or the settings (chunk size, language) differ from the "
        "recorded run. Replay with the same file and codebook.",
    )
    AUDIO_MISSING = ("ASSIST_012", "{path}: no such audio file.")
    AUDIO_TOO_LARGE = (
        "ASSIST_013",
        "{path}: {size} bytes is over the limit of {limit} bytes for one recording "
        "(SOCIAPARIS_AUDIO_MAX_BYTES). Cut the recording in parts, or raise the "
        "limit if the endpoint accepts larger files.",
    )
    NO_TRANSCRIBER = (
        "ASSIST_014",
        "No transcription is configured: give --endpoint and --model (or set "
        "SOCIAPARIS_LLM_URL and SOCIAPARIS_TRANSCRIBE_MODEL) for an "
        "OpenAI-compatible /audio/transcriptions endpoint, or --local-model DIR for a "
        "faster-whisper model folder.",
    )
    FASTER_WHISPER_MISSING = (
        "ASSIST_015",
        "Local transcription needs the faster-whisper package, which is not "
        "installed: pip install 'sociaparis[transcription]' (or faster-whisper), "
        "or use a transcription endpoint (--endpoint, --model).",
    )
    LOCAL_MODEL_MISSING = (
        "ASSIST_016",
        "{path}: not a faster-whisper model folder (no {missing}). Give the folder "
        "of a CTranslate2 Whisper model (e.g. a copy of "
        "Systran/faster-whisper-large-v3); sociaparis never downloads models.",
    )
    TRANSCRIPT_MALFORMED = (
        "ASSIST_017",
        "The transcription from {source} is not usable: {reason}.",
    )
