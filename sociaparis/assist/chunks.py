"""Cut a long document into overlapping chunks a model can read at once.

A chunk is a span ``(start, end)`` of the whole document's text, so a quote found
in a chunk is located with the document's own offsets.  Chunks hold about
``words`` words, end at a turn or paragraph boundary when one lies in their last
half, and the next chunk starts ``overlap`` words before the end of the
previous one, so a passage cut by a boundary is whole in one of them.
Suggestions found twice in an overlap are merged (:func:`merge_results`).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sociaparis.assist.briefs import Rejection, Suggestion

_WORD = re.compile(r"\S+")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


@dataclass(frozen=True, slots=True)
class Chunk:
    """A span of the document's text: ``text[start:end]`` is sent."""

    start: int
    end: int

    def of(self, text: str) -> str:
        """The chunk's text."""
        return text[self.start : self.end]


def chunk_text(
    text: str,
    *,
    words: int = 1500,
    overlap: int = 150,
    turns: Sequence[tuple[int, int]] = (),
) -> list[Chunk]:
    """Overlapping chunks covering ``text``.

    Parameters
    ----------
    text
        The whole document.
    words
        Words per chunk at most.
    overlap
        Words each chunk shares with the previous one (less than half of ``words``).
    turns
        ``(start, end)`` of the document's turns: chunks prefer to end where a
        turn starts; paragraph breaks are used too.

    Returns
    -------
    list[Chunk]
        One chunk for a short text; together they cover every word.

    Examples
    --------
    >>> text = " ".join(f"w{i}" for i in range(10))
    >>> [c.of(text) for c in chunk_text(text, words=4, overlap=1)]
    ['w0 w1 w2 w3', 'w3 w4 w5 w6', 'w6 w7 w8 w9']
    """
    if words < 2:
        raise ValueError(f"chunks of {words} words are too small: give at least 2")
    if overlap < 0 or 2 * overlap >= words:
        raise ValueError(f"an overlap of {overlap} words must be under half of {words}")
    spans = [m.span() for m in _WORD.finditer(text)]
    if len(spans) <= words:
        return [Chunk(0, len(text))]
    starts = [s for s, _ in spans]
    # a turn begins with its speaker's label, at the start of its line
    boundaries = {text.rfind("\n", 0, start) + 1 for start, _end in turns}
    boundaries.update(m.end() for m in _PARAGRAPH_BREAK.finditer(text))
    # word indices where a turn or paragraph begins
    breaks = sorted({bisect_left(starts, b) for b in boundaries} - {0, len(spans)})
    chunks: list[Chunk] = []
    first = 0
    while True:
        last = min(first + words, len(spans))  # exclusive word index
        if last < len(spans):
            k = bisect_right(breaks, last) - 1
            if k >= 0 and breaks[k] > first + words // 2:
                last = breaks[k]
        start = 0 if first == 0 else spans[first][0]
        end = len(text) if last == len(spans) else spans[last - 1][1]
        chunks.append(Chunk(start, end))
        if last == len(spans):
            return chunks
        first = max(last - overlap, first + 1)


def merge_results(
    parts: Iterable[tuple[list[Suggestion], list[Rejection]]],
) -> tuple[list[Suggestion], list[Rejection]]:
    """Join the chunks' suggestions and rejections, each once.

    The same code on the same span (found in two overlapping chunks) is kept
    once, with the first chunk's rationale; the same rejected quote for the
    same code and reason is counted once.  Suggestions are sorted by position.
    """
    suggestions: dict[tuple[str, int, int], Suggestion] = {}
    rejected: dict[tuple[str, str, str], Rejection] = {}
    for found, refused in parts:
        for suggestion in found:
            suggestions.setdefault(
                (suggestion.code, suggestion.start, suggestion.end), suggestion
            )
        for rejection in refused:
            rejected.setdefault(
                (rejection.code, " ".join(rejection.quote.split()), rejection.reason),
                rejection,
            )
    ordered = sorted(suggestions.values(), key=lambda s: (s.start, s.end, s.code))
    return ordered, list(rejected.values())
