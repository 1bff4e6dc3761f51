"""Long documents: pieces cut at paragraph boundaries give the same result as the
whole text, memory stays bounded, progress is reported, phrase matching scales."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.pseudonymization_memory import TARGET_MB, interview_text, measure
from sociaparis.qual.pseudonymization import PseudonymizationConfig, pseudonymize
from sociaparis.qual.pseudonymization.chunks import chunks
from sociaparis.qual.pseudonymization.evaluation import parse_annotated
from sociaparis.qual.pseudonymization.files import read_text
from sociaparis.qual.pseudonymization.text import FoldedText, PhraseMatcher, fold

DATA = Path(__file__).parent / "data" / "pseudonymization"


@pytest.mark.parametrize(
    ("text", "size", "pieces"),
    [
        ("court", 20, ["court"]),
        # a blank line in the second half wins over a line end and a sentence
        ("0123456789 Ab. Cd\nef\n\nGh", 23, ["0123456789 Ab. Cd\nef\n\n", "Gh"]),
        # then a line end, then a sentence, then a space
        ("Un deux.\ntrois quatre cinq", 14, ["Un deux.\n", "trois quatre ", "cinq"]),
        ("Un deux. Trois quatre", 12, ["Un deux. ", "Trois quatre"]),
        # no place to cut: a hard cut, never before a combining accent
        ("abcdefghij", 4, ["abcd", "efgh", "ij"]),
        ("abce\u0301fgh", 4, ["abc", "e\u0301fg", "h"]),
        ("", 10, []),
    ],
)  # fmt: skip
def test_chunks_cut_at_the_best_boundary(text: str, size: int, pieces: list[str]) -> None:
    spans = list(chunks(text, size))
    assert [text[start:end] for start, end in spans] == pieces
    assert all(end - start <= size for start, end in spans)


@given(st.text(alphabet="ab .\n", max_size=300), st.integers(min_value=2, max_value=40))
def test_chunks_cover_the_text_exactly(text: str, size: int) -> None:
    spans = list(chunks(text, size))
    assert "".join(text[start:end] for start, end in spans) == text
    assert all(0 < end - start <= size for start, end in spans)


def test_chunks_refuse_a_size_below_two() -> None:
    with pytest.raises(ValueError, match="at least 2 characters, not 1"):
        list(chunks("abc", 1))


def _interviews() -> str:
    texts = [
        parse_annotated(read_text(DATA / name))[0]
        for name in ("annotated.txt", "annotated_2.txt")
    ]
    # a name first met in one paragraph, then in lower case or alone far away
    texts.append("Karim Benali est arrivé.\n\nMme Garnier aussi.")
    texts.append("Plus tard, karim et garnier ont parlé à Karim. Benali a noté.")
    return "\n\n".join(texts)


@pytest.mark.parametrize("use_ner", [True, False])
def test_pieces_give_the_result_of_the_whole_text(use_ner: bool) -> None:
    text = _interviews()
    whole = PseudonymizationConfig(use_ner=use_ner)
    assert len(text) < whole.chunk_chars
    pieces = PseudonymizationConfig(use_ner=use_ner, chunk_chars=500)
    cuts = [end for _, end in chunks(text, pieces.chunk_chars)][:-1]
    assert len(cuts) > 5
    assert all(text[cut - 2 : cut] == "\n\n" for cut in cuts)  # between paragraphs
    one, many = pseudonymize(text, config=whole), pseudonymize(text, config=pieces)
    assert [r.to_dict() for r in many.replacements] == [
        r.to_dict() for r in one.replacements
    ]
    assert many.text == one.text
    assert many.table == one.table
    replaced = {r.original for r in many.replacements}
    assert {"karim", "garnier", "Benali"} <= replaced


def test_progress_reports_each_piece_of_each_step() -> None:
    text = "Mme Durand parle.\n\n" * 40
    calls: list[tuple[int, int, str]] = []
    config = PseudonymizationConfig(use_ner=False, chunk_chars=100)
    pseudonymize(text, config=config, progress=lambda *call: calls.append(call))
    pieces = len(list(chunks(text, 100)))
    steps = ["Detecting entities"] * pieces + ["Finding other occurrences"] * pieces
    assert [what for _, _, what in calls] == steps
    assert {total for _, total, _ in calls} == {len(text)}
    assert calls[pieces - 1][0] == calls[-1][0] == len(text)
    dones = [done for done, _, _ in calls[:pieces]]
    assert dones == sorted(dones)


def _alternation(phrases: list[str]) -> re.Pattern[str]:
    """The one-branch-per-phrase expression, longest first (the reference)."""
    keys = sorted({fold(p) for p in phrases if fold(p)}, key=lambda k: (-len(k), k))
    body = "|".join(r"\s+".join(map(re.escape, key.split(" "))) for key in keys)
    return re.compile(rf"(?<![\w])(?:{body})(?![\w])")


@settings(max_examples=300)
@given(
    st.lists(st.text(alphabet="ab -'é", min_size=1, max_size=6), min_size=1, max_size=8),
    st.text(alphabet="abAB -'é\n", max_size=60),
)
def test_the_phrase_trie_matches_as_the_alternation_does(
    phrases: list[str], text: str
) -> None:
    folded = FoldedText.of(text)
    expected = (
        [
            folded.span(m.start(), m.end())
            for m in _alternation(phrases).finditer(folded.folded)
        ]
        if any(fold(p) for p in phrases)
        else []
    )
    found = [(start, end) for start, end, _ in PhraseMatcher(phrases).finditer(folded)]
    assert found == expected


def test_interview_text_is_reproducible_and_sized() -> None:
    text = interview_text(5_000)
    assert text == interview_text(5_000)
    assert 5_000 <= len(text) < 6_500
    assert "\n\nAgent : " in text and "@paris.fr" in text


@pytest.mark.slow
def test_a_megabyte_document_stays_within_the_memory_bound() -> None:
    # a fresh process: its peak resident memory after the model is loaded,
    # minus its memory before the document was generated
    figures = measure(1_000_000)
    assert figures["replacements"] > 3_000
    assert figures["document_mb"] < TARGET_MB
