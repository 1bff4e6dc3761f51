"""Inter-coder agreement on codings of text: units, presence tables, disagreements.

Codings (coder, document, start, end, code; code-point offsets, end exclusive)
are compared on *units*: speaker turns, paragraphs (:func:`span_units`) or
fixed-size segments (:func:`fixed_units`).  A coder applied a code to a unit when
one of their codings of that code overlaps the unit by at least ``min_overlap``
code points.  Each (unit, code) pair is then a presence/absence decision per
coder, and the coefficients of :mod:`sociaparis.analysis.reliability` are
computed per code and overall.  Pure: no database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from sociaparis.analysis.reliability import MEASURES, ReliabilityResult, compute
from sociaparis.qual.document import ImportedDocument

_CODING_COLUMNS = ("coder", "document", "start", "end", "code")


@dataclass(frozen=True, slots=True)
class CodingAgreement:
    """Agreement between coders on codings of text spans, per code and overall.

    Attributes
    ----------
    coders, codes
        The coders and codes compared, in table order.
    n_units
        Number of units (turns, paragraphs or segments).
    per_code
        ``{code: {measure: ReliabilityResult}}``.
    overall
        ``{measure: ReliabilityResult}`` on the stacked (unit, code) decisions.
    disagreements
        DataFrame with columns ``document, unit, start, end, code, applied_by,
        not_applied_by, excerpt``, one row per unit and code on which the coders
        did not all make the same decision.
    min_overlap
        Code points a coding must share with a unit to count as applied to it.
    """

    coders: tuple[str, ...]
    codes: tuple[str, ...]
    n_units: int
    per_code: Mapping[str, Mapping[str, ReliabilityResult]]
    overall: Mapping[str, ReliabilityResult]
    disagreements: pd.DataFrame
    min_overlap: int = 1

    def to_frame(self) -> pd.DataFrame:
        """Code x measure table of values, with an ``(overall)`` row last."""
        rows = {
            code: {m: r.value for m, r in res.items()}
            for code, res in self.per_code.items()
        }
        rows["(overall)"] = {m: r.value for m, r in self.overall.items()}
        frame = pd.DataFrame.from_dict(rows, orient="index")
        frame.index.name = "code"
        return frame

    def to_dict(self) -> dict[str, Any]:
        """JSON twin: coders, codes, per-code and overall results, disagreements."""
        return {
            "coders": list(self.coders),
            "codes": list(self.codes),
            "n_units": self.n_units,
            "min_overlap": self.min_overlap,
            "per_code": {
                code: {m: r.to_dict() for m, r in res.items()}
                for code, res in self.per_code.items()
            },
            "overall": {m: r.to_dict() for m, r in self.overall.items()},
            "disagreements": self.disagreements.to_dict(orient="records"),
        }


def _frame(rows: Any, columns: Sequence[str], what: str) -> pd.DataFrame:
    """A DataFrame from a DataFrame or an iterable of mappings, with required columns."""
    frame = rows.copy() if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    if frame.empty and not len(frame.columns):
        frame = pd.DataFrame(columns=list(columns))
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{what} lack the column(s) {missing}; they need {list(columns)}"
        )
    for col in ("start", "end"):
        values = pd.to_numeric(frame[col], errors="coerce")
        if values.isna().any() or (values < 0).any() or (values % 1 != 0).any():
            raise ValueError(
                f"{what}: '{col}' must hold code-point offsets (integers >= 0)"
            )
        frame[col] = values.astype(np.int64)
    bad = frame[frame["end"] <= frame["start"]]
    if len(bad):
        first = bad.iloc[0]
        raise ValueError(
            f"{what}: end must be greater than start (end exclusive), got "
            f"start={first['start']}, end={first['end']}"
        )
    return frame.reset_index(drop=True)


def _units(units: Any) -> pd.DataFrame:
    """Validated units with a ``unit`` label column (default ``document:start-end``)."""
    uni = _frame(units, ("document", "start", "end"), "units")
    if "unit" not in uni.columns:
        uni["unit"] = [
            f"{d}:{s}-{e}" for d, s, e in uni[["document", "start", "end"]].values
        ]
    if uni["unit"].duplicated().any():
        raise ValueError(
            f"unit labels repeat: {uni['unit'][uni['unit'].duplicated()].tolist()}"
        )
    return uni


def _sorted(values: Any) -> list[Any]:
    """Distinct values, sorted (as text when they do not compare)."""
    distinct = list(dict.fromkeys(values))
    try:
        return sorted(distinct)
    except TypeError:
        return sorted(distinct, key=str)


def span_units(spans: Mapping[str, Sequence[tuple[int, int]]]) -> pd.DataFrame:
    """Units from (start, end) spans per document, e.g. speaker turns or paragraphs.

    Parameters
    ----------
    spans
        ``{document: [(start, end), ...]}`` in code points, end exclusive.

    Returns
    -------
    pandas.DataFrame
        Columns ``document, unit, start, end`` (``unit`` = ``"document#i"``).

    Examples
    --------
    >>> span_units({"d1": [(0, 5), (6, 12)]})["unit"].tolist()
    ['d1#1', 'd1#2']
    """
    rows = [
        {"document": doc, "unit": f"{doc}#{i}", "start": start, "end": end}
        for doc, items in spans.items()
        for i, (start, end) in enumerate(items, start=1)
    ]
    return pd.DataFrame(rows, columns=["document", "unit", "start", "end"])


def fixed_units(lengths: Mapping[str, int], *, size: int) -> pd.DataFrame:
    """Units of ``size`` code points cut from the start of each document.

    Parameters
    ----------
    lengths
        ``{document: length of its text in code points}``.
    size
        Segment length; the last segment of a document may be shorter.

    Returns
    -------
    pandas.DataFrame
        Columns ``document, unit, start, end``.

    Examples
    --------
    >>> fixed_units({"d1": 25}, size=10)[["start", "end"]].values.tolist()
    [[0, 10], [10, 20], [20, 25]]
    """
    if size < 1:
        raise ValueError(f"size must be a positive number of code points, got {size}")
    return span_units(
        {
            doc: [(s, min(s + size, n)) for s in range(0, n, size)]
            for doc, n in lengths.items()
        }
    )


def document_units(
    documents: Mapping[str, ImportedDocument],
    *,
    kind: Literal["turns", "paragraphs", "segments"] = "turns",
    size: int = 500,
) -> pd.DataFrame:
    """Units of imported documents: their speaker turns, paragraphs or segments.

    Parameters
    ----------
    documents
        ``{document id: ImportedDocument}``; the ids are those of the codings.
    kind
        ``"turns"`` (a document without turns falls back to its paragraphs),
        ``"paragraphs"``, or ``"segments"`` of ``size`` code points.
    size
        Segment length for ``kind="segments"``.

    Returns
    -------
    pandas.DataFrame
        Columns ``document, unit, start, end``.
    """
    if kind == "segments":
        return fixed_units({d: len(doc.text) for d, doc in documents.items()}, size=size)
    if kind not in ("turns", "paragraphs"):
        raise ValueError(
            f"kind must be 'turns', 'paragraphs' or 'segments', got {kind!r}"
        )
    spans = {}
    for doc_id, doc in documents.items():
        if kind == "turns" and doc.turns:
            spans[doc_id] = [(t.start, t.end) for t in doc.turns]
        else:
            spans[doc_id] = list(doc.paragraphs)
    return span_units(spans)


def presence_tables(
    codings: Any,
    units: Any,
    *,
    coders: Sequence[str] | None = None,
    codes: Sequence[str] | None = None,
    min_overlap: int = 1,
) -> dict[str, pd.DataFrame]:
    """Unit x coder tables of 1 (the coder applied the code to the unit) or 0.

    Parameters
    ----------
    codings
        DataFrame or iterable of mappings with ``coder, document, start, end,
        code`` (code-point offsets, end exclusive).
    units
        DataFrame or iterable of mappings with ``document, start, end`` and
        optionally ``unit`` (see :func:`span_units`, :func:`fixed_units`).  Only
        codings on documents that have units are considered.
    coders, codes
        Which to compare (default: all found in ``codings``, sorted).  Every coder
        is taken to have coded every unit: a coder who coded nothing scores 0.
    min_overlap
        A coding applies to a unit when they share at least this many code points.

    Returns
    -------
    dict
        ``{code: DataFrame}`` indexed by unit label, one int column per coder.
    """
    if min_overlap < 1:
        raise ValueError(f"min_overlap must be >= 1 code point, got {min_overlap}")
    cod = _frame(codings, _CODING_COLUMNS, "codings")
    uni = _units(units)
    coder_list = list(coders) if coders is not None else _sorted(cod["coder"])
    code_list = list(codes) if codes is not None else _sorted(cod["code"])
    if len(coder_list) < 2:
        raise ValueError(f"agreement needs at least 2 coders, got {coder_list}")
    keys = {
        (code, coder): k
        for k, (code, coder) in enumerate(
            (code, coder) for code in code_list for coder in coder_list
        )
    }
    presence = np.zeros((len(uni), len(keys)), dtype=np.int64)
    for doc, doc_units in uni.groupby("document", sort=False):
        doc_codings = cod[cod["document"] == doc]
        key = [
            keys.get((c, r), -1)
            for c, r in zip(doc_codings["code"], doc_codings["coder"], strict=True)
        ]
        key_arr = np.asarray(key, dtype=np.int64)
        doc_codings = doc_codings[key_arr >= 0]
        key_arr = key_arr[key_arr >= 0]
        if not len(doc_codings):
            continue
        u_start = doc_units["start"].to_numpy()[:, None]
        u_end = doc_units["end"].to_numpy()[:, None]
        overlap = np.minimum(u_end, doc_codings["end"].to_numpy()) - np.maximum(
            u_start, doc_codings["start"].to_numpy()
        )
        hits = (overlap >= min_overlap).astype(np.int64)
        onehot = np.zeros((len(key_arr), len(keys)), dtype=np.int64)
        onehot[np.arange(len(key_arr)), key_arr] = 1
        rows = uni.index.get_indexer(doc_units.index)
        presence[rows] = ((hits @ onehot) > 0).astype(np.int64)
    index = pd.Index(uni["unit"].to_numpy(), name="unit")
    return {
        code: pd.DataFrame(
            presence[:, [keys[(code, coder)] for coder in coder_list]],
            index=index,
            columns=pd.Index(coder_list, name="coder"),
        )
        for code in code_list
    }


def _binary_measures(
    table: pd.DataFrame, measures: Sequence[str]
) -> dict[str, ReliabilityResult]:
    """The requested coefficients on a 0/1 presence table."""
    return {
        m: compute(
            m,
            table,
            level="unweighted" if m == "cohen_kappa" else "nominal",
            categories=[0, 1],
        )
        for m in measures
    }


def coding_agreement(
    codings: Any,
    units: Any,
    *,
    coders: Sequence[str] | None = None,
    codes: Sequence[str] | None = None,
    measures: Sequence[str] | None = None,
    texts: Mapping[str, str] | None = None,
    min_overlap: int = 1,
    excerpt_chars: int = 200,
) -> CodingAgreement:
    """Agreement between coders per code and overall, with the disagreements.

    Each (unit, code) pair is a presence/absence decision by each coder; the
    coefficients are computed per code on the unit x coder table, and overall on
    the tables of all codes stacked (every (unit, code) pair is one decision).

    Parameters
    ----------
    codings, units, coders, codes, min_overlap
        As in :func:`presence_tables`.
    measures
        Coefficients to compute (default: all of :data:`MEASURES` with 2 coders,
        all but ``cohen_kappa`` with more).  Alpha is nominal, Cohen unweighted.
    texts
        ``{document: text}`` for the disagreement excerpts (else left empty).
    excerpt_chars
        Longest excerpt; longer ones are cut and end with an ellipsis.

    Returns
    -------
    CodingAgreement
        Per code and overall results and the disagreement list.

    Examples
    --------
    >>> codings = [
    ...     {"coder": "ana", "document": "d", "start": 0, "end": 9, "code": "IA"},
    ...     {"coder": "ben", "document": "d", "start": 2, "end": 4, "code": "IA"},
    ...     {"coder": "ben", "document": "d", "start": 12, "end": 15, "code": "IA"},
    ... ]
    >>> units = span_units({"d": [(0, 10), (10, 20), (20, 30)]})
    >>> result = coding_agreement(codings, units)
    >>> round(result.per_code["IA"]["percent_agreement"].value, 6)
    0.666667
    >>> result.disagreements[["unit", "applied_by", "not_applied_by"]].values.tolist()
    [['d#2', 'ben', 'ana']]
    """
    tables = presence_tables(
        codings, units, coders=coders, codes=codes, min_overlap=min_overlap
    )
    if not tables:
        raise ValueError(
            "no code to compare: the codings are empty and no codes were given"
        )
    first = next(iter(tables.values()))
    coder_list = [str(c) for c in first.columns]
    if measures is None:
        measures = [m for m in MEASURES if m != "cohen_kappa" or len(coder_list) == 2]
    unknown = [m for m in measures if m not in MEASURES]
    if unknown:
        raise ValueError(f"unknown measures {unknown}; choose among {MEASURES}")
    per_code = {code: _binary_measures(table, measures) for code, table in tables.items()}
    overall = _binary_measures(pd.concat(tables.values(), ignore_index=True), measures)
    # the tables' rows are the units in order
    uni = _units(units)
    labels, docs, starts, ends = (
        uni[c].to_numpy() for c in ("unit", "document", "start", "end")
    )
    rows = []
    for code, table in tables.items():
        values = table.to_numpy()
        for pos in np.nonzero(values.min(axis=1) != values.max(axis=1))[0]:
            label = labels[pos]
            doc, start, end = docs[pos], int(starts[pos]), int(ends[pos])
            excerpt = ""
            if texts is not None and doc in texts:
                excerpt = texts[doc][start:end]
                if len(excerpt) > excerpt_chars:
                    excerpt = excerpt[: excerpt_chars - 1] + "…"
            flags = list(zip(coder_list, values[pos], strict=True))
            rows.append(
                {
                    "document": doc,
                    "unit": label,
                    "start": start,
                    "end": end,
                    "code": code,
                    "applied_by": ", ".join(c for c, v in flags if v),
                    "not_applied_by": ", ".join(c for c, v in flags if not v),
                    "excerpt": excerpt,
                }
            )
    columns = ["document", "unit", "start", "end", "code", "applied_by", "not_applied_by"]
    return CodingAgreement(
        coders=tuple(coder_list),
        codes=tuple(tables),
        n_units=len(first),
        per_code=per_code,
        overall=overall,
        disagreements=pd.DataFrame(rows, columns=[*columns, "excerpt"]),
        min_overlap=min_overlap,
    )
