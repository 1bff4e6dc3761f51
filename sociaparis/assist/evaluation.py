"""Agreement of an AI coder with a person, per code: can the AI be trusted here?

The AI's passages and the person's codings are compared on the *same units* as
the human agreement (:mod:`sociaparis.qual.agreement`: turns, paragraphs or
segments; a coder applied a code to a unit when a passage overlaps it by
``min_overlap`` code points).  Per code:

* Cohen's kappa and Krippendorff's alpha (nominal) from
  :func:`sociaparis.qual.agreement.coding_agreement`, the very figures the
  agreement page gives for two people, with a percentile interval from a
  bootstrap over *documents* (units of a document are not independent; the seed
  is fixed, so the interval is the same on every run);
* precision (of the units the AI coded, the share the person coded too) and
  recall (of the units the person coded, the share the AI found), each with a
  Wilson score interval;
* a reading after Krippendorff (2004, p. 241): alpha >= 0.800 ``reliable``,
  0.667 <= alpha < 0.800 ``tentative`` (for tentative conclusions only), below
  ``unreliable``; ``undefined`` when alpha cannot be computed (one of them never
  or always applied the code).  ``settled`` says whether the interval's lower
  bound reaches the same level, as Krippendorff recommends before relying on it.

Pure: plain data in, dataclasses out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sociaparis.analysis.reliability import compute
from sociaparis.qual.agreement import coding_agreement, presence_tables

#: Krippendorff's (2004) smallest acceptable alphas: reliable, tentative
RELIABLE = 0.800
TENTATIVE = 0.667
#: bootstrap replicates of the intervals of kappa and alpha
DEFAULT_BOOTSTRAP = 200
DEFAULT_CONFIDENCE = 0.95
TRUST_LEVELS = ("reliable", "tentative", "unreliable", "undefined")
_MEASURES = ("percent_agreement", "cohen_kappa", "krippendorff_alpha")
_LEVELS = {"cohen_kappa": "unweighted", "krippendorff_alpha": "nominal"}

Interval = tuple[float, float]


def trust_level(alpha: float) -> str:
    """``reliable``, ``tentative``, ``unreliable`` or ``undefined`` for an alpha.

    Examples
    --------
    >>> [trust_level(a) for a in (0.9, 0.7, 0.2, float("nan"))]
    ['reliable', 'tentative', 'unreliable', 'undefined']
    """
    if alpha != alpha:
        return "undefined"
    if alpha >= RELIABLE:
        return "reliable"
    if alpha >= TENTATIVE:
        return "tentative"
    return "unreliable"


def wilson(
    successes: int, trials: int, confidence: float = DEFAULT_CONFIDENCE
) -> Interval | None:
    """Wilson score interval of a proportion (``None`` with no trial).

    Examples
    --------
    >>> [round(x, 4) for x in wilson(8, 10)]
    [0.4902, 0.9433]
    """
    if trials == 0:
        return None
    from scipy.stats import binomtest

    ci = binomtest(successes, trials).proportion_ci(confidence, method="wilson")
    return float(ci.low), float(ci.high)


@dataclass(frozen=True, slots=True)
class CodeEvaluation:
    """How far the AI agrees with the person on one code (or overall).

    Attributes
    ----------
    code
        The code path, or ``"(overall)"``.
    n_units
        Units compared.
    both, ai_only, human_only, neither
        Units both coded, only the AI, only the person, neither.
    percent_agreement, kappa, alpha
        Coefficients (``nan`` when undefined).
    kappa_ci, alpha_ci
        Bootstrap percentile intervals over documents (``None`` without enough
        defined replicates or when the bootstrap is off).
    precision, recall
        ``both / (both + ai_only)`` and ``both / (both + human_only)``
        (``nan`` when the denominator is 0), with Wilson intervals.
    trust
        See :func:`trust_level` (from ``alpha``).
    settled
        Whether the lower bound of ``alpha_ci`` reaches the same level.
    """

    code: str
    n_units: int
    both: int
    ai_only: int
    human_only: int
    neither: int
    percent_agreement: float
    kappa: float
    kappa_ci: Interval | None
    alpha: float
    alpha_ci: Interval | None
    precision: float
    precision_ci: Interval | None
    recall: float
    recall_ci: Interval | None
    trust: str
    settled: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (``nan`` as ``None``)."""
        out: dict[str, Any] = {}
        for name in self.__slots__:  # type: ignore[attr-defined]
            value = getattr(self, name)
            if isinstance(value, float) and value != value:
                value = None
            elif isinstance(value, tuple):
                value = list(value)
            out[name] = value
        return out


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The agreement of an AI coder with a person, per code and overall.

    Attributes
    ----------
    ai, human
        The two coders compared.
    source
        What was evaluated, in words (e.g. ``run 3``, ``offline, 5-fold
        cross-validation by document``).
    unit, min_overlap
        How the texts were cut into units and the overlap that counts.
    n_documents, n_units
        Documents and units compared.
    codes
        One :class:`CodeEvaluation` per code, in codebook order given.
    overall
        The same on every (unit, code) decision stacked.
    bootstrap, seed, confidence
        Replicates and seed of the kappa/alpha intervals; level of every interval.
    notes
        Plain sentences on what was left out.
    """

    ai: str
    human: str
    source: str
    unit: str
    min_overlap: int
    n_documents: int
    n_units: int
    codes: tuple[CodeEvaluation, ...]
    overall: CodeEvaluation
    bootstrap: int
    seed: int
    confidence: float
    notes: tuple[str, ...] = ()

    @property
    def trusted(self) -> tuple[str, ...]:
        """Codes on which the AI is ``reliable``."""
        return tuple(c.code for c in self.codes if c.trust == "reliable")

    def to_dict(self) -> dict[str, Any]:
        """JSON twin of the table."""
        return {
            "ai": self.ai,
            "human": self.human,
            "source": self.source,
            "unit": self.unit,
            "min_overlap": self.min_overlap,
            "n_documents": self.n_documents,
            "n_units": self.n_units,
            "bootstrap": self.bootstrap,
            "seed": self.seed,
            "confidence": self.confidence,
            "thresholds": {"reliable": RELIABLE, "tentative": TENTATIVE},
            "codes": [c.to_dict() for c in self.codes],
            "overall": self.overall.to_dict(),
            "trusted": list(self.trusted),
            "notes": list(self.notes),
        }


def _percentile(values: list[float], confidence: float, n_wanted: int) -> Interval | None:
    """Percentile interval of the defined replicates, if at least half are."""
    kept = [v for v in values if v == v]
    if not kept or len(kept) < n_wanted / 2:
        return None
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(kept, [tail, 100 - tail])
    return float(low), float(high)


def _counts(table: np.ndarray) -> tuple[int, int, int, int]:
    """both, ai only, human only, neither of a units x (human, ai) 0/1 table."""
    human, ai = table[:, 0].astype(bool), table[:, 1].astype(bool)
    return (
        int((human & ai).sum()),
        int((ai & ~human).sum()),
        int((human & ~ai).sum()),
        int((~human & ~ai).sum()),
    )


def _ratio(num: int, den: int) -> float:
    return num / den if den else math.nan


def _measure(name: str, table: np.ndarray) -> float:
    """A coefficient on a 0/1 table with the settings of the human agreement."""
    try:
        return compute(name, table, level=_LEVELS[name], categories=[0, 1]).value
    except ValueError:
        return math.nan


def _evaluate_code(
    code: str,
    table: np.ndarray,
    values: dict[str, float],
    doc_rows: Sequence[np.ndarray],
    draws: np.ndarray,
    confidence: float,
) -> CodeEvaluation:
    both, ai_only, human_only, neither = _counts(table)
    kappa_ci = alpha_ci = None
    if len(draws):
        kappas, alphas = [], []
        for draw in draws:
            rows = np.concatenate([doc_rows[d] for d in draw])
            sample = table[rows]
            kappas.append(_measure("cohen_kappa", sample))
            alphas.append(_measure("krippendorff_alpha", sample))
        kappa_ci = _percentile(kappas, confidence, len(draws))
        alpha_ci = _percentile(alphas, confidence, len(draws))
    alpha = values["krippendorff_alpha"]
    trust = trust_level(alpha)
    settled = alpha_ci is not None and trust_level(alpha_ci[0]) == trust
    return CodeEvaluation(
        code=code,
        n_units=len(table),
        both=both,
        ai_only=ai_only,
        human_only=human_only,
        neither=neither,
        percent_agreement=values["percent_agreement"],
        kappa=values["cohen_kappa"],
        kappa_ci=kappa_ci,
        alpha=alpha,
        alpha_ci=alpha_ci,
        precision=_ratio(both, both + ai_only),
        precision_ci=wilson(both, both + ai_only, confidence),
        recall=_ratio(both, both + human_only),
        recall_ci=wilson(both, both + human_only, confidence),
        trust=trust,
        settled=settled,
    )


def evaluate_agreement(
    codings: Any,
    units: Any,
    *,
    ai: str,
    human: str,
    codes: Sequence[str] | None = None,
    source: str = "",
    unit: str = "turns",
    min_overlap: int = 1,
    bootstrap: int = DEFAULT_BOOTSTRAP,
    seed: int = 0,
    confidence: float = DEFAULT_CONFIDENCE,
    notes: Sequence[str] = (),
) -> Evaluation:
    """Per-code agreement of coder ``ai`` with coder ``human`` on ``units``.

    Parameters
    ----------
    codings
        Rows ``coder, document, start, end, code`` of both coders (the AI's
        suggestions as codings of ``ai``; other coders are ignored).
    units
        Units as :func:`sociaparis.qual.agreement.span_units` gives them.
    codes
        Codes to evaluate (default: every code either applied, sorted).
    bootstrap
        Replicates of the document bootstrap of kappa and alpha (0: no interval).
    seed, confidence
        Seed of the bootstrap; level of every interval.
    source, unit, notes
        Recorded on the result.

    Returns
    -------
    Evaluation

    Examples
    --------
    >>> codings = [
    ...     {"coder": "ana", "document": "d", "start": 0, "end": 5, "code": "IA"},
    ...     {"coder": "ai:m", "document": "d", "start": 0, "end": 5, "code": "IA"},
    ...     {"coder": "ai:m", "document": "d", "start": 12, "end": 15, "code": "IA"},
    ... ]
    >>> from sociaparis.qual.agreement import span_units
    >>> units = span_units({"d": [(0, 10), (10, 20), (20, 30)]})
    >>> result = evaluate_agreement(codings, units, ai="ai:m", human="ana", bootstrap=0)
    >>> result.codes[0].precision, result.codes[0].recall
    (0.5, 1.0)
    """
    if bootstrap < 0:
        raise ValueError(f"bootstrap must be >= 0 replicates, got {bootstrap}")
    frame = (
        pd.DataFrame(list(codings)) if not isinstance(codings, pd.DataFrame) else codings
    )
    if frame.empty:
        frame = pd.DataFrame(columns=["coder", "document", "start", "end", "code"])
    frame = frame[frame["coder"].isin([ai, human])]
    agreement = coding_agreement(
        frame, units, coders=[human, ai], codes=codes, measures=_MEASURES,
        min_overlap=min_overlap,
    )  # fmt: skip
    tables = presence_tables(
        frame, units, coders=[human, ai], codes=list(agreement.codes),
        min_overlap=min_overlap,
    )  # fmt: skip
    unit_frame = units if isinstance(units, pd.DataFrame) else pd.DataFrame(list(units))
    documents = list(dict.fromkeys(unit_frame["document"]))
    positions = {d: i for i, d in enumerate(documents)}
    doc_of_row = np.array([positions[d] for d in unit_frame["document"]])
    doc_rows = [np.nonzero(doc_of_row == i)[0] for i in range(len(documents))]
    rng = np.random.default_rng(seed)
    draws = (
        rng.integers(0, len(documents), size=(bootstrap, len(documents)))
        if bootstrap and documents
        else np.zeros((0, 0), dtype=int)
    )
    per_code = tuple(
        _evaluate_code(
            code,
            tables[code].to_numpy(),
            {m: r.value for m, r in agreement.per_code[code].items()},
            doc_rows,
            draws,
            confidence,
        )  # fmt: skip
        for code in agreement.codes
    )
    stacked = np.concatenate([tables[c].to_numpy() for c in agreement.codes])
    n_codes = len(agreement.codes)
    # in the stacked table, a document's units come back once per code
    stacked_rows = [
        np.concatenate([rows + k * len(unit_frame) for k in range(n_codes)])
        for rows in doc_rows
    ]
    overall = _evaluate_code(
        "(overall)", stacked, {m: r.value for m, r in agreement.overall.items()},
        stacked_rows, draws, confidence,
    )  # fmt: skip
    return Evaluation(
        ai=ai,
        human=human,
        source=source,
        unit=unit,
        min_overlap=min_overlap,
        n_documents=len(documents),
        n_units=agreement.n_units,
        codes=per_code,
        overall=overall,
        bootstrap=bootstrap,
        seed=seed,
        confidence=confidence,
        notes=tuple(notes),
    )
