"""Find what to replace: run the detectors, keep what is allowed, resolve overlaps."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from sociaparis.qual.pseudonymization.chunks import Progress, chunks
from sociaparis.qual.pseudonymization.config import PseudonymizationConfig
from sociaparis.qual.pseudonymization.names import (
    PARTICLES,
    find_person_names,
    first_names,
    tokenize,
)
from sociaparis.qual.pseudonymization.ner import common_words, named_entities
from sociaparis.qual.pseudonymization.patterns import (
    PRIORITY,
    Candidate,
    find_addresses,
    find_arrondissements,
    find_emails,
    find_phones,
    speaker_spans,
)
from sociaparis.qual.pseudonymization.replacements import (
    EntityKind,
    Replacement,
    make_label,
)
from sociaparis.qual.pseudonymization.table import (
    Labeller,
    PseudonymizationTable,
    entity_key,
)
from sociaparis.qual.pseudonymization.text import FoldedText, PhraseMatcher, fold

_TRIM = " \t\n\r,.;:!?()[]{}«»\"'’‘-–—/*_"
_LEADING_TITLE = re.compile(
    r"(?:(?:M|MM|Mr|Dr|Pr)\.?|Mmes?|Mlles?|Me|(?i:monsieur|madame|mademoiselle|"
    r"docteure?|professeure?|maître))\s+"
)
#: labels already in the text (a text pseudonymized twice keeps them as they are)
LABEL = re.compile(r"\[(?:" + "|".join(k.value for k in EntityKind) + r")-\d+\]")
_NAMED = (EntityKind.LIEU, EntityKind.ORGANISATION, EntityKind.PERSONNE)
_GLUE = frozenset(
    {"le", "la", "les", "l", "de", "du", "des", "d", "et", "a", "au", "aux"}
)


@dataclass(frozen=True, slots=True)
class _Found:
    """A candidate with the key it will be labelled under."""

    candidate: Candidate
    key: str


def _trim(text: str, candidate: Candidate) -> Candidate | None:
    start, end = candidate.start, candidate.end
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        if text[end - 1] == "." and end - start >= 2 and text[end - 2].isupper():
            if end - start == 2 or not text[end - 3].isalpha():
                break
        end -= 1
    if candidate.kind is EntityKind.PERSONNE:
        while match := _LEADING_TITLE.match(text, start, end):
            start = match.end()
        if _LEADING_TITLE.fullmatch(text[start:end] + " "):
            return None
    if end <= start:
        return None
    if candidate.kind in _NAMED and candidate.detector != "address":
        if sum(c.isalpha() for c in text[start:end]) < 2:
            return None
        if (
            not any(c.isupper() for c in text[start:end])
            and candidate.detector == "spacy"
        ):
            return None
    return replace(candidate, start=start, end=end)


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


@dataclass(frozen=True, slots=True)
class _Spans:
    """Sorted, disjoint spans and their starts (for bisection)."""

    spans: list[tuple[int, int]]
    starts: list[int]

    @classmethod
    def of(cls, spans: Iterable[tuple[int, int]]) -> _Spans:
        merged = _merge(spans)
        return cls(merged, [start for start, _ in merged])


def _covered(text: str, candidate: Candidate, allowed: _Spans) -> bool:
    """Whether every word of the candidate (but glue words) lies in an allowed span."""
    words = [
        t
        for t in tokenize(text[candidate.start : candidate.end])
        if fold(t.text) not in _GLUE
    ]
    if not words:
        return False
    for word in words:
        start, end = candidate.start + word.start, candidate.start + word.end
        position = bisect.bisect_right(allowed.starts, start) - 1
        if position < 0 or allowed.spans[position][1] < end:
            return False
    return True


def _touches(candidate: Candidate, spans: list[tuple[int, int]]) -> bool:
    """Whether the candidate overlaps one of the sorted, disjoint ``spans``."""
    position = bisect.bisect_left(spans, (candidate.end, candidate.end)) - 1
    return position >= 0 and spans[position][1] > candidate.start


def _resolve(found: list[_Found]) -> list[_Found]:
    """Keep the best candidate of each overlapping group (priority, then length)."""
    ranked = sorted(
        found,
        key=lambda f: (
            f.candidate.priority,
            -(f.candidate.end - f.candidate.start),
            f.candidate.start,
        ),
    )
    taken: list[_Found] = []
    starts: list[int] = []
    ends: list[int] = []
    for item in ranked:
        c = item.candidate
        position = bisect.bisect_right(starts, c.start)
        if position > 0 and ends[position - 1] > c.start:
            continue
        if position < len(starts) and starts[position] < c.end:
            continue
        taken.append(item)
        starts.insert(position, c.start)
        ends.insert(position, c.end)
    return sorted(taken, key=lambda f: f.candidate.start)


def _confirm(raw: list[Candidate]) -> list[Candidate]:
    """Drop the rule candidates that need the model's confirmation and lack it."""
    people = sorted(
        (c.start, c.end)
        for c in raw
        if c.detector == "spacy" and c.kind is EntityKind.PERSONNE
    )
    starts = [s for s, _ in people]
    kept = []
    for c in raw:
        if c.needs_confirmation:
            position = bisect.bisect_left(starts, c.end) - 1
            if position < 0 or people[position][1] <= c.start:
                continue
        kept.append(c)
    return kept


def _shift(found: list[_Found], offset: int) -> list[_Found]:
    """The same spans, moved by ``offset`` (from a piece to the whole text)."""
    if not offset:
        return found
    return [
        _Found(
            replace(
                f.candidate,
                start=f.candidate.start + offset,
                end=f.candidate.end + offset,
            ),
            f.key,
        )
        for f in found
    ]


@dataclass(frozen=True, slots=True)
class _Rules:
    """The matchers and word lists every piece of a document is checked against."""

    config: PseudonymizationConfig
    terms: PhraseMatcher | None
    term_keys: tuple[str, ...]
    allow: PhraseMatcher
    common: frozenset[str]
    allowed_words: frozenset[str]
    names: frozenset[str]

    @classmethod
    def of(cls, config: PseudonymizationConfig) -> _Rules:
        terms, keys = None, ()
        if EntityKind.TERME in config.kinds and config.terms:
            variants = [(v, group.key) for group in config.terms for v in group.variants]
            terms = PhraseMatcher(v for v, _ in variants)
            keys = tuple(key for _, key in variants)
        people = EntityKind.PERSONNE in config.kinds
        return cls(
            config,
            terms,
            keys,
            PhraseMatcher(config.allow),
            common_words() if people or config.propagate else frozenset(),
            frozenset(fold(p) for p in config.allow if " " not in p.strip()),
            first_names() if people and config.use_first_names else frozenset(),
        )


@dataclass(frozen=True, slots=True)
class _Piece:
    """One piece of a document (offsets are the piece's own) and what it allows."""

    text: str
    folded: FoldedText
    allowed: _Spans
    protected: list[tuple[int, int]]

    @classmethod
    def of(cls, text: str, rules: _Rules) -> _Piece:
        folded = FoldedText.of(text)
        allowed = _Spans.of(
            [(s, e) for s, e, _ in rules.allow.finditer(folded)]
            + speaker_spans(text, rules.config.speaker_patterns)
        )
        protected = _merge((m.start(), m.end()) for m in LABEL.finditer(text))
        return cls(text, folded, allowed, protected)

    def keeps(self, candidate: Candidate) -> bool:
        """Whether the candidate is allowed or touches a label already there."""
        return _covered(self.text, candidate, self.allowed) or _touches(
            candidate, self.protected
        )


def _detect_piece(
    piece: _Piece, rules: _Rules, entities: list[Candidate] | None
) -> list[_Found]:
    """The spans to replace in one piece, before propagation (piece offsets)."""
    text, config = piece.text, rules.config
    found: list[_Found] = []
    if rules.terms is not None:
        for start, end, index in rules.terms.finditer(piece.folded):
            candidate = Candidate(
                start, end, EntityKind.TERME, "terms", PRIORITY["terms"]
            )
            found.append(_Found(candidate, rules.term_keys[index]))
    raw: list[Candidate] = [
        *find_emails(text),
        *find_phones(text),
        *find_addresses(text),
        *find_arrondissements(text),
    ]
    if EntityKind.PERSONNE in config.kinds:
        raw.extend(
            find_person_names(
                text,
                common=rules.common,
                allowed=rules.allowed_words,
                names=rules.names,
            )
        )
    if entities is not None:
        raw.extend(entities)
        raw = _confirm(raw)
    for candidate in raw:
        if candidate.kind not in config.kinds or _touches(candidate, piece.protected):
            continue
        trimmed = _trim(text, candidate)
        if trimmed is None or _covered(text, trimmed, piece.allowed):
            continue
        key = entity_key(trimmed.kind, text[trimmed.start : trimmed.end])
        if key:
            found.append(_Found(trimmed, key))
    return _resolve(found)


def _phrases(text: str, found: list[_Found]) -> dict[str, EntityKind]:
    """The folded names, places and organisations to look for everywhere, and the
    kind of each (a person's name also gives each of its words)."""
    phrases: dict[str, EntityKind] = {}
    for item in found:
        c = item.candidate
        if c.kind not in (EntityKind.PERSONNE, EntityKind.LIEU, EntityKind.ORGANISATION):
            continue
        surface = text[c.start : c.end]
        if c.detector == "address" or sum(ch.isalpha() for ch in surface) < 2:
            continue
        phrases.setdefault(fold(surface), c.kind)
        if c.kind is EntityKind.PERSONNE:
            for word in tokenize(surface):
                key = fold(word.text)
                if len(key) >= 3 and key not in PARTICLES:
                    phrases.setdefault(key, c.kind)
    return phrases


def _occurrences(
    piece: _Piece,
    matcher: PhraseMatcher,
    phrases: dict[str, EntityKind],
    rules: _Rules,
) -> Iterator[_Found]:
    """The other occurrences of ``phrases`` in one piece (piece offsets)."""
    text = piece.text
    for start, end, index in matcher.finditer(piece.folded):
        occurrence = text[start:end]
        if not occurrence[:1].isupper() and all(
            w.text.casefold() in rules.common for w in tokenize(occurrence)
        ):
            continue
        kind = phrases[matcher.phrases[index]]
        candidate = Candidate(start, end, kind, "propagation", PRIORITY["propagation"])
        key = entity_key(kind, occurrence)
        if kind in rules.config.kinds and key and not piece.keeps(candidate):
            yield _Found(candidate, key)


def detect(
    text: str,
    *,
    config: PseudonymizationConfig | None = None,
    progress: Progress | None = None,
) -> list[tuple[Candidate, str]]:
    """All spans to replace, without labels: ``(candidate, key)`` in text order.

    The text is read in pieces of at most ``config.chunk_chars`` characters, cut
    at paragraph or turn boundaries (:func:`~.chunks.chunks`): each piece is
    searched on its own, then every piece again for the other occurrences of
    the names found in the whole text.  Memory holds one piece's analysis at a
    time besides the text and the spans found; a text of one piece is searched
    whole.
    """
    config = config or PseudonymizationConfig()
    rules = _Rules.of(config)
    spans = list(chunks(text, config.chunk_chars))
    pieces = ((start, text[start:end]) for start, end in spans)
    analysed: Iterable[tuple[int, str, list[Candidate] | None]] = (
        named_entities(pieces)
        if config.use_ner
        else ((start, piece, None) for start, piece in pieces)
    )
    kept: list[_Found] = []
    for start, piece, entities in analysed:
        found = _detect_piece(_Piece.of(piece, rules), rules, entities)
        kept.extend(_shift(found, start))
        if progress is not None:
            progress(start + len(piece), len(text), "Detecting entities")
    phrases = _phrases(text, kept) if config.propagate else {}
    if phrases:
        matcher = PhraseMatcher(phrases)
        starts = [f.candidate.start for f in kept]
        everywhere: list[_Found] = []
        for start, end in spans:
            piece = _Piece.of(text[start:end], rules)
            extra = _shift(list(_occurrences(piece, matcher, phrases, rules)), start)
            first = bisect.bisect_left(starts, start)
            last = bisect.bisect_left(starts, end)
            everywhere.extend(_resolve(kept[first:last] + extra))
            if progress is not None:
                progress(end, len(text), "Finding other occurrences")
        kept = everywhere
    return [(f.candidate, f.key) for f in kept]


def label(
    text: str,
    spans: list[tuple[Candidate, str]],
    table: PseudonymizationTable | None = None,
) -> list[Replacement]:
    """Give each detected span its proposed label, relative to ``table``."""
    labeller = Labeller(table or PseudonymizationTable())
    order = sorted(
        range(len(spans)),
        key=lambda i: (
            not (spans[i][0].kind is EntityKind.PERSONNE and " " in spans[i][1]),
            spans[i][0].start,
        ),
    )
    numbers: dict[int, int] = {}
    for i in order:
        candidate, key = spans[i]
        numbers[i] = labeller.assign(candidate.kind, key)
    # new labels are numbered in order of first appearance in the text
    known = (table or PseudonymizationTable()).counters()
    renumber: dict[tuple[EntityKind, int], int] = {}
    counters = dict(known)
    for i, (candidate, _) in enumerate(spans):
        slot = (candidate.kind, numbers[i])
        if numbers[i] > known[candidate.kind] and slot not in renumber:
            counters[candidate.kind] += 1
            renumber[slot] = counters[candidate.kind]
    labels = {
        i: make_label(c.kind, renumber.get((c.kind, numbers[i]), numbers[i]))
        for i, (c, _) in enumerate(spans)
    }
    return [
        Replacement(
            start=c.start,
            end=c.end,
            original=text[c.start : c.end],
            kind=c.kind,
            label=labels[i],
            detector=c.detector,
            key=key,
        )
        for i, (c, key) in enumerate(spans)
    ]


def find_entities(
    text: str,
    *,
    config: PseudonymizationConfig | None = None,
    table: PseudonymizationTable | None = None,
    progress: Progress | None = None,
) -> list[Replacement]:
    """Every span of ``text`` to replace, with a proposed label and status ``proposed``.

    Parameters
    ----------
    text
        The document (offsets are Python ``str`` indices, i.e. code points).
    config
        Terms, allow-list and switches; :class:`PseudonymizationConfig` by default.
    table
        The study's table so far: known entities get their existing label, new
        ones the next number of their kind.  It is not modified; register the
        reviewed replacements with :meth:`PseudonymizationTable.register`.
    progress
        Called as ``progress(characters done, length of the text, step)`` after
        each piece of each step (see :func:`detect`).

    Returns
    -------
    list of Replacement
        Non-overlapping, sorted by ``start``.

    Examples
    --------
    >>> config = PseudonymizationConfig(use_ner=False).with_terms(["Mission IA"])
    >>> text = "Mme Durand (Mission IA) utilise Copilot : claire.durand@paris.fr"
    >>> [(r.original, r.label) for r in find_entities(text, config=config)]
    [('Durand', '[PERSONNE-1]'), ('Mission IA', '[TERME-1]'), \
('claire.durand@paris.fr', '[EMAIL-1]')]
    """
    return label(text, detect(text, config=config, progress=progress), table)
