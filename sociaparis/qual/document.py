"""An imported document: one NFC text, speaker turns and paragraphs as offsets.

Every reader in :mod:`sociaparis.qual.io` turns the bytes of a file into a list of
:class:`Block` (a paragraph or a speaker turn, with its speaker and timestamps if
the format has them) and calls :func:`assemble`, which builds the one stored text
and the offsets into it.  The layout of the text is:

- blocks are joined with :data:`BLOCK_SEPARATOR` (a blank line, ``"\\n\\n"``);
- a block with a speaker is written ``"<label>: <utterance>"``: the label stays in
  the text, as in a transcript, and the turn's offsets cover the utterance only;
- everything is NFC-normalized, with ``\\n`` line ends.

Offsets are Unicode code-point indices into :attr:`ImportedDocument.text` (Python
``str`` indices), start inclusive and end exclusive, as REFI-QDA counts them:
``doc.text[turn.start:turn.end]`` is exactly the turn's utterance.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sociaparis.core.errors import Issue, Reason, SociaparisError
from sociaparis.qual.errors import QualError

#: joins the blocks (paragraphs, turns) of a document's text
BLOCK_SEPARATOR = "\n\n"
#: default size limit of one document file, in bytes (50 MB)
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
#: what a message calls a document or file that has no name (its ``path``)
UNNAMED_DOCUMENT = Reason(en="document", fr="document sans nom")

# "NAME: text" at the start of a paragraph: up to three words starting with a letter
# (e.g. "Enquêtrice", "M. Dupont", "S01"), or a bracketed label "[SPEAKER_00]";
# French typography may put a (non-breaking) space before the colon.
_LABEL_RE = re.compile(
    r"(?P<label>\[[^\]\n]{1,40}\]|[^\W\d_][\w.'’\-]*(?: [\w.'’\-]+){0,2})"
    r"[ \u00a0\u202f]?:[ \u00a0\u202f\t]+(?=\S)"
)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class Turn:
    """A speaker turn: who speaks, when, and where its utterance is in the text.

    Attributes
    ----------
    speaker
        The speaker label as found in the file (``"S01"``, ``"SPEAKER_00"``,
        ``"Enquêtrice"``), or ``None`` for a timed segment without a speaker.
    start_s, end_s
        Start and end in seconds from the beginning of the recording, if known.
    start, end
        Code-point offsets of the utterance in the document text (end exclusive).
    """

    speaker: str | None
    start_s: float | None
    end_s: float | None
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Block:
    """A paragraph or turn as a reader found it, before assembly.

    ``text`` may hold blank-line paragraph breaks (a turn over several
    paragraphs); ``prefix`` is the label text written before it (``"S01: "``).
    """

    text: str
    speaker: str | None = None
    start_s: float | None = None
    end_s: float | None = None
    prefix: str = ""


@dataclass(frozen=True, slots=True)
class ImportedDocument:
    """A document read from a file, ready to be stored (no database involved).

    Attributes
    ----------
    text
        The whole text, NFC-normalized; see the module docstring for its layout.
    turns
        Speaker turns (empty for documents without speakers or timestamps).
    paragraphs
        ``(start, end)`` code-point offsets of every paragraph (a turn's label is
        inside its paragraph).
    format
        ``txt``, ``markdown``, ``docx``, ``odt``, ``vtt``, ``srt``,
        ``whisper_json``, ``noscribe_html`` or ``html``.
    sha256
        Hex digest of the source bytes, to detect a re-import of the same file.
    warnings
        Problems that did not stop the import.
    filename
        The name of the source file, if known.
    """

    text: str
    turns: tuple[Turn, ...]
    paragraphs: tuple[tuple[int, int], ...]
    format: str
    sha256: str
    warnings: list[Issue] = field(default_factory=list)
    filename: str | None = None

    def turn_text(self, index: int) -> str:
        """The utterance of turn ``index``."""
        turn = self.turns[index]
        return self.text[turn.start : turn.end]

    @property
    def speakers(self) -> tuple[str, ...]:
        """Distinct speakers in order of first appearance."""
        return tuple(dict.fromkeys(t.speaker for t in self.turns if t.speaker))

    def to_dict(self) -> dict[str, Any]:
        """JSON twin: text, turns (with their text), paragraphs, warnings."""
        return {
            "filename": self.filename,
            "format": self.format,
            "sha256": self.sha256,
            "length": len(self.text),
            "speakers": list(self.speakers),
            "turns": [
                {
                    "speaker": t.speaker,
                    "start_s": t.start_s,
                    "end_s": t.end_s,
                    "start": t.start,
                    "end": t.end,
                    "text": self.text[t.start : t.end],
                }
                for t in self.turns
            ],
            "paragraphs": [list(p) for p in self.paragraphs],
            "warnings": [str(w) for w in self.warnings],
            "text": self.text,
        }


def normalize(text: str) -> str:
    """NFC form with ``\\n`` line ends (``\\r\\n``, ``\\r``, U+2028/9 become ``\\n``)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n")
    return unicodedata.normalize("NFC", text)


def strip_controls(text: str) -> tuple[str, int]:
    """Remove C0 control characters other than tab and newline; return the count."""
    cleaned, count = _CONTROL_RE.subn("", text)
    return cleaned, count


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs separated by blank lines, stripped, empty ones dropped."""
    return [p.strip() for p in re.split(r"\n[ \t\u00a0]*\n", text) if p.strip()]


def split_label(paragraph: str) -> tuple[str | None, str, str]:
    """Split ``"NAME: text"`` into (speaker, prefix as written, utterance).

    Examples
    --------
    >>> split_label("Enquêtrice : Vous utilisez ChatGPT ?")
    ('Enquêtrice', 'Enquêtrice : ', 'Vous utilisez ChatGPT ?')
    >>> split_label("[SPEAKER_01]: oui")
    ('SPEAKER_01', '[SPEAKER_01]: ', 'oui')
    >>> split_label("Pas de locuteur ici.")
    (None, '', 'Pas de locuteur ici.')
    """
    match = _LABEL_RE.match(paragraph)
    if match is None:
        return None, "", paragraph
    label = match.group("label").strip("[]").strip()
    return label, paragraph[: match.end()], paragraph[match.end() :]


def blocks_from_paragraphs(
    paragraphs: Iterable[str], *, detect_speakers: bool
) -> list[Block]:
    """Blocks from plain paragraphs, optionally grouping them into speaker turns.

    With ``detect_speakers``, a paragraph that starts with ``"NAME: "`` opens a
    turn, and the paragraphs that follow without a label belong to that turn.
    """
    blocks: list[Block] = []
    for paragraph in paragraphs:
        if not detect_speakers:
            blocks.append(Block(paragraph))
            continue
        speaker, prefix, utterance = split_label(paragraph)
        if speaker is not None:
            blocks.append(Block(utterance, speaker=speaker, prefix=prefix))
        elif blocks and blocks[-1].speaker is not None:
            last = blocks[-1]
            blocks[-1] = Block(
                last.text + BLOCK_SEPARATOR + paragraph, last.speaker, prefix=last.prefix
            )
        else:
            blocks.append(Block(paragraph))
    return blocks


def merge_turns(blocks: Sequence[Block]) -> list[Block]:
    """Join consecutive timed blocks of the same (known) speaker into one turn.

    The utterances are joined with a space; the turn runs from the first start to
    the last end.  Blocks without a speaker are left alone.
    """
    merged: list[Block] = []
    for block in blocks:
        last = merged[-1] if merged else None
        if (
            last is not None
            and block.speaker is not None
            and block.speaker == last.speaker
        ):
            merged[-1] = Block(
                f"{last.text} {block.text}",
                last.speaker,
                last.start_s,
                block.end_s if block.end_s is not None else last.end_s,
                last.prefix,
            )
        else:
            merged.append(block)
    return merged


def assemble(
    blocks: Sequence[Block],
    *,
    data: bytes,
    format: str,
    path: str,
    warnings: Sequence[Issue] = (),
    filename: str | None = None,
) -> ImportedDocument:
    """Build the :class:`ImportedDocument` from a reader's blocks.

    Parameters
    ----------
    blocks
        Paragraphs or turns in order; empty ones are dropped.  A block becomes a
        turn when it has a speaker or a timestamp.
    data
        The source bytes (hashed for re-import detection).
    format
        The format name stored with the document.
    path
        Name used in messages.
    warnings
        Warnings gathered by the reader.
    filename
        Source file name, stored with the document.

    Returns
    -------
    ImportedDocument
        The document; raises ``QUAL_002`` when no text is left.
    """
    pieces: list[str] = []
    turns: list[Turn] = []
    paragraphs: list[tuple[int, int]] = []
    position = 0
    for block in blocks:
        body = normalize(block.text).strip()
        if not body:
            continue
        # paragraph breaks inside a block are exactly one blank line
        body = BLOCK_SEPARATOR.join(split_paragraphs(body))
        prefix = normalize(block.prefix) if block.speaker is not None else ""
        speaker = normalize(block.speaker) if block.speaker is not None else None
        if pieces:
            position += len(BLOCK_SEPARATOR)
        start = position + len(prefix)
        piece = prefix + body
        if speaker is not None or block.start_s is not None:
            turns.append(
                Turn(speaker, block.start_s, block.end_s, start, start + len(body))
            )
        offset = position
        for part in piece.split(BLOCK_SEPARATOR):
            paragraphs.append((offset, offset + len(part)))
            offset += len(part) + len(BLOCK_SEPARATOR)
        pieces.append(piece)
        position += len(piece)
    text = BLOCK_SEPARATOR.join(pieces)
    if not text.strip():
        raise SociaparisError(QualError.EMPTY_DOCUMENT, path=path)
    return ImportedDocument(
        text=text,
        turns=tuple(turns),
        paragraphs=tuple(paragraphs),
        format=format,
        sha256=hashlib.sha256(data).hexdigest(),
        warnings=list(warnings),
        filename=filename,
    )
