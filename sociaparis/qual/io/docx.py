"""Word documents (``.docx``), read with python-docx after zip-bomb checks."""

from __future__ import annotations

import io
import re

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from sociaparis.core.errors import Reason, SociaparisError
from sociaparis.qual.document import (
    DEFAULT_MAX_BYTES,
    ImportedDocument,
    assemble,
    blocks_from_paragraphs,
    normalize,
    strip_controls,
)
from sociaparis.qual.errors import QualError
from sociaparis.qual.io._safety import (
    DEFAULT_MAX_RATIO,
    DEFAULT_MAX_UNPACKED,
    check_size,
    parse_xml,
    read_zip_parts,
    sniff,
)

ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
_XML_PART = re.compile(r"\.(xml|rels)$", re.IGNORECASE)


def _declared(format: str) -> Reason:
    """What a file's name says it is (``declared`` of ``QUAL_004``): a DOCX or
    ODT document, in English and French.

    Examples
    --------
    >>> _declared("docx").fr
    'un document DOCX'
    """
    return Reason(en=f"a {format.upper()} document", fr=f"un document {format.upper()}")


def check_zip_document(
    data: bytes,
    *,
    path: str,
    format: str,
    required: str,
    max_unpacked: int,
    max_ratio: float,
) -> dict[str, bytes]:
    """Zip and XML checks shared by DOCX and ODT; returns every XML part.

    Raises ``QUAL_004`` when the bytes are not a zip or are the other office
    format, ``CORE_010``-``CORE_014`` for a broken zip or a zip bomb (the shared
    checks of :mod:`sociaparis.core.archives`), ``QUAL_008`` when ``required`` is
    missing and ``QUAL_009`` for a part that declares a DTD.
    """
    found = sniff(data)
    if found is None or not data.startswith(b"PK"):
        raise SociaparisError(
            QualError.CONTENT_MISMATCH,
            path=path,
            declared=_declared(format),
            found=found
            or Reason(
                en="not a zip archive (plain text?)",
                fr="autre chose qu'une archive zip (du texte brut ?)",
            ),
        )
    parts = read_zip_parts(
        data,
        path=path,
        format=format.upper(),
        wanted=lambda name: name == "mimetype" or bool(_XML_PART.search(name)),
        max_unpacked=max_unpacked,
        max_ratio=max_ratio,
    )
    if required not in parts:
        if parts.get("mimetype", b"").strip() == ODT_MIMETYPE:
            other = Reason(
                en="an ODT (OpenDocument) document",
                fr="un document ODT (OpenDocument)",
            )
        elif "word/document.xml" in parts:
            other = Reason(en="a Word (DOCX) document", fr="un document Word (DOCX)")
        else:
            other = Reason(
                en="a zip archive that is neither DOCX nor ODT",
                fr="une archive zip qui n'est ni un DOCX ni un ODT",
            )
        raise SociaparisError(
            QualError.CONTENT_MISMATCH,
            path=path,
            declared=_declared(format),
            found=other,
        )
    for name, content in parts.items():
        if name != "mimetype":
            parse_xml(content, path=path, name=name, format=format.upper())
    return parts


def _paragraph_texts(document: docx.document.Document) -> list[str]:
    """Body paragraphs in order, table cells included (merged cells once)."""
    texts: list[str] = []
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            texts.append(item.text)
        elif isinstance(item, Table):
            seen: list[object] = []  # the cell elements themselves (merged cells repeat)
            for row in item.rows:
                for cell in row.cells:
                    if any(cell._tc is other for other in seen):
                        continue
                    seen.append(cell._tc)
                    texts.extend(p.text for p in cell.paragraphs)
    return texts


def read_docx(
    data: bytes,
    *,
    path: str = "document.docx",
    detect_speakers: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_unpacked: int = DEFAULT_MAX_UNPACKED,
    max_ratio: float = DEFAULT_MAX_RATIO,
) -> ImportedDocument:
    """Read the body paragraphs (and table cells) of a Word document.

    Parameters
    ----------
    data
        The ``.docx`` bytes.
    path
        File name for messages and the stored filename.
    detect_speakers
        Treat paragraphs starting with ``"NAME: "`` as speaker turns.
    max_bytes, max_unpacked, max_ratio
        Limits on the file size, the unzipped size and the compression ratio of
        any part (checked before anything is decompressed).

    Returns
    -------
    ImportedDocument
        One paragraph per non-empty Word paragraph.  Headers, footers, footnotes,
        comments and text boxes are not imported.
    """
    check_size(data, path=path, max_bytes=max_bytes)
    check_zip_document(
        data,
        path=path,
        format="docx",
        required="word/document.xml",
        max_unpacked=max_unpacked,
        max_ratio=max_ratio,
    )
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - python-docx raises many kinds
        raise SociaparisError(
            QualError.DOCUMENT_BROKEN, path=path, format="DOCX", reason=str(exc)
        ) from None
    paragraphs = []
    for text in _paragraph_texts(document):
        cleaned = strip_controls(normalize(text))[0].strip()
        if cleaned:
            paragraphs.append(cleaned)
    blocks = blocks_from_paragraphs(paragraphs, detect_speakers=detect_speakers)
    return assemble(blocks, data=data, format="docx", path=path, filename=path)
