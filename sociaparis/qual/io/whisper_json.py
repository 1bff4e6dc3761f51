"""Whisper and WhisperX JSON transcripts (``segments`` with start, end, text, speaker)."""

from __future__ import annotations

import json
from functools import partial
from typing import Any

from sociaparis.core.errors import Reason, SociaparisError
from sociaparis.qual.document import (
    DEFAULT_MAX_BYTES,
    Block,
    ImportedDocument,
    assemble,
    merge_turns,
)
from sociaparis.qual.errors import QualError
from sociaparis.qual.io._safety import (
    UnreadableValue,
    bounded_int,
    check_seconds,
    check_size,
    nothing_read,
    reason_of,
    refuse_binary,
    skipped_block,
    within,
)
from sociaparis.qual.io.text import decode_document_text

#: what is wrong with a segment (``reason`` of ``QUAL_021``, after its number)
_NOT_AN_OBJECT = Reason(
    en="a segment must be an object", fr="un segment doit être un objet"
)
_NO_TEXT = Reason(
    en="a segment needs a 'text' string",
    fr="un segment doit avoir une chaîne « text »",
)
_BAD_TIMESTAMP = Reason(
    en="'timestamp' must be [start, end]", fr="« timestamp » doit valoir [début, fin]"
)
_BAD_SPEAKER = Reason(
    en="'speaker' must be a string", fr="« speaker » doit être une chaîne"
)
#: what the numbers of a JSON transcript are called (``what`` of :func:`bounded_int`)
_A_NUMBER = Reason(en="a number", fr="un nombre")
#: what a transcript without text lacks (``what`` of ``QUAL_011``)
_NO_SEGMENT = Reason(en="segment with text", fr="aucun segment contenant du texte")


def _time(value: Any) -> float | None:
    """A timestamp in seconds, or ``None`` when absent; :class:`UnreadableValue`
    (a ``ValueError``) if invalid."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UnreadableValue(
            Reason(
                en=f"time {value!r} is not a number of seconds",
                fr=f"l'horodatage {value!r} n'est pas un nombre de secondes",
            )
        )
    return check_seconds(value)


def _segment(item: Any) -> Block:
    """One segment as a block; :class:`UnreadableValue` (a ``ValueError``)
    explains what is wrong with it."""
    if not isinstance(item, dict):
        raise UnreadableValue(_NOT_AN_OBJECT)
    text = item.get("text")
    if not isinstance(text, str):
        raise UnreadableValue(_NO_TEXT)
    if "timestamp" in item and "start" not in item:
        stamp = item["timestamp"]
        if not isinstance(stamp, list | tuple) or len(stamp) != 2:
            raise UnreadableValue(_BAD_TIMESTAMP)
        start, end = _time(stamp[0]), _time(stamp[1])
    else:
        start, end = _time(item.get("start")), _time(item.get("end"))
    speaker = item.get("speaker")
    if speaker is not None and not isinstance(speaker, str | int):
        raise UnreadableValue(_BAD_SPEAKER)
    label = str(speaker).strip() if speaker is not None and str(speaker).strip() else None
    prefix = f"{label}: " if label else ""
    return Block(text.strip(), label, start, end, prefix)


def read_whisper_json(
    data: bytes,
    *,
    path: str = "transcript.json",
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ImportedDocument:
    """Read a Whisper / WhisperX / faster-whisper JSON transcript.

    Parameters
    ----------
    data
        JSON bytes: an object with a ``segments`` list (Whisper, WhisperX), or a
        bare list of segments.  A segment has ``text`` and ``start``/``end`` in
        seconds (or ``timestamp: [start, end]``), and optionally ``speaker``
        (WhisperX ``SPEAKER_00``); word lists are ignored.
    path
        File name for messages and the stored filename.
    max_bytes
        Size limit (``QUAL_001``).

    Returns
    -------
    ImportedDocument
        One turn per run of segments by the same speaker (one per segment
        without speakers).  Unreadable segments are skipped with a ``QUAL_021``
        warning whose row is the segment's 1-based position.

    Examples
    --------
    >>> raw = {"segments": [
    ...     {"start": 0.0, "end": 1.5, "text": " Bonjour.", "speaker": "SPEAKER_00"},
    ...     {"start": 1.5, "end": 3.0, "text": " Ça va ?", "speaker": "SPEAKER_01"}]}
    >>> doc = read_whisper_json(json.dumps(raw).encode())
    >>> doc.text
    'SPEAKER_00: Bonjour.\\n\\nSPEAKER_01: Ça va ?'
    """
    check_size(data, path=path, max_bytes=max_bytes)
    refuse_binary(
        data, path=path, declared=Reason(en="a JSON file", fr="un fichier JSON")
    )
    text, warnings = decode_document_text(data, path=path)
    try:
        raw = json.loads(text, parse_int=partial(bounded_int, what=_A_NUMBER))
    except json.JSONDecodeError as exc:
        raise SociaparisError(
            QualError.MALFORMED,
            path=path,
            format="JSON",
            reason=Reason(
                en=f"{exc.msg} at line {exc.lineno}, column {exc.colno}",
                fr=f"{exc.msg} à la ligne {exc.lineno}, colonne {exc.colno}",
            ),
        ) from None
    except RecursionError:
        raise SociaparisError(
            QualError.MALFORMED,
            path=path,
            format="JSON",
            reason=Reason(en="nested too deeply", fr="imbrication trop profonde"),
        ) from None
    except ValueError as exc:  # from bounded_int: an integer too long to be a time
        raise SociaparisError(
            QualError.MALFORMED, path=path, format="JSON", reason=reason_of(exc)
        ) from None
    segments = raw.get("segments") if isinstance(raw, dict) else raw
    if not isinstance(segments, list):
        raise SociaparisError(
            QualError.MALFORMED,
            path=path,
            format="Whisper JSON",
            reason=Reason(
                en="expected an object with a 'segments' list, or a list of segments",
                fr="on attendait un objet avec une liste « segments », ou une liste "
                "de segments",
            ),
        )
    blocks: list[Block] = []
    for number, item in enumerate(segments, start=1):
        try:
            block = _segment(item)
        except ValueError as exc:
            reason = within(f"segment {number}", f"segment {number}", reason_of(exc))
            warnings.append(skipped_block(path=path, reason=reason, row=number))
            continue
        if block.text:
            blocks.append(block)
    if not blocks:
        raise nothing_read(
            path=path, format="Whisper JSON", what=_NO_SEGMENT, warnings=warnings
        )
    return assemble(
        merge_turns(blocks),
        data=data,
        format="whisper_json",
        path=path,
        warnings=warnings,
        filename=path,
    )
