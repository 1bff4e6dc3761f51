"""Hostile, broken or mislabelled files: each is refused with its own QUAL code."""

from __future__ import annotations

import codecs
import zipfile

import pytest

from sociaparis.core.errors import SociaparisError
from sociaparis.qual.errors import QualError
from sociaparis.qual.io import read_document
from sociaparis.qual.io._safety import (
    UnreadableValue,
    bounded_int,
    check_seconds,
)
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


HUGE = b"9" * 5000  # Python refuses int() of more than 4300 digits
SRT_CUE = b"1\n%s:00:00,000 --> 00:00:02,000\nBonjour.\n"
NOSCRIBE = b'<html><body><p><a name="ts_%s_1_S00">S00: Bonjour.</a></p></body></html>'
DEEP_HTML = b"<html><body>" + b"<div>" * 200_000 + b"x" + b"</div>" * 200_000


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
    ("none.srt", b"juste du texte\n", "QUAL_012", None),
    ("empty.json", b'{"segments": []}', "QUAL_011", None),
    ("hours.srt", SRT_CUE % HUGE, "QUAL_012", None),
    ("late.srt", SRT_CUE % (b"9" * 300), "QUAL_012", None),
    ("hours.vtt", b"WEBVTT\n\n" + SRT_CUE % HUGE, "QUAL_012", None),
    ("big.json", b'[{"start": %s, "end": 1, "text": "x"}]' % HUGE, "QUAL_010", None),
    (
        "big400.json",
        b'[{"start": %s, "end": 1, "text": "x"}]' % HUGE[:400],
        "QUAL_010",
        None,
    ),
    ("late.json", b'[{"start": 1e300, "end": 1, "text": "x"}]', "QUAL_012", None),
    ("late.html", NOSCRIBE % HUGE[:400], "QUAL_012", None),
    ("deep.html", DEEP_HTML, "QUAL_010", None),
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


def test_messages_for_numbers_and_nesting_say_what_is_wrong() -> None:
    with pytest.raises(SociaparisError) as caught:
        read_document(SRT_CUE % HUGE, filename="h.srt")
    assert "the hour field 999999999999… has 5000 digits (at most 15)" in str(
        caught.value
    )
    with pytest.raises(SociaparisError) as caught:
        read_document(b'[{"start": 1e300, "end": 1, "text": "x"}]', filename="l.json")
    assert "time 1e+300 is past the limit of 3600000 seconds (1,000 hours)" in str(
        caught.value
    )
    with pytest.raises(SociaparisError) as caught:
        read_document(DEEP_HTML, filename="deep.html")
    assert "nested more than 256 levels deep" in caught.value.message


@pytest.mark.parametrize(
    ("call", "en", "fr"),
    [
        (
            lambda: bounded_int(" 0012345678901234567 "),
            "number 001234567890… has 17 digits (at most 15)",
            "le nombre 001234567890… a 17 chiffres (15 au plus)",
        ),
        (
            lambda: check_seconds(-1.5),
            "time -1.5 is negative",
            "l'horodatage -1.5 est négatif",
        ),
        (
            lambda: check_seconds(float("nan")),
            "time nan is not a number of seconds",
            "l'horodatage nan n'est pas un nombre de secondes",
        ),
    ],
)
def test_a_bad_number_says_why_in_english_and_french(call, en, fr) -> None:
    """A ``ValueError`` (the readers catch it as such) that carries its reason."""
    with pytest.raises(ValueError) as caught:
        call()
    assert type(caught.value) is UnreadableValue
    assert (str(caught.value), caught.value.reason.fr) == (en, fr)


def test_a_late_cue_is_skipped_and_the_others_kept() -> None:
    srt = b"1\n00:00:00,000 --> 00:00:01,000\nBonjour.\n\n" + SRT_CUE.replace(
        b"1\n", b"2\n", 1
    ) % (b"9" * 300)
    doc = read_document(srt, filename="t.srt")
    assert doc.text == "Bonjour."
    assert [w.code for w in doc.warnings] == ["QUAL_021"]
    assert doc.warnings[0].location.row == 5


def test_html_past_the_depth_limit_is_not_imported_in_part() -> None:
    """The parser stops at the limit and keeps what came before: refused, not cut."""
    page = NOSCRIBE.replace(b"</body>", b"<div>" * 300 + b"suite" + b"</div>" * 300)
    with pytest.raises(SociaparisError) as caught:
        read_document(page % b"0", filename="t.html")
    assert caught.value.code == "QUAL_010"


def test_one_hardened_parser_configuration() -> None:
    """lxml parsers are built in one place, ``_safety`` (no DTD, entities, network)."""
    import ast
    from pathlib import Path

    import sociaparis

    builders = {"XMLParser", "HTMLParser", "XMLPullParser", "iterparse"}
    found = []
    for path in Path(sociaparis.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr in builders:
                    found.append(path.name)
    assert sorted(found) == ["_safety.py", "_safety.py"]


def test_cli_says_what_is_wrong_without_a_traceback(tmp_path) -> None:
    from click.testing import CliRunner

    from sociaparis.cli import cli

    for name, data in (("h.srt", SRT_CUE % HUGE), ("deep.html", DEEP_HTML)):
        (tmp_path / name).write_bytes(data)
        result = CliRunner().invoke(cli, ["qual", "read", str(tmp_path / name)])
        assert result.exit_code == 1
        assert result.output.startswith("Error: QUAL_01"), result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
