"""ImportedDocument assembly: NFC text, separators, and exact code-point offsets."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sociaparis.core.errors import SociaparisError
from sociaparis.qual.document import (
    BLOCK_SEPARATOR,
    Block,
    assemble,
    blocks_from_paragraphs,
    merge_turns,
    split_label,
)


def build(blocks: list[Block]):
    return assemble(blocks, data=b"source", format="txt", path="t.txt")


def test_layout_and_offsets() -> None:
    doc = build(
        [
            Block("Titre"),
            Block("cafe\u0301 🙂", speaker="S01", start_s=0.0, end_s=1.5, prefix="S01: "),
            Block("  ", speaker="S02"),  # empty: dropped
            Block("Un\n\nDeux", speaker="Enquêtrice", prefix="Enquêtrice : "),
        ]
    )
    assert BLOCK_SEPARATOR == "\n\n"
    assert doc.text == "Titre\n\nS01: café 🙂\n\nEnquêtrice : Un\n\nDeux"
    # "Titre" 5 + "\n\n" 2 + "S01: " 5 = 12; "café 🙂" is 6 code points after NFC
    assert [(t.speaker, t.start, t.end) for t in doc.turns] == [
        ("S01", 12, 18),
        ("Enquêtrice", 33, 41),
    ]
    assert doc.turn_text(0) == "café 🙂"
    assert doc.turn_text(1) == "Un\n\nDeux"
    # the last turn spans two paragraphs: "Enquêtrice : Un" and "Deux"
    assert doc.paragraphs == ((0, 5), (7, 18), (20, 35), (37, 41))
    assert doc.turns[0].start_s == 0.0 and doc.turns[0].end_s == 1.5


def test_sha256_is_of_the_source_bytes() -> None:
    import hashlib

    assert build([Block("x")]).sha256 == hashlib.sha256(b"source").hexdigest()


def test_nothing_left_is_an_error() -> None:
    with pytest.raises(SociaparisError, match="QUAL_002"):
        build([Block(" \n "), Block("")])


LABELS = [
    ("Enquêtrice : Bonjour", ("Enquêtrice", "Enquêtrice : ", "Bonjour")),
    ("S01: oui", ("S01", "S01: ", "oui")),
    ("M. Dupont\u00a0: oui", ("M. Dupont", "M. Dupont\u00a0: ", "oui")),
    ("Jean-Marc Le Goff: oui", ("Jean-Marc Le Goff", "Jean-Marc Le Goff: ", "oui")),
    ("[SPEAKER_00]: yes", ("SPEAKER_00", "[SPEAKER_00]: ", "yes")),
    ("Il a dit qu'on verrait: non", (None, "", "Il a dit qu'on verrait: non")),
    ("12: chiffre", (None, "", "12: chiffre")),
    ("Note:", (None, "", "Note:")),
    ("Heure 10:30 ok", (None, "", "Heure 10:30 ok")),
]


@pytest.mark.parametrize(("paragraph", "expected"), LABELS)
def test_split_label(paragraph: str, expected: tuple) -> None:
    assert split_label(paragraph) == expected


def test_blocks_from_paragraphs_groups_continuations() -> None:
    blocks = blocks_from_paragraphs(
        ["Intro", "A: un", "suite", "B: deux"], detect_speakers=True
    )
    assert [(b.speaker, b.text) for b in blocks] == [
        (None, "Intro"),
        ("A", "un\n\nsuite"),
        ("B", "deux"),
    ]
    plain = blocks_from_paragraphs(["A: un"], detect_speakers=False)
    assert [(b.speaker, b.text) for b in plain] == [(None, "A: un")]


def test_merge_turns() -> None:
    blocks = [
        Block("a", "S1", 0.0, 1.0, "S1: "),
        Block("b", "S1", 1.0, 2.0, "S1: "),
        Block("c", None, 2.0, 3.0),
        Block("d", None, 3.0, 4.0),
        Block("e", "S2", 4.0, 5.0, "S2: "),
    ]
    assert [(b.speaker, b.text, b.start_s, b.end_s) for b in merge_turns(blocks)] == [
        ("S1", "a b", 0.0, 2.0),
        (None, "c", 2.0, 3.0),
        (None, "d", 3.0, 4.0),
        ("S2", "e", 4.0, 5.0),
    ]


# Text with accents, emoji (astral), combining marks NFC composes or keeps, CJK.
ALPHABET = st.sampled_from(
    list("abcéèàçœ ")
    + ["e\u0301", "o\u0308", "🙂", "👩‍💻", "\u0301", "中", "’", "\n", "\u00a0"]
)
TEXTS = st.lists(ALPHABET, min_size=0, max_size=30).map("".join)
SPEAKERS = st.one_of(st.none(), st.sampled_from(["S00", "SPEAKER_01", "Élodie"]))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(TEXTS, SPEAKERS), min_size=1, max_size=6))
def test_offsets_always_point_at_the_turn_text(items) -> None:
    blocks = [
        Block(
            text,
            speaker,
            0.0 if speaker else None,
            None,
            f"{speaker}: " if speaker else "",
        )
        for text, speaker in items
    ]
    expected = [
        (speaker, unicodedata.normalize("NFC", text).strip())
        for text, speaker in items
        if unicodedata.normalize("NFC", text).strip()
    ]
    if not expected:
        with pytest.raises(SociaparisError):
            build(blocks)
        return
    doc = build(blocks)
    assert unicodedata.is_normalized("NFC", doc.text)
    turns = [(speaker, text) for speaker, text in expected if speaker]
    got = [(t.speaker, doc.text[t.start : t.end]) for t in doc.turns]
    # paragraph breaks inside a turn are normalized to one blank line
    assert [s for s, _ in got] == [s for s, _ in turns]
    for (_, text), (_, found) in zip(turns, got, strict=True):
        assert found.split() == text.split()
    for start, end in doc.paragraphs:
        assert doc.text[start:end] and not doc.text[start:end].startswith(("\n", " "))


def test_every_reader_error_code_is_documented() -> None:
    from pathlib import Path

    from sociaparis.qual.errors import QualError

    docs = (Path(__file__).resolve().parents[2] / "docs" / "documents.md").read_text()
    mine = [e.code for e in QualError if int(e.code.split("_")[1]) < 50]
    assert len(mine) >= 13  # the zip codes are CORE_01x (sociaparis.core.archives)
    assert [code for code in mine if f"`{code}`" not in docs] == []
