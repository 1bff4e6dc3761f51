"""Subtitle transcripts: WebVTT (``.vtt``) and SubRip (``.srt``) from Whisper tools.

Speakers come from WebVTT voice tags (``<v S01>``, as noScribe writes them), from
WhisperX's ``[SPEAKER_00]: `` prefixes, or, with ``detect_speakers``, from a
``NAME: `` label.  Consecutive cues of the same speaker are merged into one turn.
"""

from __future__ import annotations

import html
import re

from sociaparis.core.errors import Issue, Reason, SociaparisError
from sociaparis.qual.document import (
    DEFAULT_MAX_BYTES,
    Block,
    ImportedDocument,
    assemble,
    merge_turns,
    split_label,
)
from sociaparis.qual.errors import QualError
from sociaparis.qual.io._safety import (
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

_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})"
_TIMING_RE = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}(?:\s.*)?$")
_VOICE_RE = re.compile(r"<v(?:\.[^\s>]*)?\s+([^>]+)>")
_TAG_RE = re.compile(r"<[^>]*>")
_ASS_RE = re.compile(r"\{\\[^}]*\}")
_BRACKET_SPEAKER_RE = re.compile(r"^\[([^\]\n]{1,40})\]\s*:\s*")
#: what a subtitle file's name says it is (``declared`` of ``QUAL_004``)
_VTT_FILE = Reason(en="a WebVTT file", fr="un fichier WebVTT")
_SRT_FILE = Reason(en="an SRT file", fr="un fichier SRT")
_HOUR_FIELD = Reason(en="the hour field", fr="le champ des heures")
#: why a cue without a timing line is skipped (``reason`` of ``QUAL_021``)
_NO_TIMING = Reason(
    en="no valid 'start --> end' timing line",
    fr="pas de ligne d'horaire « début --> fin » valide",
)
#: what a subtitle file without text lacks (``what`` of ``QUAL_011``)
_NO_CUE = Reason(en="subtitle cue with text", fr="aucun sous-titre contenant du texte")


def _seconds(hours: str | None, minutes: str, seconds: str, fraction: str) -> float:
    """Seconds from the parts of a ``hh:mm:ss.ttt`` time; ``ValueError`` if too late."""
    hours_value = bounded_int(hours or "0", what=_HOUR_FIELD)
    total = hours_value * 3600 + int(minutes) * 60 + int(seconds)
    return check_seconds(round(total + int(fraction.ljust(3, "0")) / 1000, 3))


def _blocks(text: str) -> list[tuple[int, list[str]]]:
    """Blank-line separated blocks with the 1-based line number where each starts."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 1
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            if not current:
                start = number
            current.append(line)
        elif current:
            blocks.append((start, current))
            current = []
    if current:
        blocks.append((start, current))
    return blocks


def _cue_text(lines: list[str], *, detect_speakers: bool) -> tuple[str | None, str]:
    """(speaker, text) of a cue payload, tags removed and entities decoded."""
    payload = " ".join(line.strip() for line in lines)
    voice = _VOICE_RE.search(payload)
    speaker = voice.group(1).strip() if voice else None
    plain = html.unescape(_TAG_RE.sub("", _ASS_RE.sub("", payload))).strip()
    plain = re.sub(r"[ \t]+", " ", plain)
    bracket = _BRACKET_SPEAKER_RE.match(plain)
    if bracket:
        return bracket.group(1).strip(), plain[bracket.end() :]
    if speaker is None and detect_speakers:
        label, _prefix, utterance = split_label(plain)
        if label is not None:
            return label, utterance
    return speaker, plain


def _read_cues(
    text: str, *, path: str, skip_first: bool, detect_speakers: bool
) -> tuple[list[Block], list[Issue]]:
    """Cues of a VTT or SRT text as blocks, with warnings for unreadable ones."""
    blocks: list[Block] = []
    warnings: list[Issue] = []
    for index, (line_no, lines) in enumerate(_blocks(text)):
        if skip_first and index == 0:
            continue
        if lines[0].startswith(("NOTE", "STYLE", "REGION")):
            continue
        timing_at = next((i for i, line in enumerate(lines[:2]) if "-->" in line), None)
        match = _TIMING_RE.match(lines[timing_at]) if timing_at is not None else None
        if match is None:
            warnings.append(skipped_block(path=path, reason=_NO_TIMING, row=line_no))
            continue
        groups = match.groups()
        try:
            start_s, end_s = _seconds(*groups[:4]), _seconds(*groups[4:])
        except ValueError as exc:
            reason = within("cue timing", "horaire du sous-titre", reason_of(exc))
            warnings.append(skipped_block(path=path, reason=reason, row=line_no))
            continue
        speaker, body = _cue_text(lines[timing_at + 1 :], detect_speakers=detect_speakers)
        if body:
            label = f"{speaker}: " if speaker else ""
            blocks.append(Block(body, speaker, start_s, end_s, label))
    return blocks, warnings


def _finish(
    data: bytes, blocks: list[Block], warnings: list[Issue], *, path: str, format: str
) -> ImportedDocument:
    """Merge same-speaker cues and assemble, or raise ``QUAL_011`` without cues."""
    if not blocks:
        raise nothing_read(path=path, format=format, what=_NO_CUE, warnings=warnings)
    return assemble(
        merge_turns(blocks),
        data=data,
        format=format.lower(),
        path=path,
        warnings=warnings,
        filename=path,
    )


def read_vtt(
    data: bytes,
    *,
    path: str = "transcript.vtt",
    detect_speakers: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ImportedDocument:
    """Read a WebVTT transcript (Whisper, WhisperX, noScribe).

    Parameters
    ----------
    data
        The ``.vtt`` bytes; the file must start with ``WEBVTT``.
    path
        File name for messages and the stored filename.
    detect_speakers
        Also take a ``NAME: `` label at the start of a cue as its speaker (voice
        tags and ``[SPEAKER_00]:`` prefixes are always used).
    max_bytes
        Size limit (``QUAL_001``).

    Returns
    -------
    ImportedDocument
        One turn per run of cues by the same speaker (one per cue without
        speakers), with start and end in seconds.

    Examples
    --------
    >>> vtt = "WEBVTT\\n\\n00:00.000 --> 00:02.500\\n<v S00>Bonjour.\\n\\n" \\
    ...       "00:02.500 --> 00:04.000\\n<v S01>Bonjour !\\n"
    >>> doc = read_vtt(vtt.encode())
    >>> doc.text
    'S00: Bonjour.\\n\\nS01: Bonjour !'
    >>> [(t.speaker, t.start_s, t.end_s) for t in doc.turns]
    [('S00', 0.0, 2.5), ('S01', 2.5, 4.0)]
    """
    check_size(data, path=path, max_bytes=max_bytes)
    refuse_binary(data, path=path, declared=_VTT_FILE)
    text, warnings = decode_document_text(data, path=path)
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    if not re.match(r"WEBVTT(?:[ \t].*)?$", first):
        if _TIMING_RE.match(text.split("\n")[1] if "\n" in text else ""):
            raise SociaparisError(
                QualError.CONTENT_MISMATCH,
                path=path,
                declared=_VTT_FILE,
                found=Reason(
                    en="SubRip (SRT) subtitles",
                    fr="au format de sous-titres SubRip (SRT)",
                ),
            )
        raise SociaparisError(
            QualError.MALFORMED,
            path=path,
            format="WebVTT",
            reason=Reason(
                en="the first line must be 'WEBVTT'",
                fr="la première ligne doit être « WEBVTT »",
            ),
        )
    blocks, more = _read_cues(
        text, path=path, skip_first=True, detect_speakers=detect_speakers
    )
    return _finish(data, blocks, warnings + more, path=path, format="VTT")


def read_srt(
    data: bytes,
    *,
    path: str = "transcript.srt",
    detect_speakers: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ImportedDocument:
    """Read a SubRip transcript (Whisper, WhisperX).

    Parameters and result as :func:`read_vtt`; cue numbers are optional and
    ``hh:mm:ss,mmm`` or ``hh:mm:ss.mmm`` times are accepted.

    Examples
    --------
    >>> srt = "1\\n00:00:00,000 --> 00:00:02,000\\n[SPEAKER_00]: On a testé\\n" \\
    ...       "Copilot.\\n\\n2\\n00:00:02,000 --> 00:00:03,000\\n[SPEAKER_00]: Voilà.\\n"
    >>> doc = read_srt(srt.encode())
    >>> doc.turn_text(0), doc.turns[0].end_s
    ('On a testé Copilot. Voilà.', 3.0)
    """
    check_size(data, path=path, max_bytes=max_bytes)
    refuse_binary(data, path=path, declared=_SRT_FILE)
    text, warnings = decode_document_text(data, path=path)
    if text.lstrip("\ufeff").startswith("WEBVTT"):
        raise SociaparisError(
            QualError.CONTENT_MISMATCH,
            path=path,
            declared=_SRT_FILE,
            found=Reason(en="WebVTT subtitles", fr="au format de sous-titres WebVTT"),
        )
    blocks, more = _read_cues(
        text, path=path, skip_first=False, detect_speakers=detect_speakers
    )
    return _finish(data, blocks, warnings + more, path=path, format="SRT")
