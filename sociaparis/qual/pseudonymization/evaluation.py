"""Measure detection against a text annotated inline as ``{{PER:Claire Durand}}``."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from sociaparis.qual.pseudonymization.replacements import EntityKind, Replacement

#: markup tag -> kind
TAGS = {
    "PER": EntityKind.PERSONNE,
    "LOC": EntityKind.LIEU,
    "ORG": EntityKind.ORGANISATION,
    "EMAIL": EntityKind.EMAIL,
    "TEL": EntityKind.TELEPHONE,
    "ADR": EntityKind.ADRESSE,
    "TERM": EntityKind.TERME,
}
_MARK = re.compile(r"\{\{([A-Z]+):(.+?)\}\}", re.DOTALL)


@dataclass(frozen=True, slots=True)
class GoldSpan:
    """An expected entity: code-point offsets into the plain text, and its kind."""

    start: int
    end: int
    kind: EntityKind


def parse_annotated(marked: str) -> tuple[str, list[GoldSpan]]:
    """Strip ``{{TAG:words}}`` markup; return the plain text and the expected spans.

    >>> parse_annotated("Vu {{PER:Jean-Pierre}} au {{TEL:01 42 76 40 40}}.")
    ('Vu Jean-Pierre au 01 42 76 40 40.', [GoldSpan(start=3, end=14, \
kind=<EntityKind.PERSONNE: 'PERSONNE'>), GoldSpan(start=18, end=32, \
kind=<EntityKind.TELEPHONE: 'TELEPHONE'>)])
    """
    pieces: list[str] = []
    gold: list[GoldSpan] = []
    cursor = 0
    length = 0
    for match in _MARK.finditer(marked):
        tag, words = match.group(1), match.group(2)
        if tag not in TAGS:
            raise ValueError(f"unknown tag {tag!r} at offset {match.start()}")
        before = marked[cursor : match.start()]
        pieces.append(before)
        length += len(before)
        gold.append(GoldSpan(length, length + len(words), TAGS[tag]))
        pieces.append(words)
        length += len(words)
        cursor = match.end()
    pieces.append(marked[cursor:])
    return "".join(pieces), gold


@dataclass(frozen=True, slots=True)
class KindScore:
    """Scores of one kind of entity.

    Attributes
    ----------
    kind
        The entity kind.
    expected, predicted
        Number of gold spans, of predicted spans of this kind.
    recall
        Share of gold spans whose every character is replaced (by any label):
        what protects the person.
    recall_same_kind
        Share of gold spans overlapped by a prediction of the same kind.
    precision
        Share of predictions of this kind that overlap some gold span.
    precision_same_kind
        Share of predictions of this kind that overlap a gold span of this kind.
    """

    kind: EntityKind
    expected: int
    predicted: int
    recall: float
    recall_same_kind: float
    precision: float
    precision_same_kind: float


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else float("nan")


def score(gold: Iterable[GoldSpan], predicted: Iterable[Replacement]) -> list[KindScore]:
    """Recall and precision per kind (see :class:`KindScore`).

    >>> from sociaparis.qual.pseudonymization.replacements import Replacement
    >>> gold = [GoldSpan(0, 6, EntityKind.PERSONNE), GoldSpan(10, 14, EntityKind.LIEU)]
    >>> pred = [Replacement(0, 6, "Durand", EntityKind.PERSONNE, "[PERSONNE-1]", "t"),
    ...         Replacement(20, 24, "Lyon", EntityKind.PERSONNE, "[PERSONNE-2]", "t")]
    >>> s = score(gold, pred)[0]
    >>> (s.expected, s.predicted, s.recall, s.precision)
    (1, 2, 1.0, 0.5)
    """
    gold = list(gold)
    predicted = [p for p in predicted if p.status.value != "rejected"]
    covered: set[int] = set()
    for p in predicted:
        covered.update(range(p.start, p.end))
    results = []
    for kind in EntityKind:
        expected = [g for g in gold if g.kind is kind]
        mine = [p for p in predicted if p.kind is kind]
        if not expected and not mine:
            continue
        masked = sum(all(i in covered for i in range(g.start, g.end)) for g in expected)
        same = sum(
            any(p.start < g.end and g.start < p.end for p in mine) for g in expected
        )
        hits = sum(any(p.start < g.end and g.start < p.end for g in gold) for p in mine)
        hits_same = sum(
            any(p.start < g.end and g.start < p.end for g in expected) for p in mine
        )
        results.append(
            KindScore(
                kind,
                len(expected),
                len(mine),
                _ratio(masked, len(expected)),
                _ratio(same, len(expected)),
                _ratio(hits, len(mine)),
                _ratio(hits_same, len(mine)),
            )
        )
    return results


def misses(
    text: str, gold: Iterable[GoldSpan], predicted: Iterable[Replacement]
) -> tuple[list[str], list[str]]:
    """The gold spans not fully replaced, and the predictions that hit no gold span."""
    gold = list(gold)
    predicted = list(predicted)
    covered: set[int] = set()
    for p in predicted:
        covered.update(range(p.start, p.end))
    missed = [
        f"{g.kind.value} {text[g.start : g.end]!r} @{g.start}"
        for g in gold
        if not all(i in covered for i in range(g.start, g.end))
    ]
    spurious = [
        f"{p.kind.value} {p.original!r} @{p.start} ({p.detector})"
        for p in predicted
        if not any(p.start < g.end and g.start < p.end for g in gold)
    ]
    return missed, spurious


def scores_frame(scores: Iterable[KindScore]) -> pd.DataFrame:
    """The scores as a table, one row per kind."""
    rows = [
        {
            "kind": s.kind.value,
            "expected": s.expected,
            "predicted": s.predicted,
            "recall": s.recall,
            "recall_same_kind": s.recall_same_kind,
            "precision": s.precision,
            "precision_same_kind": s.precision_same_kind,
        }
        for s in scores
    ]
    return pd.DataFrame(rows)
