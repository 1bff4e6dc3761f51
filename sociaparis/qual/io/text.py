"""Plain text and Markdown documents (``.txt``, ``.md``)."""

from __future__ import annotations

from sociaparis.core.errors import Issue
from sociaparis.qual.document import (
    DEFAULT_MAX_BYTES,
    ImportedDocument,
    assemble,
    blocks_from_paragraphs,
    normalize,
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
        warnings.append(
            Issue(
                QualError.CONTROL_CHARACTERS.code,
                QualError.CONTROL_CHARACTERS.format(path=path, count=removed),
            )
        )
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
        without a label continue the current turn).
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
    """
    check_size(data, path=path, max_bytes=max_bytes)
    refuse_binary(data, path=path, declared=f"a {format} text file")
    text, warnings = decode_document_text(data, path=path)
    blocks = blocks_from_paragraphs(
        split_paragraphs(text), detect_speakers=detect_speakers
    )
    return assemble(
        blocks, data=data, format=format, path=path, warnings=warnings, filename=path
    )


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
