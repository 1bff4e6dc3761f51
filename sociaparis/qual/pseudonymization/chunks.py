"""Cutting a long document into bounded pieces at paragraph or turn boundaries."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator

#: longest piece of a document analysed at once, in characters (spaCy's own
#: limit is 1,000,000); a document no longer than this is analysed whole
CHUNK_CHARS = 20_000

#: ``progress(done, total, what)``: ``done`` of ``total`` characters of the
#: step ``what`` (the same shape as the report builder's progress callback)
Progress = Callable[[int, int, str], None]

#: where a piece may end, best first: after a blank line (a paragraph), after
#: a line end (a turn), after a sentence, after a space
_CUTS = ("\n\n", "\n", ". ", "? ", "! ", "… ", " ")


def _cut(text: str, start: int, end: int) -> int:
    """Where to end the piece that starts at ``start`` and may not pass ``end``."""
    floor = start + (end - start) // 2
    for mark in _CUTS:
        found = text.rfind(mark, floor, end)
        if found != -1:
            return found + len(mark)
    while end > floor and unicodedata.combining(text[end]):
        end -= 1
    return end


def chunks(text: str, size: int = CHUNK_CHARS) -> Iterator[tuple[int, int]]:
    """Cut ``text`` into consecutive spans of at most ``size`` characters.

    Each span ends after a blank line when one lies in its second half, else
    after a line end, a sentence or a space; a text of ``size`` characters or
    fewer is one span.  The spans cover the text without gaps or overlaps.

    Parameters
    ----------
    text
        The document.
    size
        The longest span, in characters (at least 2).

    Yields
    ------
    tuple of (int, int)
        ``(start, end)`` offsets into ``text``, end exclusive.

    Examples
    --------
    >>> text = "Première réponse.\\n\\nDeuxième réponse, plus longue."
    >>> [text[s:e] for s, e in chunks(text, 30)]
    ['Première réponse.\\n\\n', 'Deuxième réponse, plus longue.']
    """
    if size < 2:
        raise ValueError(f"a chunk holds at least 2 characters, not {size}")
    start = 0
    while start < len(text):
        end = start + size
        if end >= len(text):
            yield start, len(text)
            return
        cut = _cut(text, start, end)
        yield start, cut
        start = cut
