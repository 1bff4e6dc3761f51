"""Find what to replace: run the detectors, keep what is allowed, resolve overlaps."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from sociaparis.qual.pseudonymization.config import PseudonymizationConfig
from sociaparis.qual.pseudonymization.model import EntityKind, Replacement, make_label
from sociaparis.qual.pseudonymization.names import (
    PARTICLES,
    find_person_names,
    first_names,
    tokenize,
)
from sociaparis.qual.pseudonymization.ner import (
    Progress,
    common_words,
    find_named_entities,
)
from sociaparis.qual.pseudonymization.patterns import (
    PRIORITY,
    Candidate,
    find_addresses,
    find_arrondissements,
    find_emails,
    find_phones,
    speaker_spans,
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


def _covered(text: str, candidate: Candidate, allowed: list[tuple[int, int]]) -> bool:
    """Whether every word of the candidate (but glue words) lies in an allowed span."""
    starts = [s for s, _ in allowed]
    words = [
        t
        for t in tokenize(text[candidate.start : candidate.end])
        if fold(t.text) not in _GLUE
    ]
    if not words:
        return False
    for word in words:
        start, end = candidate.start + word.start, candidate.start + word.end
        position = bisect.bisect_right(starts, start) - 1
        if position < 0 or allowed[position][1] < end:
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


def _propagate(
    text: str, folded: FoldedText, found: list[_Found], common: frozenset[str]
) -> list[_Found]:
    """Every other occurrence of a detected name, place or organisation."""
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
    if not phrases:
        return []
    keys = list(phrases)
    matcher = PhraseMatcher(keys)
    more = []
    for start, end, index in matcher.finditer(folded):
        occurrence = text[start:end]
        if not occurrence[:1].isupper() and all(
            w.text.casefold() in common for w in tokenize(occurrence)
        ):
            continue
        kind = phrases[keys[index]]
        candidate = Candidate(start, end, kind, "propagation", PRIORITY["propagation"])
        more.append(_Found(candidate, entity_key(kind, occurrence)))
    return more


def detect(
    text: str,
    *,
    config: PseudonymizationConfig | None = None,
    progress: Progress | None = None,
) -> list[tuple[Candidate, str]]:
    """All spans to replace, without labels: ``(candidate, key)`` in text order."""
    config = config or PseudonymizationConfig()
    folded = FoldedText.of(text)
    found: list[_Found] = []
    if EntityKind.TERME in config.kinds and config.terms:
        variants = [(v, group.key) for group in config.terms for v in group.variants]
        matcher = PhraseMatcher(v for v, _ in variants)
        for start, end, index in matcher.finditer(folded):
            candidate = Candidate(
                start, end, EntityKind.TERME, "terms", PRIORITY["terms"]
            )
            found.append(_Found(candidate, variants[index][1]))
    allow_matcher = PhraseMatcher(config.allow)
    allowed = _merge(
        [(s, e) for s, e, _ in allow_matcher.finditer(folded)]
        + speaker_spans(text, config.speaker_patterns)
    )
    raw: list[Candidate] = [
        *find_emails(text),
        *find_phones(text),
        *find_addresses(text),
        *find_arrondissements(text),
    ]
    people = EntityKind.PERSONNE in config.kinds
    common = common_words() if people or config.propagate else frozenset()
    if people:
        allowed_words = frozenset(fold(p) for p in config.allow if " " not in p.strip())
        raw.extend(
            find_person_names(
                text,
                common=common,
                allowed=allowed_words,
                names=first_names() if config.use_first_names else frozenset(),
            )
        )
    if config.use_ner:
        raw.extend(find_named_entities(text, progress=progress))
        raw = _confirm(raw)
    elif progress is not None:
        progress(len(text), len(text))
    protected = _merge((m.start(), m.end()) for m in LABEL.finditer(text))
    for candidate in raw:
        if candidate.kind not in config.kinds or _touches(candidate, protected):
            continue
        trimmed = _trim(text, candidate)
        if trimmed is None or _covered(text, trimmed, allowed):
            continue
        key = entity_key(trimmed.kind, text[trimmed.start : trimmed.end])
        if key:
            found.append(_Found(trimmed, key))
    kept = _resolve(found)
    if config.propagate:
        extra = [
            f
            for f in _propagate(text, folded, kept, common)
            if f.candidate.kind in config.kinds
            and f.key
            and not _covered(text, f.candidate, allowed)
            and not _touches(f.candidate, protected)
        ]
        kept = _resolve(kept + extra)
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
        Called with ``(characters done, total)`` while the model runs.

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
