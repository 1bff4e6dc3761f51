"""Find a model's quote in the stored text, at exact code-point offsets.

A model copies passages imperfectly: it turns ``’`` into ``'``, ``« … »`` into
``"…"``, a line break or a non-breaking space into a plain space, and drops the
space French typography puts before ``?`` or ``:``.  A quote is located by

1. an exact match in the text;
2. otherwise a match in a *normalized* copy of the text where only these
   differences vanish: runs of whitespace (spaces, line breaks, tabs,
   non-breaking and narrow no-break spaces) become one space, a space next to a
   quotation mark or before ``? ! : ;`` is dropped, apostrophes
   (``’ ‘ ʼ``) become ``'``, quotation marks (``« » “ ” „``) become ``"``,
   dashes (``‐ ‑ – — −``) become ``-``, ``…`` becomes ``...``;
3. when the quote is still not found, without the quotation marks a model put
   around it and a leading or trailing ellipsis (``...``, ``[…]``).

A match in the normalized copy is mapped back to the offsets of the stored text,
and the quote kept is the stored text there: ``quote == text[start:end]``
always holds.  Words, letters, case and accents must be the model's own copy of
the text: anything else is ``not_in_text``.

The normalized copy is built once per document (:class:`DocumentIndex`), with
``str.replace`` of the few special characters present for the one-for-one
replacements and one regular expression
for the few places where the length changes, so locating thousands of quotes
in a long document stays fast.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sociaparis.assist.briefs import Rejection, Suggestion

#: reasons a proposed passage is not kept (``Rejection.reason``)
NOT_IN_TEXT = "not_in_text"
AMBIGUOUS = "ambiguous"
UNKNOWN_CODE = "unknown_code"
EMPTY_QUOTE = "empty_quote"
REASONS = (NOT_IN_TEXT, AMBIGUOUS, UNKNOWN_CODE, EMPTY_QUOTE)

_ONE_FOR_ONE: dict[int, str] = {
    **{ord(c): "'" for c in "’‘ʼ‛′`"},
    **{ord(c): '"' for c in "«»“”„‟″"},
    **{ord(c): "-" for c in "‐‑‒–—―−"},
    # every whitespace character but the plain space becomes a plain space
    **{code: " " for code in range(0x3001) if chr(code).isspace() and code != 0x20},
}
_SPECIAL = frozenset(chr(code) for code in _ONE_FOR_ONE)
# Where the normalized text is shorter or longer than the original: whitespace
# runs, spaces next to quotation marks or before French high punctuation, "…".
# (The lookahead first lets the engine skip quickly to a space, quote or "…".)
_RESHAPE = re.compile(r'(?=[ "…])(?:(?<=") +| +(?=[?!:;"])| {2,}|…)')
_WRAPPED = re.compile(r'^[\s"«“„”»]+(?=\S)|(?<=\S)[\s"«“„”»]+$')
_ELLIPSIS = re.compile(r"^(?:\[?(?:\.\.\.|…)\]?\s*)|(?:\s*\[?(?:\.\.\.|…)\]?)$")


_Map = tuple[list[int], list[int], list[int], list[int]]


def _normalize_with_map(text: str) -> tuple[str, _Map]:
    """The normalized text and the map of its reshaped places.

    Returns ``(normalized, (norm_starts, out_lengths, orig_starts, orig_ends))``:
    one entry per reshaped place, in order; between them the two texts agree
    character for character.
    """
    # str.replace of the few special characters present is much faster than
    # str.translate over the whole text
    translated = text
    for character in set(text).intersection(_SPECIAL):
        translated = translated.replace(character, _ONE_FOR_ONE[ord(character)])
    pieces: list[str] = []
    norm_starts: list[int] = []
    out_lengths: list[int] = []
    orig_starts: list[int] = []
    orig_ends: list[int] = []
    previous = 0
    shift = 0  # normalized position minus original position, so far
    for match in _RESHAPE.finditer(translated):
        start, end = match.span()
        if match.group() == "…":
            out = "..."
        elif (start > 0 and translated[start - 1] == '"') or (
            end < len(translated) and translated[end] in '?!:;"'
        ):
            out = ""
        else:
            out = " "
        pieces.append(translated[previous:start])
        pieces.append(out)
        norm_starts.append(start + shift)
        out_lengths.append(len(out))
        orig_starts.append(start)
        orig_ends.append(end)
        shift += len(out) - (end - start)
        previous = end
    pieces.append(translated[previous:])
    return "".join(pieces), (norm_starts, out_lengths, orig_starts, orig_ends)


def normalize_quote(quote: str) -> str:
    """A quote as the normalized text would hold it (NFC, reshaped, trimmed).

    >>> normalize_quote("« C’est  l’outil »\\u00a0?")
    '"C\\'est l\\'outil"?'
    """
    return _normalize_with_map(unicodedata.normalize("NFC", quote))[0].strip()


class DocumentIndex:
    """A document's text, ready for many quotes to be located in it.

    The normalized copy is made the first time a quote is not found exactly.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._normalized: str | None = None
        self._characters = frozenset(text)
        self._map: _Map = ([], [], [], [])

    def _norm(self) -> str:
        if self._normalized is None:
            self._normalized, self._map = _normalize_with_map(self.text)
        return self._normalized

    def _original(self, position: int, *, end: bool) -> int:
        """The original offset of normalized ``position`` (a start, or an end
        given as the last character + 1)."""
        norm_starts, out_lengths, orig_starts, orig_ends = self._map
        probe = position - 1 if end else position
        k = bisect_right(norm_starts, probe) - 1
        if k < 0:
            return position
        if probe < norm_starts[k] + out_lengths[k]:  # inside a reshaped place
            return orig_ends[k] if end else orig_starts[k]
        return orig_ends[k] + position - (norm_starts[k] + out_lengths[k])

    def _occurrences(self, haystack: str, needle: str, limit: int) -> list[int]:
        found: list[int] = []
        position = haystack.find(needle)
        while position >= 0 and len(found) < limit:
            found.append(position)
            position = haystack.find(needle, position + 1)
        return found

    def locate(
        self, quote: str, *, within: tuple[int, int] | None = None
    ) -> tuple[int, int] | str:
        """Offsets ``(start, end)`` of ``quote`` in the text, or why not.

        Parameters
        ----------
        quote
            The passage as the model wrote it.
        within
            The span of the text the model was shown (a chunk): when the quote
            occurs several times, the one occurrence inside it is taken.

        Returns
        -------
        tuple[int, int] | str
            The offsets, or ``"empty_quote"``, ``"not_in_text"`` or ``"ambiguous"``.

        Examples
        --------
        >>> index = DocumentIndex("Elle dit :\\u00a0« l’outil\\nmarche ».")
        >>> start, end = index.locate('l\\'outil marche')
        >>> index.text[start:end]
        'l’outil\\nmarche'
        >>> index.locate("l'outil ne marche pas")
        'not_in_text'
        """
        stripped = quote.strip()
        if not stripped:
            return EMPTY_QUOTE
        result = self._locate(stripped, within)
        if result != NOT_IN_TEXT:
            return result
        # Models often wrap a quote in quotation marks or mark a cut with an
        # ellipsis: neither is part of the passage.
        unwrapped = _WRAPPED.sub("", stripped).strip()
        for trimmed in (unwrapped, _ELLIPSIS.sub("", unwrapped).strip()):
            if trimmed and trimmed != stripped:
                result = self._locate(trimmed, within)
                if result != NOT_IN_TEXT:
                    return result
        return NOT_IN_TEXT

    def _locate(
        self, quote: str, within: tuple[int, int] | None
    ) -> tuple[int, int] | str:
        # A quote with a character the text never has (a straight apostrophe in
        # a text with typographic ones) cannot be there exactly: skip the search.
        hits = (
            self._occurrences(self.text, quote, 1000)
            if self._characters.issuperset(quote)
            else []
        )
        if hits:
            return self._choose([(h, h + len(quote)) for h in hits], within)
        needle = normalize_quote(quote)
        if not needle:
            return EMPTY_QUOTE
        normalized = self._norm()
        positions = self._occurrences(normalized, needle, 1000)
        if not positions:
            return NOT_IN_TEXT
        spans = [
            (self._original(p, end=False), self._original(p + len(needle), end=True))
            for p in positions
        ]
        return self._choose(spans, within)

    @staticmethod
    def _choose(
        spans: Sequence[tuple[int, int]], within: tuple[int, int] | None
    ) -> tuple[int, int] | str:
        if len(spans) == 1:
            return spans[0]
        if within is not None:
            inside = [s for s in spans if within[0] <= s[0] and s[1] <= within[1]]
            if len(inside) == 1:
                return inside[0]
        return AMBIGUOUS


@dataclass(frozen=True)
class Proposed:
    """A passage as a model proposed it, before it is checked."""

    code: str
    quote: str
    rationale: str = ""


def _key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def code_names(codes: Iterable[str]) -> dict[str, str]:
    """Map the loose form of each code name (case, spacing) to the name itself.

    Names that differ only by case or spacing map to themselves only (exact
    spelling needed).
    """
    names = list(codes)
    loose: dict[str, list[str]] = {}
    for name in names:
        loose.setdefault(_key(name), []).append(name)
    lookup = {key: found[0] for key, found in loose.items() if len(found) == 1}
    lookup.update({name: name for name in names})
    return lookup


def check_passages(
    index: DocumentIndex,
    proposed: Iterable[Proposed],
    codes: dict[str, str],
    *,
    within: tuple[int, int] | None = None,
) -> tuple[list[Suggestion], list[Rejection]]:
    """Keep the proposed passages whose code exists and whose quote is found.

    Parameters
    ----------
    index
        The document.
    proposed
        The model's passages.
    codes
        :func:`code_names` of the codebook: a code is known if its name, or its
        name up to case and spacing, is there.
    within
        The chunk the model was shown.

    Returns
    -------
    tuple[list[Suggestion], list[Rejection]]
        Suggestions with ``quote == index.text[start:end]`` and the codebook's
        spelling of the code; rejections with their reason (:data:`REASONS`).
    """
    suggestions: list[Suggestion] = []
    rejected: list[Rejection] = []
    for item in proposed:
        name = codes.get(item.code) or codes.get(_key(item.code))
        if name is None:
            rejected.append(Rejection(item.code, item.quote, UNKNOWN_CODE))
            continue
        found = index.locate(item.quote, within=within)
        if isinstance(found, str):
            rejected.append(Rejection(name, item.quote, found))
            continue
        start, end = found
        suggestions.append(
            Suggestion(name, start, end, index.text[start:end], item.rationale)
        )
    return suggestions, rejected
