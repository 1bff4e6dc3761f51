"""Chunks of long documents, and the tolerant reading of a model's JSON."""

from __future__ import annotations

import json

import pytest

from sociaparis.assist.answers import (
    UnusableAnswer,
    message_content,
    parse_code_proposals,
    parse_passages,
)
from sociaparis.assist.briefs import Rejection, Suggestion
from sociaparis.assist.chunks import chunk_text, merge_results
from sociaparis.assist.locate import Proposed


def _words(text: str, start: int, end: int) -> list[str]:
    return text[start:end].split()


def test_chunks_overlap_and_cover_every_word() -> None:
    text = " ".join(f"w{i}" for i in range(1000))
    chunks = chunk_text(text, words=300, overlap=30)
    assert chunks[0].start == 0 and chunks[-1].end == len(text)
    covered = [w for c in chunks for w in _words(text, c.start, c.end)]
    assert set(covered) == set(text.split())
    for before, after in zip(chunks, chunks[1:], strict=False):
        shared = set(_words(text, before.start, before.end)) & set(
            _words(text, after.start, after.end)
        )
        assert len(shared) == 30
    assert all(len(_words(text, c.start, c.end)) <= 300 for c in chunks)


def test_chunks_end_where_a_turn_begins() -> None:
    turns_text = [
        f"S{k % 2}: " + " ".join(f"t{k}w{i}" for i in range(70)) for k in range(10)
    ]
    text = "\n\n".join(turns_text)
    turns = []
    position = 0
    for turn in turns_text:
        turns.append((position + 4, position + len(turn)))
        position += len(turn) + 2
    chunks = chunk_text(text, words=200, overlap=20, turns=turns)
    assert len(chunks) > 1
    for chunk in chunks[:-1]:
        # each chunk but the last ends at the end of a paragraph (a turn)
        assert text[chunk.end : chunk.end + 2] == "\n\n"


def test_a_short_text_is_one_chunk() -> None:
    assert [(c.start, c.end) for c in chunk_text("a b c", words=50, overlap=5)] == [
        (0, 5)
    ]
    with pytest.raises(ValueError, match="under half"):
        chunk_text("a b c", words=10, overlap=5)


def test_overlapping_chunks_merge_the_same_suggestion_once() -> None:
    first = Suggestion("A", 10, 20, "x" * 10, "first")
    again = Suggestion("A", 10, 20, "x" * 10, "second")
    other_code = Suggestion("B", 10, 20, "x" * 10, "b")
    lost = Rejection("A", "not  here", "not_in_text")
    merged, rejected = merge_results(
        [
            ([first], [lost]),
            ([again, other_code], [Rejection("A", "not here", "not_in_text")]),
        ]
    )
    assert merged == [first, other_code]
    assert rejected == [lost]


def _chat(content: str) -> str:
    return json.dumps(
        {"choices": [{"message": {"role": "assistant", "content": content}}]}
    )


PASSAGE = {"code": "Usage", "quote": "je m'en sers", "rationale": "usage déclaré"}
EXPECTED = [Proposed("Usage", "je m'en sers", "usage déclaré")]


@pytest.mark.parametrize(
    "content",
    [
        json.dumps({"passages": [PASSAGE]}),
        json.dumps({"suggestions": [PASSAGE]}),
        json.dumps([PASSAGE]),
        "```json\n" + json.dumps({"passages": [PASSAGE]}) + "\n```",
        "Voici les passages :\n"
        + json.dumps({"passages": [PASSAGE]})
        + "\nBonne lecture.",
        json.dumps({"result": {"passages": [PASSAGE]}}),
        json.dumps(
            {
                "passages": [
                    {
                        "code": "Usage",
                        "text": "je m'en sers",
                        "justification": "usage déclaré",
                    }
                ]
            }
        ),  # fmt: skip
    ],
)
def test_the_answer_is_read_in_every_layout_models_give(content: str) -> None:
    assert parse_passages(message_content(_chat(content))) == EXPECTED


@pytest.mark.parametrize(
    "content",
    ["Je ne trouve rien.", '{"passages": [{"code": "A", "quote": ', '{"answer": 42}'],
)
def test_an_answer_without_the_json_is_unusable(content: str) -> None:
    with pytest.raises(UnusableAnswer):
        parse_passages(content)


@pytest.mark.parametrize("body", ["<html>", '{"choices": []}', _chat("")])
def test_a_body_that_is_not_a_chat_completion_is_unusable(body: str) -> None:
    with pytest.raises(UnusableAnswer):
        message_content(body)


def test_code_proposals_are_read_with_their_quotes() -> None:
    content = json.dumps(
        {"codes": [
            {"name": " Contrôle ", "definition": "Relire.", "quotes": ["je relis"]},
            {"name": "Gain", "description": "Temps.", "quotes": "ça va vite"},
        ]}
    )  # fmt: skip
    assert parse_code_proposals(content) == [
        ("Contrôle", "Relire.", ["je relis"]),
        ("Gain", "Temps.", ["ça va vite"]),
    ]
