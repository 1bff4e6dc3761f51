"""Builders of small document files, written in the tests (no binary fixtures)."""

from __future__ import annotations

import io
import zipfile
from types import SimpleNamespace
from xml.sax.saxutils import escape

import docx
import pytest

ODT_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
)


def make_docx(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    """A DOCX written by python-docx with these paragraphs (and an optional table)."""
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_zip(
    parts: dict[str, bytes | str], *, compression: int = zipfile.ZIP_DEFLATED
) -> bytes:
    """A zip archive holding these parts (``mimetype`` first and stored, as ODF wants)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in parts.items():
            data = content.encode() if isinstance(content, str) else content
            method = zipfile.ZIP_STORED if name == "mimetype" else compression
            archive.writestr(name, data, compress_type=method)
    return buffer.getvalue()


def odt_content(body_xml: str, *, prolog: str = "") -> str:
    """A content.xml with this office:text body."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}'
        f"<office:document-content {ODT_NS}><office:body><office:text>"
        f"{body_xml}</office:text></office:body></office:document-content>"
    )


def make_odt(
    paragraphs: list[str] | None = None, *, body_xml: str | None = None
) -> bytes:
    """An ODT with these paragraphs (escaped) or this raw body XML."""
    if body_xml is None:
        body_xml = "".join(f"<text:p>{escape(p)}</text:p>" for p in paragraphs or [])
    return make_zip(
        {
            "mimetype": "application/vnd.oasis.opendocument.text",
            "content.xml": odt_content(body_xml),
            "META-INF/manifest.xml": '<?xml version="1.0" encoding="UTF-8"?><manifest/>',
        }
    )


def replace_part(archive_bytes: bytes, name: str, content: bytes | str) -> bytes:
    """A copy of a zip with one part replaced (or added)."""
    parts: dict[str, bytes | str] = {}
    with zipfile.ZipFile(io.BytesIO(archive_bytes)) as archive:
        for info in archive.infolist():
            parts[info.filename] = archive.read(info)
    parts[name] = content
    return make_zip(parts)


@pytest.fixture
def build() -> SimpleNamespace:
    """The builders, as one fixture."""
    return SimpleNamespace(
        docx=make_docx,
        odt=make_odt,
        zip=make_zip,
        odt_content=odt_content,
        replace=replace_part,
    )
