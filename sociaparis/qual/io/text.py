"""Plain text and Markdown documents (``.txt``, ``.md``)."""

from __future__ import annotations

from sociaparis.core.errors import Issue, Reason
from sociaparis.qual.document import (
    DEFAULT_MAX_BYTES,
    ImportedDocument,
    assemble,
    blocks_from_paragraphs,
    normalize,
    split_label,
    split_paragraphs,
    strip_controls,
)
from sociaparis.qual.errors import QualError
from sociaparis.qual.io._safety import check_size, decode_text, refuse_binary


def decode_document_text(data: bytes, *, path: str) -> tuple[str, list[Issue]]:
    """Decode, normalize (NFC, ``\\n``) and clean a text file's bytes, with warnings."""
    text, warnings = decode_text(data, path=path)
    text, removed = strip_controls(normalize(text))
    if removed:
        warnings.append(Issue.of(QualError.CONTROL_CHARACTERS, path=path, count=removed))
    return text, warnings


def read_txt(
    data: bytes,
    *,
    path: str = "document.txt",
    detect_speakers: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    format: str = "txt",
) -> ImportedDocument:
    """Read a plain-text document: paragraphs separated by blank lines.

    Parameters
    ----------
    data
        The file's bytes: UTF-8 (with or without BOM), UTF-16/32 with BOM, or a
        legacy Windows-1252/latin-1 file (read with a ``QUAL_020`` warning).
    path
        File name, used in messages and stored as the document's filename.
    detect_speakers
        Treat paragraphs starting with ``"NAME: "`` as speaker turns (paragraphs
        without a label continue the current turn). A transcript written one
        turn per line, without blank lines between turns, is read the same way:
        a paragraph with two or more lines starting with ``"NAME: "`` is split
        before each of them (:func:`split_turn_lines`).
    max_bytes
        Size limit (``QUAL_001``).
    format
        Stored format name (``"markdown"`` for :func:`read_markdown`).

    Returns
    -------
    ImportedDocument
        Text with one blank line between paragraphs; line breaks inside a
        paragraph are kept.

    Examples
    --------
    >>> doc = read_txt("Enquêtrice : Bonjour.\\n\\nS01 : Bonjour !".encode(),
    ...                detect_speakers=True)
    >>> [(t.speaker, doc.text[t.start:t.end]) for t in doc.turns]
    [('Enquêtrice', 'Bonjour.'), ('S01', 'Bonjour !')]
    >>> doc = read_txt("Enquêtrice : Bonjour.\\nS01 : Bonjour !".encode(),
    ...                detect_speakers=True)
    >>> [(t.speaker, doc.text[t.start:t.end]) for t in doc.turns]
    [('Enquêtrice', 'Bonjour.'), ('S01', 'Bonjour !')]
    """
    check_size(data, path=path, max_bytes=max_bytes)
    refuse_binary(
        data,
        path=path,
        declared=Reason(en=f"a {format} text file", fr=f"un fichier texte {format}"),
    )
    text, warnings = decode_document_text(data, path=path)
    paragraphs = split_paragraphs(text)
    if detect_speakers:
        paragraphs = split_turn_lines(paragraphs)
    blocks = blocks_from_paragraphs(paragraphs, detect_speakers=detect_speakers)
    return assemble(
        blocks, data=data, format=format, path=path, warnings=warnings, filename=path
    )


def split_turn_lines(paragraphs: list[str]) -> list[str]:
    """Split each paragraph that holds several ``"NAME: text"`` lines before them.

    A transcript typed one turn per line has no blank line between turns, so
    its turns arrive as one paragraph. Where two or more lines of a paragraph
    start with a speaker label, each of them starts a new paragraph; a line
    without a label stays with the line above it (an utterance over several
    lines), and lines before the first label make a paragraph of their own. A
    paragraph with one label at most is left whole, its line breaks kept.

    Examples
    --------
    >>> split_turn_lines(["A: oui\\nB: non\\nvraiment", "C: un\\ndeux"])
    ['A: oui', 'B: non\\nvraiment', 'C: un\\ndeux']
    """
    out: list[str] = []
    for paragraph in paragraphs:
        lines = paragraph.split("\n")
        starts = [split_label(line.strip())[0] is not None for line in lines]
        if sum(starts) < 2:
            out.append(paragraph)
            continue
        piece: list[str] = []
        for line, starts_turn in zip(lines, starts, strict=True):
            if starts_turn and piece:
                out.append("\n".join(piece).strip())
                piece = []
            piece.append(line)
        out.append("\n".join(piece).strip())
    return [p for p in out if p]


def read_markdown(
    data: bytes,
    *,
    path: str = "document.md",
    detect_speakers: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ImportedDocument:
    """Read a Markdown document as text (the markup is kept as written).

    Parameters and result as :func:`read_txt`, with format ``"markdown"``.
    """
    return read_txt(
        data,
        path=path,
        detect_speakers=detect_speakers,
        max_bytes=max_bytes,
        format="markdown",
    )
