"""Quote location: exact, then tolerant of whitespace and typography only,
always at exact offsets of the stored text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sociaparis.assist.briefs import Rejection
from sociaparis.assist.locate import (
    DocumentIndex,
    Proposed,
    check_passages,
    code_names,
)

TEXT = (
    "Enquêtrice : Vous utilisez l’outil\u00a0?\n\n"
    "S01 : Oui, « Albert » m’aide pour les courriers.\nJe relis   tout — "
    "toujours… C’est l’outil de la direction.\n\n"
    "S02 : Et l’outil de la direction ? Pas pour moi."
)


@pytest.mark.parametrize(
    ("quote", "expected"),
    [
        # exact
        ("m’aide pour les courriers", "m’aide pour les courriers"),
        # apostrophes, guillemets, line breaks, runs of spaces, dashes, ellipsis
        ("m'aide pour les courriers", "m’aide pour les courriers"),
        ('"Albert" m\'aide', "« Albert » m’aide"),
        (
            "courriers. Je relis tout - toujours...",
            "courriers.\nJe relis   tout — toujours…",
        ),
        # the French space before "?" may be dropped, a non-breaking one kept
        ("Vous utilisez l'outil?", "Vous utilisez l’outil\u00a0?"),
        ("Vous utilisez l'outil ?", "Vous utilisez l’outil\u00a0?"),
        # surrounding whitespace and a leading or trailing ellipsis are not the quote
        ("  Pas pour moi.  ", "Pas pour moi."),
        ("… Je relis tout", "Je relis   tout"),
        ("Pas pour moi [...]", "Pas pour moi"),
        # nor the quotation marks a model wraps it in
        ('"Je relis tout - toujours..."', "Je relis   tout — toujours…"),
        ("« … Pas pour moi. »", "Pas pour moi."),
        # but quotation marks of the text itself are kept when they are there
        ('"Albert"', "« Albert »"),
    ],
)
def test_a_quote_is_found_at_exact_offsets(quote: str, expected: str) -> None:
    index = DocumentIndex(TEXT)
    start, end = index.locate(quote)  # type: ignore[misc]
    assert TEXT[start:end] == expected
    assert TEXT.index(expected) == start


@pytest.mark.parametrize(
    ("quote", "reason"),
    [
        ("", "empty_quote"),
        ("   \n", "empty_quote"),
        ("Albert m'aide pour tous les courriers", "not_in_text"),  # a word added
        ("M'AIDE POUR LES COURRIERS", "not_in_text"),  # case is the model's copy
        ("m'aidé pour les courriers", "not_in_text"),  # accents too
        ("l'outil de la direction", "ambiguous"),  # in S01's turn and in S02's
        ("Pas pour moi", (TEXT.index("Pas pour moi"), TEXT.index("Pas pour moi") + 12)),
    ],
)
def test_what_is_not_found_once_says_why(quote: str, reason: object) -> None:
    assert DocumentIndex(TEXT).locate(quote) == reason


def test_an_ambiguous_quote_is_taken_inside_the_chunk_the_model_saw() -> None:
    index = DocumentIndex(TEXT)
    second = TEXT.index("S02")
    found = index.locate("l'outil de la direction", within=(second, len(TEXT)))
    assert found == (TEXT.rindex("l’outil"), TEXT.rindex("l’outil") + 23)
    # both occurrences inside the chunk: still ambiguous
    assert index.locate("l'outil de la direction", within=(0, len(TEXT))) == "ambiguous"


def test_checked_passages_keep_the_codebook_spelling_and_reject_unknown_codes() -> None:
    codes = code_names(["Outils numériques", "Confiance"])
    proposed = [
        Proposed("outils  numériques", "« Albert » m’aide", "un outil"),
        Proposed("Méfiance", "Pas pour moi.", "refus"),
        Proposed("Confiance", "Je relis tout, toujours", "contrôle"),
    ]
    found, rejected = check_passages(DocumentIndex(TEXT), proposed, codes)
    assert [(s.code, TEXT[s.start : s.end] == s.quote, s.rationale) for s in found] == [
        ("Outils numériques", True, "un outil")
    ]
    assert rejected == [
        Rejection("Méfiance", "Pas pour moi.", "unknown_code"),
        Rejection("Confiance", "Je relis tout, toujours", "not_in_text"),
    ]


def test_codes_differing_only_by_case_need_the_exact_spelling() -> None:
    codes = code_names(["Usage", "usage"])
    assert codes.get("Usage") == "Usage" and codes.get("usage") == "usage"
    assert "USAGE" not in codes and "usage " not in codes


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["l’avis", "aujourd’hui", "«", "»", "oui", "—", "dit"]),
            st.sampled_from([" ", "\n", "\u00a0", "\u202f", "  ", "\n\n", "\t"]),
        ),
        min_size=3,
        max_size=40,
    ),
    st.data(),
)
def test_a_quote_retyped_by_a_model_maps_back_to_the_original_span(
    words: list[tuple[str, str]], data: st.DataObject
) -> None:
    # every word is made unique, so the span is unique too (two digits: "avis1"
    # must not also be found at the start of "avis10")
    tokens = [f"{word}{k:02d}" for k, (word, _sep) in enumerate(words)]
    pieces, starts, ends = [], [], []
    position = 0
    for token, (_word, sep) in zip(tokens, words, strict=True):
        starts.append(position)
        ends.append(position + len(token))
        pieces.append(token + sep)
        position += len(token) + len(sep)
    text = "".join(pieces)
    first = data.draw(st.integers(0, len(tokens) - 1))
    last = data.draw(st.integers(first, len(tokens) - 1))
    retyped = " ".join(tokens[first : last + 1]).replace("’", "'").replace("—", "-")
    retyped = retyped.replace("«", '"').replace("»", '"')
    found = DocumentIndex(text).locate(retyped)
    assert found == (starts[first], ends[last])
