"""Uploads as pure checks: magic bytes, accept lists, stored names, sweeping."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from sociaparis.survey.fielding.uploads import (
    Refused,
    UploadLimits,
    accept_attribute,
    accepts,
    answer_files,
    delete_response_files,
    size_text,
    sniff,
    store_file,
    stored_path,
    sweep_response,
)
from sociaparis.survey.instrument import Question
from sociaparis.survey.xlsform import parse_xlsform


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "suffix", "mime"),
    [
        (b"\xff\xd8\xff\xe0" + b"\x00" * 20, "", "image/jpeg"),
        (_png(), "", "image/png"),
        (b"GIF89a" + b"\x00" * 10, "", "image/gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "", "image/webp"),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "", "audio/wav"),
        (b"ID3\x04\x00", "", "audio/mpeg"),
        (b"OggS\x00\x02", "", "audio/ogg"),
        (b"\x00\x00\x00\x20ftypM4A \x00", "", "audio/mp4"),
        (b"\x00\x00\x00\x20ftypisom\x00", "", "video/mp4"),
        (b"\x00\x00\x00\x14ftypqt  \x00", "", "video/quicktime"),
        (b"\x00\x00\x00\x18ftypheic\x00", "", None),  # no decoder to strip it
        (b"\x1a\x45\xdf\xa3\x01", "", "video/webm"),
        (b"%PDF-1.7\n", "", "application/pdf"),
        (
            b"PK\x03\x04\x14\x00",
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (b"PK\x03\x04\x14\x00", "exe", "application/zip"),
        ("Des notes, à lire.\n".encode(), "", "text/plain"),
        (b"MZ\x90\x00\x03\x00", "exe", None),
        (b"\x7fELF\x02\x01", "", None),
        (b"text with a NUL\x00", "", None),
    ],
)
def test_sniff_reads_the_content_never_the_name(data, suffix, mime) -> None:
    assert sniff(data, suffix) == mime


@pytest.mark.parametrize(
    ("kind", "accept", "mime", "taken"),
    [
        ("image", "", "image/png", True),
        ("image", "", "application/pdf", False),
        ("image", "image/png", "image/jpeg", False),
        ("image", ".jpg,.jpeg", "image/jpeg", True),
        ("audio", "", "audio/mpeg", True),
        ("audio", "", "video/mp4", False),
        ("video", "", "video/webm", True),
        ("file", "", "application/pdf", True),
        ("file", ".pdf", "text/plain", False),
        ("file", "application/pdf, .txt", "text/plain", True),
        ("file", "image/*", "image/gif", True),
    ],
)
def test_the_question_type_then_the_form_accept_list(kind, accept, mime, taken) -> None:
    question = Question("f", kind, parameters={"accept": accept} if accept else {})
    assert accepts(question, mime) is taken


def test_the_input_accept_attribute() -> None:
    assert (
        accept_attribute(Question("f", "file", parameters={"accept": ".pdf"})) == ".pdf"
    )
    assert accept_attribute(Question("f", "audio")) == "audio/*"
    assert accept_attribute(Question("f", "file")) == ""


@pytest.mark.parametrize(
    ("size", "text"), [(10_000_000, "10 MB"), (2_500_000, "2.5 MB"), (500, "0.5 kB")]
)
def test_size_text(size: int, text: str) -> None:
    assert size_text(size) == text


FORM = """
| survey |
| | type | name | label |
| | image | photo | Photo |
| | begin repeat | tool | Tool |
| | file | doc | Doc |
| | end repeat | | |
"""


def test_stored_files_swept_when_no_answer_names_them(tmp_path: Path) -> None:
    instrument = parse_xlsform(FORM.encode(), filename="f.md").instrument
    limits = UploadLimits(tmp_path, min_free_bytes=0)
    photo = store_file(
        limits,
        question=instrument.item("photo"),
        response_id="r1",
        form_id="f",
        data=_png(),
    )
    doc = store_file(
        limits,
        question=instrument.item("doc"),
        response_id="r1",
        form_id="f",
        data=b"%PDF-1.4\n",
    )
    old = store_file(
        limits,
        question=instrument.item("doc"),
        response_id="r1",
        form_id="f",
        data=b"%PDF-1.4\n",
    )
    answers = {"photo": photo, "tool": [{"doc": doc}, {"doc": ""}]}
    assert answer_files(instrument, answers) == {photo, doc}
    assert (
        sweep_response(limits, instrument=instrument, response_id="r1", answers=answers)
        == 1
    )
    assert stored_path(limits, "r1", old) is None
    assert stored_path(limits, "r1", doc) is not None
    assert stored_path(limits, "r2", doc) is None  # another response's name
    assert delete_response_files(limits, "r1") == 2
    assert not (tmp_path / "uploads" / "r1").exists()


def test_a_response_id_is_never_a_path(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a response id"):
        stored_path(UploadLimits(tmp_path), "../x", "0" * 32 + ".jpg")


def test_a_refusal_says_why(tmp_path: Path) -> None:
    limits = UploadLimits(tmp_path, max_bytes=10, min_free_bytes=0)
    with pytest.raises(Refused) as info:
        store_file(
            limits,
            question=Question("p", "image"),
            response_id="r",
            form_id="f",
            data=_png(),
        )
    assert (info.value.key, info.value.context) == ("upload_size", {"limit": "0.01 kB"})


def test_a_synthetic_respondent_sends_no_file() -> None:
    import random

    from sociaparis.survey.synthetic import synthetic_answers

    md = FORM.replace(
        "| | image | photo | Photo |", "| | image | photo | Photo |\n| | text | t | T |"
    )
    instrument = parse_xlsform(md.encode(), filename="f.md").instrument
    for seed in range(5):
        answers = synthetic_answers(instrument, rng=random.Random(seed))
        assert answers.get("photo", "") == ""
        assert all(row.get("doc", "") == "" for row in answers.get("tool", []))


NESTED_FORM = """
| survey |
| | type         | name   | label  |
| | begin repeat | site   | Site   |
| | text         | where  | Where  |
| | begin repeat | camera | Camera |
| | image        | shot   | Shot   |
| | end repeat   |        |        |
| | end repeat   |        |        |
"""


def test_files_inside_nested_repeats_are_found() -> None:
    instrument = parse_xlsform(NESTED_FORM.encode(), filename="f.md").instrument
    answers = {
        "site": [
            {"where": "a", "camera": [{"shot": "1.png"}, {"shot": ""}]},
            {"where": "b", "camera": [{"shot": "2.jpg"}]},
            {"where": "c"},
        ]
    }
    assert answer_files(instrument, answers) == {"1.png", "2.jpg"}
