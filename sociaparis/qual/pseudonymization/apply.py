"""Apply replacements to a text, keeping a map from the new text to the original."""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from sociaparis.core.errors import SociaparisError
from sociaparis.qual.errors import QualError
from sociaparis.qual.pseudonymization.replacements import Replacement, Status


@dataclass(frozen=True, slots=True)
class Segment:
    """A replaced span: ``new_start..new_end`` in the new text stands for
    ``original_start..original_end`` in the original (ends exclusive)."""

    new_start: int
    new_end: int
    original_start: int
    original_end: int


@dataclass(frozen=True, slots=True)
class OffsetMap:
    """Maps offsets between a pseudonymized text and its original.

    Outside replaced spans the two texts are equal, shifted; a position inside a
    label maps to the start (``side="start"``) or end (``side="end"``) of the
    span it replaced.
    """

    segments: tuple[Segment, ...] = ()
    # the starts on each side, for bisection (built once, not at each call)
    _new_starts: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _original_starts: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_new_starts", tuple(s.new_start for s in self.segments))
        object.__setattr__(
            self, "_original_starts", tuple(s.original_start for s in self.segments)
        )

    def to_original(self, offset: int, *, side: Literal["start", "end"] = "start") -> int:
        """The original offset of ``offset`` in the new text."""
        index = bisect.bisect_right(self._new_starts, offset) - 1
        if index < 0:
            return offset
        segment = self.segments[index]
        if offset >= segment.new_end:
            return segment.original_end + (offset - segment.new_end)
        if offset == segment.new_start:
            return segment.original_start
        return segment.original_start if side == "start" else segment.original_end

    def to_new(self, offset: int, *, side: Literal["start", "end"] = "start") -> int:
        """The offset in the new text of original ``offset`` (inverse of the above)."""
        index = bisect.bisect_right(self._original_starts, offset) - 1
        if index < 0:
            return offset
        segment = self.segments[index]
        if offset >= segment.original_end:
            return segment.new_end + (offset - segment.original_end)
        if offset == segment.original_start:
            return segment.new_start
        return segment.new_start if side == "start" else segment.new_end

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The original span that the new span ``start..end`` covers."""
        return self.to_original(start, side="start"), self.to_original(end, side="end")


@dataclass(frozen=True, slots=True)
class PseudonymizedText:
    """The text with its labels, and the map back to the original offsets."""

    text: str
    offsets: OffsetMap

    def to_dict(self) -> dict[str, Any]:
        """The text and its segments as JSON-ready data."""
        return {
            "text": self.text,
            "segments": [
                [s.new_start, s.new_end, s.original_start, s.original_end]
                for s in self.offsets.segments
            ],
        }


def check_replacements(
    text: str, replacements: Iterable[Replacement]
) -> list[Replacement]:
    """The replacements that apply (not rejected), sorted, checked against ``text``.

    Raises
    ------
    SociaparisError
        ``QUAL_056`` for a span outside the text, ``QUAL_059`` when the text does
        not hold ``original`` there, ``QUAL_057`` for overlapping spans.
    """
    active = sorted(
        (r for r in replacements if r.status is not Status.REJECTED),
        key=lambda r: (r.start, r.end),
    )
    previous: Replacement | None = None
    for item in active:
        if not 0 <= item.start < item.end <= len(text):
            raise SociaparisError(
                QualError.PSEUDO_SPAN_INVALID,
                start=item.start,
                end=item.end,
                length=len(text),
            )
        found = text[item.start : item.end]
        if found != item.original:
            raise SociaparisError(
                QualError.PSEUDO_STALE,
                start=item.start,
                end=item.end,
                original=item.original,
                found=found,
            )
        if previous is not None and item.start < previous.end:
            raise SociaparisError(
                QualError.PSEUDO_SPAN_OVERLAP,
                start=item.start,
                end=item.end,
                other_start=previous.start,
                other_end=previous.end,
                label=previous.label,
            )
        previous = item
    return active


def apply(text: str, replacements: Iterable[Replacement]) -> PseudonymizedText:
    """Replace every span that is not rejected by its label.

    Parameters
    ----------
    text
        The original text.
    replacements
        Spans with offsets into ``text``; ``rejected`` ones are left alone.

    Returns
    -------
    PseudonymizedText
        ``text`` (the new text) and ``offsets`` (an :class:`OffsetMap`).

    Examples
    --------
    >>> from sociaparis.qual.pseudonymization.replacements import EntityKind
    >>> r = Replacement(7, 13, "Durand", EntityKind.PERSONNE, "[PERSONNE-1]", "title")
    >>> result = apply("Vu Mme Durand 🙂 hier", [r])
    >>> result.text
    'Vu Mme [PERSONNE-1] 🙂 hier'
    """
    pieces: list[str] = []
    segments: list[Segment] = []
    cursor = 0
    length = 0
    for item in check_replacements(text, replacements):
        pieces.append(text[cursor : item.start])
        length += item.start - cursor
        segments.append(Segment(length, length + len(item.label), item.start, item.end))
        pieces.append(item.label)
        length += len(item.label)
        cursor = item.end
    pieces.append(text[cursor:])
    return PseudonymizedText("".join(pieces), OffsetMap(tuple(segments)))
