"""Case- and accent-insensitive matching with offsets into the original text."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

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
    origin: tuple[int, ...]

    @classmethod
    def of(cls, text: str) -> FoldedText:
        """Fold ``text`` character by character, remembering where each came from."""
        parts: list[str] = []
        origin: list[int] = []
        for index, char in enumerate(text):
            folded = fold_char(char)
            parts.append(folded)
            origin.extend([index] * len(folded))
        return cls(text, "".join(parts), tuple(origin))

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of the folded text back to the original text."""
        first = self.origin[start]
        last = self.origin[end - 1] + 1
        while last < len(self.original) and unicodedata.combining(self.original[last]):
            last += 1
        return first, last


def _phrase_pattern(phrase: str) -> str:
    words = fold(phrase).split(" ")
    return r"\s+".join(re.escape(word) for word in words)


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
        keys = sorted((key for key in self._index if key), key=lambda k: (-len(k), k))
        if keys:
            body = "|".join(_phrase_pattern(key) for key in keys)
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
