"""How the review page shows a text and its replacements (presentation only)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sociaparis.qual.pseudonymization import Replacement, Status
from sociaparis.qual.pseudonymization.review import word_spans, word_steps

#: characters of context shown on each side of a replacement in the table
CONTEXT = 40


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of the text: plain (``index`` None) or one replacement's words."""

    start: int
    text: str
    index: int | None = None
    replacement: Replacement | None = None


@dataclass(frozen=True, slots=True)
class Row:
    """One replacement of the table, with its context and word steps."""

    index: int
    replacement: Replacement
    before: str
    after: str
    steps: dict[str, tuple[int, int] | None]


def review_segments(text: str, replacements: Sequence[Replacement]) -> list[Segment]:
    """The text cut into plain runs and replacements, in order.

    Replacements that are not rejected never overlap; a rejected one that a
    later decision overlapped is left out of the text (it stays in the table).
    """
    shown: list[tuple[int, Replacement]] = [
        (i, r) for i, r in enumerate(replacements) if r.status is not Status.REJECTED
    ]
    for i, r in enumerate(replacements):
        if r.status is Status.REJECTED and not any(
            o.start < r.end and r.start < o.end for _, o in shown
        ):
            shown.append((i, r))
    shown.sort(key=lambda pair: pair[1].start)
    segments: list[Segment] = []
    at = 0
    for i, r in shown:
        if r.start > at:
            segments.append(Segment(at, text[at : r.start]))
        segments.append(Segment(r.start, text[r.start : r.end], i, r))
        at = r.end
    if at < len(text):
        segments.append(Segment(at, text[at:]))
    return segments


def review_rows(text: str, replacements: Sequence[Replacement]) -> list[Row]:
    """One row per replacement, in the review's order."""
    words = word_spans(text)
    return [
        Row(
            i,
            r,
            text[max(0, r.start - CONTEXT) : r.start],
            text[r.end : r.end + CONTEXT],
            word_steps(text, r.start, r.end, words=words),
        )
        for i, r in enumerate(replacements)
    ]
