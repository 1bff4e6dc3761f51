"""Case- and accent-insensitive matching with offsets into the original text."""

from __future__ import annotations

import re
import unicodedata
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, repeat
from typing import Any

_SPECIAL = {
    "œ": "oe",
    "Œ": "oe",
    "æ": "ae",
    "Æ": "ae",
    "ß": "ss",
    "’": "'",
    "‘": "'",
    "ʼ": "'",
    "`": "'",
    "´": "'",
    "‐": "-",
    "‑": "-",
    "‒": "-",
    "–": "-",
    "—": "-",
    "\u00a0": " ",
    "\u202f": " ",
}


@lru_cache(maxsize=4096)
def fold_char(char: str) -> str:
    """Fold one character: no accents, case-folded, typographic variants unified."""
    if char in _SPECIAL:
        return _SPECIAL[char]
    decomposed = unicodedata.normalize("NFKD", char)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.casefold()


def fold(text: str) -> str:
    """Fold a whole string (see :func:`fold_char`) and collapse runs of whitespace.

    >>> fold("  Hôtel   de VILLE’s ")
    "hotel de ville's"
    """
    return " ".join("".join(fold_char(c) for c in text).split())


@dataclass(frozen=True, slots=True)
class FoldedText:
    """A folded copy of a text with, for each folded character, its source index."""

    original: str
    folded: str
    origin: Sequence[int]

    @classmethod
    def of(cls, text: str) -> FoldedText:
        """Fold ``text`` character by character, remembering where each came from."""
        parts = list(map(fold_char, text))
        lengths = list(map(len, parts))
        origin: Sequence[int]
        if lengths.count(1) == len(lengths):
            origin = range(len(text))  # one folded character per character
        else:
            origin = array(
                "q", chain.from_iterable(map(repeat, range(len(text)), lengths))
            )
        return cls(text, "".join(parts), origin)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of the folded text back to the original text."""
        first = self.origin[start]
        last = self.origin[end - 1] + 1
        while last < len(self.original) and unicodedata.combining(self.original[last]):
            last += 1
        return first, last


def _trie_pattern(keys: Iterable[str]) -> str:
    """One regular expression for folded ``keys`` as a trie, longest key first.

    Each character of a key matches itself and each space a run of whitespace.
    At one position of a text at most one branch of a node can match (a key's
    words hold no whitespace), so trying the continuations before ending a key
    finds the longest key there, as an alternation sorted by length would,
    without trying every key in turn.
    """
    trie: dict[str, Any] = {}
    for key in keys:
        node = trie
        for char in key:
            node = node.setdefault(char, {})
        node[""] = {}  # a key ends here
    return _node_pattern(trie)


def _unit(char: str) -> str:
    return r"\s+" if char == " " else re.escape(char)


def _node_pattern(node: dict[str, Any]) -> str:
    pieces: list[str] = []
    while len(node) == 1 and "" not in node:  # a chain: no recursion
        (char, node), *_ = node.items()
        pieces.append(_unit(char))
    branches = [
        _unit(char) + _node_pattern(child) for char, child in sorted(node.items()) if char
    ]
    if branches:
        group = "(?:" + "|".join(branches) + ")"
        pieces.append(group + "?" if "" in node else group)
    return "".join(pieces)


class PhraseMatcher:
    """Whole-word, case- and accent-insensitive search for a list of phrases.

    At each position the longest phrase wins; matches do not overlap.

    >>> matcher = PhraseMatcher(["Direction des finances", "finances", "DSIN"])
    >>> text = FoldedText.of("la direction des Finances et la dsin")
    >>> list(matcher.finditer(text))
    [(3, 25, 0), (32, 36, 2)]
    """

    def __init__(self, phrases: Iterable[str]) -> None:
        self.phrases = tuple(phrases)
        self._index: dict[str, int] = {}
        for number, phrase in enumerate(self.phrases):
            self._index.setdefault(fold(phrase), number)
        keys = [key for key in self._index if key]
        if keys:
            body = _trie_pattern(keys)
            self._regex: re.Pattern[str] | None = re.compile(
                rf"(?<![\w])(?:{body})(?![\w])"
            )
        else:
            self._regex = None

    def finditer(self, text: FoldedText) -> Iterator[tuple[int, int, int]]:
        """Yield ``(start, end, phrase_index)`` in original-text offsets."""
        if self._regex is None:
            return
        for match in self._regex.finditer(text.folded):
            start, end = text.span(match.start(), match.end())
            yield start, end, self._index[" ".join(match.group().split())]
