"""Pure readers and writers of qualitative data formats (no database).

Document readers take the bytes of a file and return an
:class:`~sociaparis.qual.document.ImportedDocument`; :func:`read_document` picks
the reader from the format or the file name.  Readers are imported lazily, so
importing this package stays cheap.
"""

from __future__ import annotations

import importlib
import inspect
import os
from pathlib import Path
from typing import TYPE_CHECKING

from sociaparis.core.errors import SociaparisError
from sociaparis.qual.document import DEFAULT_MAX_BYTES, UNNAMED_DOCUMENT
from sociaparis.qual.errors import QualError

if TYPE_CHECKING:
    from sociaparis.qual.document import ImportedDocument

#: format -> (file extensions, "module:reader")
DOCUMENT_FORMATS: dict[str, tuple[tuple[str, ...], str]] = {
    "txt": ((".txt", ".text"), "sociaparis.qual.io.text:read_txt"),
    "markdown": ((".md", ".markdown"), "sociaparis.qual.io.text:read_markdown"),
    "docx": ((".docx",), "sociaparis.qual.io.docx:read_docx"),
    "odt": ((".odt",), "sociaparis.qual.io.odt:read_odt"),
    "vtt": ((".vtt",), "sociaparis.qual.io.subtitles:read_vtt"),
    "srt": ((".srt",), "sociaparis.qual.io.subtitles:read_srt"),
    "whisper_json": ((".json",), "sociaparis.qual.io.whisper_json:read_whisper_json"),
    "noscribe_html": (
        (".html", ".htm"),
        "sociaparis.qual.io.noscribe:read_noscribe_html",
    ),
}
_ALIASES = {
    "text": "txt",
    "md": "markdown",
    "webvtt": "vtt",
    "json": "whisper_json",
    "whisper": "whisper_json",
    "whisperx": "whisper_json",
    "html": "noscribe_html",
    "noscribe": "noscribe_html",
}


def document_format(filename: str | None, format: str | None = None) -> str:
    """The reader format for an explicit ``format`` or for the file's extension.

    Examples
    --------
    >>> document_format("entretien_03.DOCX")
    'docx'
    >>> document_format("x.bin", "md")
    'markdown'
    """
    supported = ", ".join(sorted(DOCUMENT_FORMATS))
    if format is not None:
        key = _ALIASES.get(format.lower(), format.lower())
        if key not in DOCUMENT_FORMATS:
            raise SociaparisError(
                QualError.UNKNOWN_FORMAT,
                path=filename or UNNAMED_DOCUMENT,
                name=format,
                supported=supported,
            )
        return key
    suffix = Path(filename or "").suffix.lower()
    for key, (extensions, _reader) in DOCUMENT_FORMATS.items():
        if suffix in extensions:
            return key
    raise SociaparisError(
        QualError.UNKNOWN_FORMAT,
        path=filename or UNNAMED_DOCUMENT,
        name=filename or UNNAMED_DOCUMENT,
        supported=supported,
    )


def read_document(
    source: bytes | str | os.PathLike[str],
    *,
    filename: str | None = None,
    format: str | None = None,
    detect_speakers: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ImportedDocument:
    """Read a document from a path or from bytes, choosing the reader.

    Parameters
    ----------
    source
        A file path, or the file's bytes.
    filename
        The file's name (needed with bytes unless ``format`` is given; defaults to
        the path's name).  Used to choose the reader and in messages.
    format
        One of :data:`DOCUMENT_FORMATS` (or an alias: ``md``, ``json``, ``html``,
        ``webvtt``…); default: from the extension.
    detect_speakers
        Read ``NAME: `` labels as speaker turns (TXT, Markdown, DOCX, ODT, plain
        HTML, and subtitles without voice tags).
    max_bytes
        Size limit; a larger file is refused with ``QUAL_001`` before it is read.

    Returns
    -------
    ImportedDocument
        The document.  Errors are :class:`~sociaparis.core.errors.SociaparisError`
        with a ``QUAL_0xx`` code.
    """
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
        named = filename
    else:
        file_path = Path(source)
        named = filename or file_path.name
        size = file_path.stat().st_size
        if size > max_bytes:
            raise SociaparisError(
                QualError.FILE_TOO_LARGE, path=named, size=size, limit=max_bytes
            )
        data = file_path.read_bytes()
    # a file without a name is "document" to the readers (its ``path``)
    name = named or "document"
    key = document_format(named, format)
    module_name, attribute = DOCUMENT_FORMATS[key][1].split(":")
    reader = getattr(importlib.import_module(module_name), attribute)
    options: dict[str, object] = {"path": name, "max_bytes": max_bytes}
    if "detect_speakers" in inspect.signature(reader).parameters:
        options["detect_speakers"] = detect_speakers
    return reader(data, **options)
