"""Focus groups, computed: who spoke how much, who coded what, who answers whom.

Pure functions over plain data (no database): the turns of one document, each
with the participant who speaks it, and its codings as offsets.  The service
(:mod:`sociaparis.qual.participant_service`) loads them, maps each speaker label
to its participant, calls these functions per document and adds the results up.

Rules, each one a choice a researcher can check by hand:

- a coding *covers* a turn when their spans share at least one code point
  (``coding.start < turn.end`` and ``turn.start < coding.end``); it counts for the
  participant of every turn it covers, so a coding over two speakers counts for
  both;
- words are whitespace-separated tokens of the utterance (``str.split``);
- a *transition* ``A -> B`` is two consecutive turns, A's then B's, with
  ``A != B``; turns without a speaker break the chain;
- two codes *co-occur across speakers* when one codes a turn and the other the
  next turn, spoken by someone else; each pair of adjacent turns counts once per
  (earlier code, later code).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd


@dataclass(frozen=True, slots=True)
class SpokenTurn:
    """A turn of one document: its order, participant and utterance span.

    Attributes
    ----------
    position
        Order of the turn in its document.
    speaker
        The participant who speaks (``None`` for a turn without a speaker).
    start, end
        Code-point offsets of the utterance (end exclusive).
    words
        Number of words of the utterance.
    """

    position: int
    speaker: str | None
    start: int
    end: int
    words: int


@dataclass(frozen=True, slots=True)
class CodedSpan:
    """A coding of the same document: its GUID, code label and span."""

    coding: str
    code: str
    start: int
    end: int


def count_words(text: str) -> int:
    """Number of whitespace-separated words of ``text``."""
    return len(text.split())


def _overlap(start: int, end: int, turn: SpokenTurn) -> bool:
    return start < turn.end and turn.start < end


class TurnIndex:
    """The turns of one document, for finding those a span covers in O(log n + k).

    Turns are sorted by start; ``reach[i]`` is the largest end among the first
    ``i + 1`` of them, so every turn before the first ``reach`` past a span's
    start ends before the span (this holds for overlapping turns too).
    """

    def __init__(self, turns: Iterable[SpokenTurn]) -> None:
        self.turns = sorted(turns, key=lambda t: (t.start, t.position))
        self.reach: list[int] = []
        furthest = -1
        for turn in self.turns:
            furthest = max(furthest, turn.end)
            self.reach.append(furthest)

    def covered(self, start: int, end: int) -> list[SpokenTurn]:
        """The turns that share at least one code point with ``start..end``."""
        out = []
        for turn in self.turns[bisect_right(self.reach, start) :]:
            if turn.start >= end:
                break
            if _overlap(start, end, turn):
                out.append(turn)
        return out


def speakers_of(
    span: CodedSpan, turns: Sequence[SpokenTurn] | TurnIndex
) -> tuple[str, ...]:
    """The participants whose turns ``span`` covers, in order of speech, once each.

    Pass a :class:`TurnIndex` when calling it for many spans of one document.
    """
    index = turns if isinstance(turns, TurnIndex) else TurnIndex(turns)
    covered = sorted(index.covered(span.start, span.end), key=lambda t: t.position)
    return tuple(dict.fromkeys(t.speaker for t in covered if t.speaker))


def attribute_codings(
    codings: Iterable[CodedSpan], turns: Sequence[SpokenTurn]
) -> dict[str, tuple[str, ...]]:
    """``{coding GUID: participants it counts for}`` (empty tuple outside turns)."""
    index = TurnIndex(turns)
    return {c.coding: speakers_of(c, index) for c in codings}


def participation(
    turns: Iterable[SpokenTurn], *, order: Sequence[str] = ()
) -> pd.DataFrame:
    """Turns and words per participant, and their shares of the whole.

    Parameters
    ----------
    turns
        The turns (of one or several documents); turns without a speaker are
        left out.
    order
        Participants to list first, in this order (default: order of first
        appearance); a participant in ``order`` who never speaks gets zeros.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``participant``, columns ``turns``, ``words``,
        ``turn_share`` and ``word_share`` (fractions of the listed total).
    """
    n_turns: Counter[str] = Counter()
    n_words: Counter[str] = Counter()
    for turn in turns:
        if turn.speaker:
            n_turns[turn.speaker] += 1
            n_words[turn.speaker] += turn.words
    names = list(dict.fromkeys([*order, *n_turns]))
    frame = pd.DataFrame(
        {
            "turns": [n_turns[n] for n in names],
            "words": [n_words[n] for n in names],
        },
        index=pd.Index(names, name="participant"),
        dtype="int64",
    )
    total_turns, total_words = frame["turns"].sum(), frame["words"].sum()
    frame["turn_share"] = frame["turns"] / total_turns if total_turns else 0.0
    frame["word_share"] = frame["words"] / total_words if total_words else 0.0
    return frame


def transitions(turns: Sequence[SpokenTurn]) -> Counter[tuple[str, str]]:
    """``{(A, B): times B spoke right after A}`` in one document (``A != B``)."""
    out: Counter[tuple[str, str]] = Counter()
    ordered = sorted(turns, key=lambda t: t.position)
    for before, after in zip(ordered, ordered[1:], strict=False):
        if before.speaker and after.speaker and before.speaker != after.speaker:
            out[(before.speaker, after.speaker)] += 1
    return out


def codes_by_turn(
    codings: Iterable[CodedSpan], turns: Sequence[SpokenTurn]
) -> dict[int, set[str]]:
    """``{turn position: codes of the codings that cover it}``."""
    out: dict[int, set[str]] = {t.position: set() for t in turns}
    index = TurnIndex(turns)
    for span in codings:
        for turn in index.covered(span.start, span.end):
            out[turn.position].add(span.code)
    return out


def adjacent_cooccurrence(
    codings: Iterable[CodedSpan],
    turns: Sequence[SpokenTurn],
    *,
    exclude: Iterable[str] = (),
) -> Counter[tuple[str, str]]:
    """``{(code of a turn, code of the next turn): pairs of adjacent turns}``.

    Only adjacent turns of two different participants count; a pair where either
    speaker is in ``exclude`` (the moderator) is left out.
    """
    left_out = set(exclude)
    ordered = sorted(turns, key=lambda t: t.position)
    codes = codes_by_turn(codings, ordered)
    out: Counter[tuple[str, str]] = Counter()
    for before, after in zip(ordered, ordered[1:], strict=False):
        if (
            not before.speaker
            or not after.speaker
            or before.speaker == after.speaker
            or before.speaker in left_out
            or after.speaker in left_out
        ):
            continue
        for first in codes[before.position]:
            for second in codes[after.position]:
                out[(first, second)] += 1
    return out


def square(
    counts: Mapping[tuple[str, str], int],
    rows: Sequence[str],
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """A ``rows x columns`` table of ``counts`` (zeros where absent)."""
    cols = list(rows if columns is None else columns)
    frame = pd.DataFrame(0, index=list(rows), columns=cols, dtype="int64")
    for (row, column), n in counts.items():
        if row in frame.index and column in frame.columns:
            frame.loc[row, column] = n
    return frame


def plot_transitions(frame: pd.DataFrame, path: str | Path) -> None:
    """Write ``frame`` (participants x participants) as an SVG heat map.

    Each cell carries its count as text; the SVG gets a ``<title>`` and the
    figure's numbers are readable as text (``svg.fonttype: none``).
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    size = max(3.0, 0.6 * len(frame.columns) + 2.0)
    figure = Figure(figsize=(size, size))
    axes = figure.add_subplot()
    axes.imshow(frame.values, cmap="Blues", vmin=0)
    axes.set_xticks(range(len(frame.columns)), [str(c) for c in frame.columns],
                    rotation=45, ha="right")  # fmt: skip
    axes.set_yticks(range(len(frame.index)), [str(i) for i in frame.index])
    axes.set_xlabel("speaks next")
    axes.set_ylabel("speaks first")
    top = frame.values.max() if frame.size else 0
    for i in range(len(frame.index)):
        for j in range(len(frame.columns)):
            value = int(frame.iat[i, j])
            axes.text(j, i, str(value), ha="center", va="center",
                      color="white" if top and value > top / 2 else "black")  # fmt: skip
    axes.set_title("Who speaks right after whom (turns)")
    figure.tight_layout()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "sociaparis"}):
        figure.savefig(path, format="svg")
