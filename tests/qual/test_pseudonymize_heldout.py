"""Recall and precision on passages written apart from the rules (issue #17 item 6):
the tools the study is about are research content and stay."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from sociaparis.qual.pseudonymization import EntityKind, find_entities
from sociaparis.qual.pseudonymization.evaluation import GoldSpan, parse_annotated, score
from sociaparis.qual.pseudonymization.files import read_text

HELD_OUT = Path(__file__).parent / "data" / "pseudonymization" / "heldout"
PASSAGES = ("juriste.txt", "focus_groupe.txt", "notes_dsi.txt")
STUDY_TOOLS = ("Delibia", "Doctrine", "MA IA")


@pytest.mark.parametrize("name", PASSAGES)
def test_the_study_tools_stay(name: str) -> None:
    plain, _ = parse_annotated(read_text(HELD_OUT / name))
    assert any(tool in plain for tool in STUDY_TOOLS)
    touched = [r.original for r in find_entities(plain) if r.original in STUDY_TOOLS]
    assert touched == []


def test_recall_and_precision_on_the_held_out_passages() -> None:
    gold: list[GoldSpan] = []
    found = []
    offset = 0
    for name in PASSAGES:  # scored as one text, each passage at its own offset
        plain, spans = parse_annotated(read_text(HELD_OUT / name))
        gold += [replace(g, start=g.start + offset, end=g.end + offset) for g in spans]
        found += [
            replace(r, start=r.start + offset, end=r.end + offset)
            for r in find_entities(plain)
        ]
        offset += len(plain) + 1
    by_kind = {s.kind: s for s in score(gold, found)}
    assert by_kind[EntityKind.PERSONNE].expected == 18
    assert by_kind[EntityKind.PERSONNE].recall >= 0.98
    for kind in (EntityKind.EMAIL, EntityKind.TELEPHONE, EntityKind.ADRESSE):
        assert by_kind[kind].recall == 1.0
    for kind in (EntityKind.LIEU, EntityKind.ORGANISATION):
        assert by_kind[kind].recall >= 0.8
    for kind, s in by_kind.items():
        assert s.precision >= 0.9, kind
