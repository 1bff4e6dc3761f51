"""The review step: accept, reject or add replacements before a text is released.

Every operation is a pure function from one :class:`ReviewState` to the next,
so a web view or a CLI can store the state and replay decisions.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from sociaparis.core.errors import SociaparisError
from sociaparis.qual.errors import QualError
from sociaparis.qual.pseudonymization.apply import apply
from sociaparis.qual.pseudonymization.chunks import Progress
from sociaparis.qual.pseudonymization.config import PseudonymizationConfig
from sociaparis.qual.pseudonymization.detect import find_entities
from sociaparis.qual.pseudonymization.pipeline import (
    PseudonymizationResult,
    replacements_frame,
)
from sociaparis.qual.pseudonymization.replacements import (
    EntityKind,
    Replacement,
    Status,
    make_label,
)
from sociaparis.qual.pseudonymization.table import (
    Labeller,
    PseudonymizationTable,
    entity_key,
    parse_label,
)
from sociaparis.qual.pseudonymization.text import FoldedText, PhraseMatcher


@dataclass(frozen=True, slots=True)
class ReviewState:
    """A document under review.

    Attributes
    ----------
    text
        The original text.
    replacements
        All replacements, sorted by ``start``; operations refer to them by index.
    table
        The study table *before* this document.
    """

    text: str
    replacements: tuple[Replacement, ...]
    table: PseudonymizationTable

    @property
    def pending(self) -> tuple[int, ...]:
        """Indices of the replacements still only proposed."""
        return tuple(
            i for i, r in enumerate(self.replacements) if r.status is Status.PROPOSED
        )

    def to_frame(self) -> pd.DataFrame:
        """The replacements as a table (see :func:`~.pipeline.replacements_frame`)."""
        return replacements_frame(self.replacements)

    def to_dict(self) -> dict[str, Any]:
        """The state as JSON-ready data."""
        return {
            "text": self.text,
            "replacements": [r.to_dict() for r in self.replacements],
            "table": self.table.to_dict(),
        }


def start_review(
    text: str,
    *,
    config: PseudonymizationConfig | None = None,
    table: PseudonymizationTable | None = None,
    progress: Progress | None = None,
) -> ReviewState:
    """Detect the entities of ``text`` and open a review with every one proposed."""
    table = table or PseudonymizationTable()
    found = find_entities(text, config=config, table=table, progress=progress)
    return ReviewState(text, tuple(found), table)


def _get(state: ReviewState, index: int) -> Replacement:
    if not 0 <= index < len(state.replacements):
        raise SociaparisError(
            QualError.PSEUDO_NO_SUCH_REPLACEMENT,
            index=index,
            count=len(state.replacements),
        )
    return state.replacements[index]


def _with(state: ReviewState, index: int, item: Replacement) -> ReviewState:
    items = list(state.replacements)
    items[index] = item
    return replace(state, replacements=tuple(items))


def accept(state: ReviewState, index: int) -> ReviewState:
    """Accept replacement ``index``."""
    return _with(state, index, replace(_get(state, index), status=Status.ACCEPTED))


def reject(state: ReviewState, index: int) -> ReviewState:
    """Reject replacement ``index``: the original text stays."""
    return _with(state, index, replace(_get(state, index), status=Status.REJECTED))


def accept_all(state: ReviewState) -> ReviewState:
    """Accept every replacement still proposed."""
    return replace(
        state,
        replacements=tuple(
            replace(r, status=Status.ACCEPTED) if r.status is Status.PROPOSED else r
            for r in state.replacements
        ),
    )


def relabel(state: ReviewState, index: int, label: str) -> ReviewState:
    """Give replacement ``index`` another label of its kind (and accept it).

    Use it to merge two variants of one person, e.g. a lone first name with
    the full name's label.
    """
    item = _get(state, index)
    parse_label(label, item.kind)
    return _with(state, index, replace(item, label=label, status=Status.ACCEPTED))


def _active(state: ReviewState) -> list[Replacement]:
    return [r for r in state.replacements if r.status is not Status.REJECTED]


def _next_label(state: ReviewState, kind: EntityKind, key: str) -> str:
    for item in state.replacements:
        if item.kind is kind and item.key == key:
            return item.label
    labeller = Labeller(state.table.register(_active(state)))
    return make_label(kind, labeller.assign(kind, key))


def add(
    state: ReviewState,
    *,
    start: int,
    end: int,
    kind: EntityKind,
    label: str | None = None,
) -> ReviewState:
    """Add a replacement the detectors missed (status ``accepted``).

    Parameters
    ----------
    state
        The review.
    start, end
        Code-point offsets into the original text, end exclusive.
    kind
        The kind of entity.
    label
        The label to use; by default the label of the same entity elsewhere in
        this review (rejected replacements included), else its label in the
        table, else a new one.

    Raises
    ------
    SociaparisError
        ``QUAL_056`` for an empty span or one outside the text, ``QUAL_057``
        when it overlaps a replacement that is not rejected, ``QUAL_060`` for a
        label of another kind.
    """
    _check_span(state, start, end, skip=None)
    original = state.text[start:end]
    key = entity_key(kind, original)
    if label is None:
        label = _next_label(state, kind, key)
    else:
        parse_label(label, kind)
    item = Replacement(
        start, end, original, kind, label, "manual", status=Status.ACCEPTED, key=key
    )
    items = sorted([*state.replacements, item], key=lambda r: (r.start, r.end))
    return replace(state, replacements=tuple(items))


def _check_span(state: ReviewState, start: int, end: int, *, skip: int | None) -> None:
    if not 0 <= start < end <= len(state.text):
        raise SociaparisError(
            QualError.PSEUDO_SPAN_INVALID, start=start, end=end, length=len(state.text)
        )
    for i, other in enumerate(state.replacements):
        if i == skip or other.status is Status.REJECTED:
            continue
        if other.start < end and start < other.end:
            raise SociaparisError(
                QualError.PSEUDO_SPAN_OVERLAP,
                start=start,
                end=end,
                other_start=other.start,
                other_end=other.end,
                label=other.label,
            )


def resize(state: ReviewState, index: int, *, start: int, end: int) -> ReviewState:
    """Widen or narrow replacement ``index`` to ``start..end`` (and accept it).

    The label stays (``relabel`` changes it): "Direction des Finances" widened
    to "Direction des Finances et des Achats" is still the same organisation.
    The entity key follows the new words, so the table learns the new form.

    Raises
    ------
    SociaparisError
        ``QUAL_056`` for an empty span or one outside the text, ``QUAL_057``
        when the new span overlaps another replacement that is not rejected.
    """
    item = _get(state, index)
    _check_span(state, start, end, skip=index)
    original = state.text[start:end]
    moved = replace(
        item,
        start=start,
        end=end,
        original=original,
        key=entity_key(item.kind, original),
        status=Status.ACCEPTED,
    )
    items = list(state.replacements)
    items[index] = moved
    items.sort(key=lambda r: (r.start, r.end))
    return replace(state, replacements=tuple(items))


_WORD = re.compile(r"\w+(?:[-'’]\w+)*")


def word_spans(text: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` of every word of ``text`` (see :func:`word_steps`)."""
    return [(m.start(), m.end()) for m in _WORD.finditer(text)]


def word_steps(
    text: str, start: int, end: int, *, words: list[tuple[int, int]] | None = None
) -> dict[str, tuple[int, int] | None]:
    """The span ``start..end`` grown or shrunk by one word at either end.

    Keys ``widen_left``, ``widen_right``, ``narrow_left``, ``narrow_right``;
    a step that is not possible (start of the text, a one-word span) is None.
    A word is a run of letters and digits, with inner hyphens and apostrophes
    (*Jean-Pierre*, *aujourd'hui*); what lies between words (spaces,
    punctuation) goes with the step.  Pass ``words`` (:func:`word_spans`) to
    step many spans of one text.

    >>> t = "la Direction des Finances et des Achats."
    >>> word_steps(t, 3, 25)["widen_right"]
    (3, 28)
    >>> word_steps(t, 3, 25)["narrow_left"]
    (13, 25)
    """
    words = word_spans(text) if words is None else words
    first = bisect_left(words, (start, -1))  # the first word starting at start or after
    last = bisect_left(words, (end, -1))  # the first word starting at end or after
    before = words[first - 1] if first and words[first - 1][1] <= start else None
    if first and words[first - 1][1] > start:  # a word cut by start: step to its start
        before = words[first - 1]
    inside = [w for w in words[first:last] if w[1] <= end]
    after = next((w for w in words[last:] if w[0] >= end), None)
    return {
        "widen_left": (before[0], end) if before else None,
        "widen_right": (start, after[1]) if after else None,
        "narrow_left": (inside[1][0], end) if len(inside) > 1 else None,
        "narrow_right": (start, inside[-2][1]) if len(inside) > 1 else None,
    }


def add_everywhere(state: ReviewState, phrase: str, *, kind: EntityKind) -> ReviewState:
    """Add every whole-word occurrence of ``phrase`` (case and accents ignored)
    that does not overlap a replacement already there, all under one label."""
    matches = list(PhraseMatcher([phrase]).finditer(FoldedText.of(state.text)))
    label: str | None = None
    for start, end, _ in matches:
        if any(o.start < end and start < o.end for o in _active(state)):
            continue
        state = add(state, start=start, end=end, kind=kind, label=label)
        label = next(r.label for r in state.replacements if r.start == start)
    return state


def finish(state: ReviewState, *, accept_pending: bool = False) -> PseudonymizationResult:
    """Release the reviewed text: apply the replacements, update the table.

    Raises
    ------
    SociaparisError
        ``QUAL_058`` while replacements are still only proposed, unless
        ``accept_pending`` is true.
    """
    if accept_pending:
        state = accept_all(state)
    pending = state.pending
    if pending:
        first = state.replacements[pending[0]]
        raise SociaparisError(
            QualError.PSEUDO_REVIEW_PENDING,
            count=len(pending),
            start=first.start,
            end=first.end,
            original=first.original,
        )
    return PseudonymizationResult(
        apply(state.text, state.replacements),
        state.replacements,
        state.table.register(state.replacements),
    )
