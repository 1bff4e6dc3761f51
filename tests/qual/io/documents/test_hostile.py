"""Hostile, broken or mislabelled files: each is refused with its own QUAL code."""

from __future__ import annotations

import codecs
import zipfile

import pytest

from sociaparis.core.errors import SociaparisError
from sociaparis.qual.errors import QualError
from sociaparis.qual.io import read_document
from sociaparis.qual.io.docx import read_docx
from sociaparis.qual.io.odt import read_odt

from .conftest import make_docx, make_odt, make_zip, odt_content, replace_part

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)
DOCX = make_docx(["Bonjour."])
ODT = make_odt(["Bonjour."])
ZEROS = b"\0" * (3 * 1024 * 1024)


def docx_bomb() -> bytes:
    """A DOCX with a 3 MB part of zeros (compresses about 1000 to 1)."""
    return replace_part(DOCX, "word/media/bomb.bin", ZEROS)


def docx_with_dtd() -> bytes:
    body = '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    paragraph = "<w:body><w:p><w:r><w:t>&lol3;</w:t></w:r></w:p></w:body>"
    xml = f"{BILLION_LAUGHS}{body}{paragraph}</w:document>"
    return replace_part(DOCX, "word/document.xml", xml)


def odt_with_dtd() -> bytes:
    content = odt_content("<text:p>&lol3;</text:p>", prolog=BILLION_LAUGHS[21:])
    return replace_part(ODT, "content.xml", content)


# (filename, bytes, expected code, expected message or None)
CASES = [
    ("vide.txt", b"", "QUAL_002", QualError.EMPTY_DOCUMENT.format(path="vide.txt")),
    ("blanc.md", b" \n\t\r\n", "QUAL_002", None),
    ("vide.vtt", b"", "QUAL_002", None),
    ("vide.docx", b"", "QUAL_002", None),
    ("bom.txt", codecs.BOM_UTF8 + b"\n \n", "QUAL_002", None),
    ("empty.docx", make_docx([" ", ""]), "QUAL_002", None),
    ("nul.txt", b"abc\x00def", "QUAL_003", None),
    ("utf16-sans-bom.txt", "é à".encode("utf-16-le"), "QUAL_003", None),
    ("surrogate.txt", codecs.BOM_UTF16_LE + b"\x00\xd8", "QUAL_003", None),
    (
        "entretien.txt",
        DOCX,
        "QUAL_004",
        QualError.CONTENT_MISMATCH.format(
            path="entretien.txt",
            declared="a txt text file",
            found="a zip archive (DOCX, ODT…)",
        ),
    ),
    ("rapport.txt", b"%PDF-1.7\n...", "QUAL_004", None),
    ("old.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "QUAL_004", None),
    ("texte.docx", b"Bonjour, ceci est du texte.", "QUAL_004", None),
    (
        "a.docx",
        ODT,
        "QUAL_004",
        QualError.CONTENT_MISMATCH.format(
            path="a.docx",
            declared="a DOCX document",
            found="an ODT (OpenDocument) document",
        ),
    ),
    ("a.odt", DOCX, "QUAL_004", None),
    ("a.odt", make_zip({"x.txt": "x"}), "QUAL_004", None),
    ("s.vtt", b"1\n00:00:01,000 --> 00:00:02,000\nhello\n", "QUAL_004", None),
    ("s.srt", b"WEBVTT\n\n00:01.000 --> 00:02.000\nhello\n", "QUAL_004", None),
    ("audio.json", b"ID3\x03\x00rest", "QUAL_004", None),
    ("page.html", b"no tags at all", "QUAL_004", None),
    ("x.pdf", b"%PDF-1.7", "QUAL_005", None),
    ("sans-extension", b"texte", "QUAL_005", None),
    ("bomb.docx", docx_bomb(), "CORE_014", None),
    ("broken.docx", b"PK\x03\x04" + b"garbage" * 20, "CORE_010", None),
    ("lol.docx", docx_with_dtd(), "QUAL_009", None),
    ("lol.odt", odt_with_dtd(), "QUAL_009", None),
    (
        "lol.html",
        f"{BILLION_LAUGHS[21:]}<html><body><p>&lol3;</p></body></html>".encode(),
        "QUAL_009",
        None,
    ),
    (
        "bad.odt",
        replace_part(ODT, "content.xml", "<office:document-content"),
        "QUAL_008",
        None,
    ),
    ("bad.json", b'{"segments": [', "QUAL_010", None),
    ("deep.json", b"[" * 100_000 + b"]" * 100_000, "QUAL_010", None),
    ("list.json", b'{"text": "sans segments"}', "QUAL_010", None),
    ("nohead.vtt", b"00:01.000 --> 00:02.000\nhello\n", "QUAL_010", None),
    ("cues.vtt", b"WEBVTT\n\nNOTE rien\n", "QUAL_011", None),
    ("none.srt", b"juste du texte\n", "QUAL_011", None),
    ("empty.json", b'{"segments": []}', "QUAL_011", None),
]


@pytest.mark.parametrize(
    ("filename", "data", "code", "message"), CASES, ids=[f"{c[2]}-{c[0]}" for c in CASES]
)
def test_refused(filename: str, data: bytes, code: str, message: str | None) -> None:
    with pytest.raises(SociaparisError) as caught:
        read_document(data, filename=filename)
    assert caught.value.code == code, caught.value.message
    if message is not None:
        assert caught.value.message == message


def test_size_limit_is_a_parameter(tmp_path) -> None:
    data = b"x" * 2000
    with pytest.raises(SociaparisError) as caught:
        read_document(data, filename="gros.txt", max_bytes=1000)
    assert caught.value.code == "QUAL_001"
    assert caught.value.message == QualError.FILE_TOO_LARGE.format(
        path="gros.txt", size=2000, limit=1000
    )
    assert read_document(data, filename="gros.txt", max_bytes=2000).text == "x" * 2000
    path = tmp_path / "gros.vtt"
    path.write_bytes(data)
    with pytest.raises(SociaparisError, match="QUAL_001"):
        read_document(path, max_bytes=1000)


def test_unpacked_size_limit() -> None:
    with pytest.raises(SociaparisError) as caught:
        read_docx(DOCX, path="a.docx", max_unpacked=1000)
    assert caught.value.code == "CORE_013"
    with pytest.raises(SociaparisError, match="CORE_013"):
        read_odt(ODT, path="a.odt", max_unpacked=100)


def test_ratio_limit_is_checked_before_decompressing() -> None:
    # a stored (uncompressed) 3 MB part has ratio 1: accepted
    stored = make_zip(
        {**_parts(DOCX), "word/media/zeros.bin": ZEROS}, compression=zipfile.ZIP_STORED
    )
    assert read_docx(stored, path="ok.docx").text == "Bonjour."
    with pytest.raises(SociaparisError) as caught:
        read_docx(docx_bomb(), path="bomb.docx")
    assert caught.value.context["name"] == "word/media/bomb.bin"
    assert caught.value.context["ratio"] > 100
    assert read_docx(docx_bomb(), path="b.docx", max_ratio=10_000).text == "Bonjour."


def _parts(archive: bytes) -> dict[str, bytes]:
    import io

    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        return {info.filename: opened.read(info) for info in opened.infolist()}


@pytest.mark.parametrize(
    ("count", "spaces"), [("3", 3), ("x", 1), ("-4", 0), ("999999999", 1000)]
)
def test_odt_space_counts_are_bounded(count: str, spaces: int) -> None:
    body = f"<text:p>a<text:s text:c='{count}'/>b</text:p>"
    doc = read_document(make_odt(body_xml=body), filename="s.odt")
    assert doc.text == "a" + " " * spaces + "b"
