"""OpenDocument text (``.odt``), read with lxml after zip-bomb and DTD checks."""

from __future__ import annotations

from lxml import etree

from sociaparis.qual.document import (
    DEFAULT_MAX_BYTES,
    ImportedDocument,
    assemble,
    blocks_from_paragraphs,
    normalize,
    strip_controls,
)
from sociaparis.qual.io._safety import (
    DEFAULT_MAX_RATIO,
    DEFAULT_MAX_UNPACKED,
    check_size,
    parse_xml,
)
from sociaparis.qual.io.docx import check_zip_document

TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
#: most spaces one ``text:s`` may stand for (a hostile c="999999999" is capped)
MAX_SPACES = 1000
_PARAGRAPHS = {f"{{{TEXT}}}p", f"{{{TEXT}}}h"}
_SKIPPED = {
    f"{{{OFFICE}}}annotation",
    f"{{{OFFICE}}}annotation-end",
    f"{{{TEXT}}}note",
    f"{{{TEXT}}}tracked-changes",
}


def _space_count(value: str | None) -> int:
    """Spaces of a ``text:s`` element: its ``c`` attribute, 1 by default, capped."""
    try:
        return min(max(int(value or "1"), 0), MAX_SPACES)
    except ValueError:
        return 1


def _inline_text(element: etree._Element) -> str:
    """Text of a paragraph: spans, links, spaces (text:s), tabs and line breaks."""
    parts = [element.text or ""]
    for child in element:
        tag = child.tag
        if tag == f"{{{TEXT}}}s":
            parts.append(" " * _space_count(child.get(f"{{{TEXT}}}c")))
        elif tag == f"{{{TEXT}}}tab":
            parts.append("\t")
        elif tag == f"{{{TEXT}}}line-break":
            parts.append("\n")
        elif tag not in _SKIPPED and tag not in _PARAGRAPHS:
            parts.append(_inline_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _paragraphs(root: etree._Element) -> list[str]:
    """Paragraphs and headings of office:text in document order (tables included)."""
    body = root.find(f"{{{OFFICE}}}body/{{{OFFICE}}}text")
    if body is None:
        return []
    found: list[str] = []

    def walk(element: etree._Element) -> None:
        for child in element:
            if child.tag in _SKIPPED:
                continue
            if child.tag in _PARAGRAPHS:
                found.append(_inline_text(child))
            else:
                walk(child)

    walk(body)
    return found


def read_odt(
    data: bytes,
    *,
    path: str = "document.odt",
    detect_speakers: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_unpacked: int = DEFAULT_MAX_UNPACKED,
    max_ratio: float = DEFAULT_MAX_RATIO,
) -> ImportedDocument:
    """Read the paragraphs and headings of an OpenDocument text.

    Parameters
    ----------
    data
        The ``.odt`` bytes.
    path
        File name for messages and the stored filename.
    detect_speakers
        Treat paragraphs starting with ``"NAME: "`` as speaker turns.
    max_bytes, max_unpacked, max_ratio
        Limits, as in :func:`sociaparis.qual.io.docx.read_docx`.

    Returns
    -------
    ImportedDocument
        One paragraph per non-empty ``text:p``/``text:h`` (lists and tables
        included); notes, comments and tracked deletions are not imported.
    """
    check_size(data, path=path, max_bytes=max_bytes)
    parts = check_zip_document(
        data,
        path=path,
        format="odt",
        required="content.xml",
        max_unpacked=max_unpacked,
        max_ratio=max_ratio,
    )
    root = parse_xml(parts["content.xml"], path=path, name="content.xml", format="ODT")
    paragraphs = []
    for text in _paragraphs(root):
        cleaned = strip_controls(normalize(text))[0].strip()
        if cleaned:
            paragraphs.append(cleaned)
    blocks = blocks_from_paragraphs(paragraphs, detect_speakers=detect_speakers)
    return assemble(blocks, data=data, format="odt", path=path, filename=path)
