"""Inter-coder agreement: percent agreement, Cohen, Fleiss, Gwet's AC1, Krippendorff.

Every coefficient takes a *units x coders* table (a :class:`pandas.DataFrame` or
anything :func:`numpy.asarray` accepts; ``NaN``/``None`` = missing) with
keyword-only options, and returns a frozen :class:`ReliabilityResult`.  Values may
be numbers or labels; the ordinal level needs values that sort, the interval and
ratio levels need numbers.

The qualitative-coding layer (codings on spans of text, units, the disagreement
list) is :mod:`sociaparis.qual.agreement`, built on these functions.
:func:`run_case` reads a case in the layout of the reliability conformance folder.

See ``docs/agreement.md`` for the formulas and their R equivalents.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

Metric = Literal["nominal", "ordinal", "interval", "ratio"]
Weights = Literal["unweighted", "linear", "quadratic"]
NanPolicy = Literal["raise", "omit"]

METRICS: tuple[str, ...] = ("nominal", "ordinal", "interval", "ratio")
WEIGHTS: tuple[str, ...] = ("unweighted", "linear", "quadratic")
#: every measure :func:`compute` knows, in the order tables show them
MEASURES: tuple[str, ...] = (
    "percent_agreement",
    "cohen_kappa",
    "fleiss_kappa",
    "gwet_ac1",
    "krippendorff_alpha",
)
_MEASURE_ALIASES = {
    "percent": "percent_agreement",
    "agreement": "percent_agreement",
    "cohen": "cohen_kappa",
    "cohens_kappa": "cohen_kappa",
    "kappa": "cohen_kappa",
    "fleiss": "fleiss_kappa",
    "gwet": "gwet_ac1",
    "ac1": "gwet_ac1",
    "krippendorff": "krippendorff_alpha",
    "alpha": "krippendorff_alpha",
}
_WEIGHT_ALIASES = {
    None: "unweighted",
    "none": "unweighted",
    "unweighted": "unweighted",
    "identity": "unweighted",
    "linear": "linear",
    "equal": "linear",
    "quadratic": "quadratic",
    "squared": "quadratic",
}


@dataclass(frozen=True, slots=True)
class ReliabilityResult:
    """One agreement coefficient with the quantities it was computed from.

    Attributes
    ----------
    measure
        One of :data:`MEASURES`.
    value
        The coefficient (``nan`` when undefined, e.g. kappa when every rating is
        the same category).
    n_units
        Units that entered the computation (after dropping missing or unpairable
        units).
    n_coders
        Coders (columns) in the table.
    level
        Krippendorff's metric (``nominal``…), Cohen's weights (``unweighted``,
        ``linear``, ``quadratic``), or ``nominal`` for the others.
    observed_agreement, chance_agreement
        p_o and p_e of the kappa family and of percent agreement (``None`` for
        alpha).
    observed_disagreement, expected_disagreement
        D_o and D_e of Krippendorff's alpha (``None`` for the others).
    categories
        The distinct values found (or given), in the order used.
    """

    measure: str
    value: float
    n_units: int
    n_coders: int
    level: str
    observed_agreement: float | None = None
    chance_agreement: float | None = None
    observed_disagreement: float | None = None
    expected_disagreement: float | None = None
    categories: tuple[Any, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON twin of the result (categories as a list)."""
        out = asdict(self)
        out["categories"] = [_plain(c) for c in self.categories]
        return out

    def to_frame(self) -> pd.DataFrame:
        """One-row DataFrame of the result (without the categories)."""
        row = self.to_dict()
        row.pop("categories")
        return pd.DataFrame([row])


def _plain(value: Any) -> Any:
    """Turn numpy scalars into Python scalars for JSON."""
    return value.item() if isinstance(value, np.generic) else value


# --------------------------------------------------------------------------- input


def _table(data: Any) -> np.ndarray:
    """A units x coders array: floats with ``NaN`` for missing when every value is a
    number, else objects with ``None`` for missing."""
    frame = (
        data
        if isinstance(data, pd.DataFrame)
        else pd.DataFrame(np.asarray(data, dtype=object))
    )
    if frame.ndim != 2 or frame.shape[1] < 2:
        raise ValueError(
            f"agreement needs a units x coders table with at least 2 coders, got shape "
            f"{frame.shape}"
        )
    inferred = frame.infer_objects()
    if all(
        pd.api.types.is_numeric_dtype(kind) and not pd.api.types.is_bool_dtype(kind)
        for kind in inferred.dtypes
    ):
        return inferred.to_numpy(dtype=float, na_value=np.nan)
    values = frame.to_numpy(dtype=object).copy()
    values[pd.isna(frame).to_numpy()] = None
    return values


def _tidy(value: float) -> int | float:
    """A float category as an int when it is a whole number (``2.0`` -> ``2``)."""
    return int(value) if float(value).is_integer() else float(value)


def _encode_numeric(
    values: np.ndarray, categories: Sequence[Any] | None
) -> tuple[np.ndarray, list[Any]] | None:
    """Vectorized :func:`_encode` for float tables (``None``: categories not numbers)."""
    mask = ~np.isnan(values)
    present = values[mask]
    if categories is None:
        cat_values = np.unique(present)
        cats: list[Any] = [_tidy(v) for v in cat_values]
    else:
        cats = [_plain(c) for c in categories]
        try:
            cat_values = np.asarray([float(c) for c in cats], dtype=float)
        except (TypeError, ValueError):
            return None
    order = np.argsort(cat_values, kind="stable")
    ordered = cat_values[order]
    pos = np.clip(np.searchsorted(ordered, present), 0, max(len(ordered) - 1, 0))
    if present.size and (not len(ordered) or not np.all(ordered[pos] == present)):
        unknown = sorted({_tidy(v) for v in present} - {_tidy(v) for v in cat_values})
        raise ValueError(f"values {unknown} are not in categories {cats}")
    codes = np.full(values.shape, -1, dtype=np.int64)
    codes[mask] = order[pos] if present.size else []
    return codes, cats


def _sorted_categories(values: Iterable[Any]) -> list[Any]:
    """Distinct values in sort order: numbers (or numeric labels such as ``"10"``)
    numerically, other labels as text."""
    distinct = list(dict.fromkeys(_plain(v) for v in values))
    try:
        return sorted(distinct, key=float)
    except (TypeError, ValueError):
        pass
    try:
        return sorted(distinct)
    except TypeError:
        return sorted(distinct, key=str)


def _key(value: Any) -> Any:
    """Lookup key of a value: numbers compare as floats (1 and 1.0 are one category)."""
    value = _plain(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


def _encode(
    values: np.ndarray, categories: Sequence[Any] | None
) -> tuple[np.ndarray, list[Any]]:
    """Integer codes (``-1`` = missing) and the category list they index."""
    if values.dtype.kind == "f":
        encoded = _encode_numeric(values, categories)
        if encoded is not None:
            return encoded
        values = np.where(np.isnan(values), None, values.astype(object))
    flat = values.ravel()
    mask = np.array([v is not None for v in flat], dtype=bool)
    present = flat[mask]
    cats = (
        _sorted_categories(present)
        if categories is None
        else [_plain(c) for c in categories]
    )
    index = {_key(c): i for i, c in enumerate(cats)}
    try:
        found = [index[_key(v)] for v in present]
    except KeyError:
        unknown = sorted({str(_plain(v)) for v in present if _key(v) not in index})
        raise ValueError(f"values {unknown} are not in categories {cats}") from None
    codes = np.full(flat.shape, -1, dtype=np.int64)
    codes[mask] = found
    return codes.reshape(values.shape), cats


def _numeric(categories: Sequence[Any], level: str) -> np.ndarray:
    """Category values as floats, for the interval and ratio levels."""
    try:
        return np.asarray(categories, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(
            f"the {level} level needs numeric values, got {list(categories)}"
        ) from None


def _complete(codes: np.ndarray, nan_policy: str, measure: str) -> np.ndarray:
    """Rows without any missing rating, or an error if there are some and policy=raise."""
    if nan_policy not in ("raise", "omit"):
        raise ValueError(f"nan_policy must be 'raise' or 'omit', got {nan_policy!r}")
    full = (codes >= 0).all(axis=1)
    if not full.all() and nan_policy == "raise":
        raise ValueError(
            f"{measure} needs a rating from every coder on every unit; "
            f"{int((~full).sum())} unit(s) have missing ratings. Pass nan_policy='omit' "
            "to drop them, or use krippendorff_alpha or gwet_ac1, which allow them."
        )
    return codes[full]


def _counts(codes: np.ndarray, n_categories: int) -> np.ndarray:
    """Units x categories matrix of how many coders chose each category."""
    rows, cols = np.nonzero(codes >= 0)
    flat = rows * n_categories + codes[rows, cols]
    counts = np.bincount(flat, minlength=codes.shape[0] * n_categories)
    return counts.reshape(codes.shape[0], n_categories).astype(float)


def _kappa(p_o: float, p_e: float) -> float:
    """(p_o - p_e) / (1 - p_e), ``nan`` when p_e = 1."""
    return (
        float("nan")
        if np.isclose(p_e, 1.0, rtol=0, atol=1e-15)
        else (p_o - p_e) / (1 - p_e)
    )


# --------------------------------------------------------------------- coefficients


def percent_agreement(
    data: Any, *, method: Literal["pairwise", "all"] = "pairwise"
) -> ReliabilityResult:
    """Share of agreeing ratings.

    Parameters
    ----------
    data
        Units x coders table; missing values allowed.
    method
        ``"pairwise"``: mean over units of the share of agreeing coder pairs
        (units with at least 2 ratings).  ``"all"``: share of units on which every
        coder who rated it gave the same value (R ``irr::agree``).  The two are
        equal for 2 coders.

    Returns
    -------
    ReliabilityResult
        ``value`` = ``observed_agreement``; ``chance_agreement`` is ``None``.

    Examples
    --------
    >>> percent_agreement([[1, 1], [1, 0], [0, 0], [1, 1]]).value
    0.75
    """
    codes, cats = _encode(_table(data), None)
    counts = _counts(codes, len(cats))
    m = counts.sum(axis=1)
    keep = m >= 2
    counts, m = counts[keep], m[keep]
    if method == "pairwise":
        per_unit = (counts * (counts - 1)).sum(axis=1) / (m * (m - 1))
    elif method == "all":
        per_unit = (counts.max(axis=1) == m).astype(float)
    else:
        raise ValueError(f"method must be 'pairwise' or 'all', got {method!r}")
    value = float(per_unit.mean()) if per_unit.size else float("nan")
    return ReliabilityResult(
        "percent_agreement",
        value,
        int(keep.sum()),
        codes.shape[1],
        "nominal",
        observed_agreement=value,
        categories=tuple(cats),
    )


def cohen_kappa(
    data: Any,
    *,
    weights: Weights | None = "unweighted",
    categories: Sequence[Any] | None = None,
    nan_policy: NanPolicy = "raise",
) -> ReliabilityResult:
    """Cohen's kappa for two coders, unweighted or with linear/quadratic weights.

    Parameters
    ----------
    data
        Units x 2 coders table.
    weights
        ``"unweighted"`` (or ``None``), ``"linear"`` or ``"quadratic"``.  Weights
        use the positions of the categories: w_ij = 1 - |i-j|/(q-1) (linear) or
        1 - (i-j)^2/(q-1)^2 (quadratic).
    categories
        Ordered categories; default: the sorted distinct values of both coders.
        Give the whole scale when some levels were never used, since it changes
        the weights.
    nan_policy
        ``"raise"`` or ``"omit"`` (drop units one coder left empty, as
        ``irr::kappa2`` does).

    Returns
    -------
    ReliabilityResult
        ``observed_agreement`` = sum w_ij p_ij, ``chance_agreement`` =
        sum w_ij p_i. p_.j, ``value`` = (p_o - p_e) / (1 - p_e).

    References
    ----------
    Cohen, J. (1960, 1968). R: ``irr::kappa2(weight = "unweighted" | "equal" |
    "squared")``.

    Examples
    --------
    >>> table = [[1, 1]] * 20 + [[1, 0]] * 5 + [[0, 1]] * 10 + [[0, 0]] * 15
    >>> round(cohen_kappa(table).value, 12)
    0.4
    """
    level = _WEIGHT_ALIASES.get(weights if weights is None else str(weights).lower())
    if level is None:
        raise ValueError(f"weights must be one of {WEIGHTS}, got {weights!r}")
    values = _table(data)
    if values.shape[1] != 2:
        raise ValueError(
            f"Cohen's kappa is for exactly 2 coders, got {values.shape[1]}; "
            "use fleiss_kappa, gwet_ac1 or krippendorff_alpha"
        )
    codes, cats = _encode(values, categories)
    codes = _complete(codes, nan_policy, "Cohen's kappa")
    q, n = len(cats), codes.shape[0]
    if n == 0:
        raise ValueError("Cohen's kappa: no unit was rated by both coders")
    joint = np.zeros((q, q))
    np.add.at(joint, (codes[:, 0], codes[:, 1]), 1.0)
    joint /= n
    i, j = np.indices((q, q))
    if level == "unweighted" or q == 1:
        w = (i == j).astype(float)
    elif level == "linear":
        w = 1 - np.abs(i - j) / (q - 1)
    else:
        w = 1 - (i - j) ** 2 / (q - 1) ** 2
    p_o = float((w * joint).sum())
    p_e = float((w * np.outer(joint.sum(axis=1), joint.sum(axis=0))).sum())
    return ReliabilityResult(
        "cohen_kappa",
        _kappa(p_o, p_e),
        n,
        2,
        level,
        observed_agreement=p_o,
        chance_agreement=p_e,
        categories=tuple(cats),
    )


def fleiss_kappa(
    data: Any,
    *,
    categories: Sequence[Any] | None = None,
    nan_policy: NanPolicy = "raise",
) -> ReliabilityResult:
    """Fleiss' kappa for any number of coders (same number of ratings per unit).

    Parameters
    ----------
    data
        Units x coders table.  Coder identity does not enter the formula.
    categories
        Categories; default: the distinct values found.
    nan_policy
        ``"raise"`` or ``"omit"`` (drop units with any missing rating, as
        ``irr::kappam.fleiss`` does).

    Returns
    -------
    ReliabilityResult
        ``observed_agreement`` = P-bar, ``chance_agreement`` = sum_j p_j^2.

    References
    ----------
    Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters.
    Psychological Bulletin 76(5), 378-382.  R: ``irr::kappam.fleiss``.
    """
    codes, cats = _encode(_table(data), categories)
    codes = _complete(codes, nan_policy, "Fleiss' kappa")
    return fleiss_kappa_from_counts(
        _counts(codes, len(cats)), categories=cats, n_coders=codes.shape[1]
    )


def fleiss_kappa_from_counts(
    counts: Any, *, categories: Sequence[Any] | None = None, n_coders: int | None = None
) -> ReliabilityResult:
    """Fleiss' kappa from a units x categories table of rating counts.

    Parameters
    ----------
    counts
        n_ij = number of coders who put unit i in category j; every row must have
        the same total.
    categories
        Labels of the columns (for the result only).
    n_coders
        Reported coder count; default: the row total.

    Returns
    -------
    ReliabilityResult
        As :func:`fleiss_kappa`.

    Examples
    --------
    >>> round(fleiss_kappa_from_counts([[2, 0], [0, 2], [1, 1]]).value, 12)
    0.333333333333
    """
    table = np.asarray(counts, dtype=float)
    if table.ndim != 2 or table.shape[0] == 0:
        raise ValueError(
            f"counts must be a non-empty units x categories table, got {table.shape}"
        )
    totals = table.sum(axis=1)
    if not np.all(totals == totals[0]) or totals[0] < 2:
        raise ValueError(
            "Fleiss' kappa needs the same number (>= 2) of ratings on every unit, got "
            f"{sorted(set(totals.tolist()))}"
        )
    r = totals[0]
    p_j = table.sum(axis=0) / table.sum()
    p_i = ((table * table).sum(axis=1) - r) / (r * (r - 1))
    p_o, p_e = float(p_i.mean()), float((p_j**2).sum())
    cats = tuple(categories) if categories is not None else tuple(range(table.shape[1]))
    return ReliabilityResult(
        "fleiss_kappa",
        _kappa(p_o, p_e),
        table.shape[0],
        int(n_coders or r),
        "nominal",
        observed_agreement=p_o,
        chance_agreement=p_e,
        categories=cats,
    )


def gwet_ac1(data: Any, *, categories: Sequence[Any] | None = None) -> ReliabilityResult:
    """Gwet's AC1 for any number of coders; missing ratings allowed.

    Parameters
    ----------
    data
        Units x coders table.
    categories
        All possible categories (q, their number, enters the chance term); default:
        the distinct values found.  For presence/absence data pass ``[0, 1]``.

    Returns
    -------
    ReliabilityResult
        ``observed_agreement`` p_a (units with at least 2 ratings),
        ``chance_agreement`` p_e = sum_k pi_k (1 - pi_k) / (q - 1), where pi_k is
        the mean over units (with at least 1 rating) of r_ik / r_i.

    References
    ----------
    Gwet, K. L. (2008). Computing inter-rater reliability and its variance in the
    presence of high agreement. British Journal of Mathematical and Statistical
    Psychology 61, 29-48.  R: ``irrCAC::gwet.ac1.raw``.

    Examples
    --------
    >>> table = [[1, 1]] * 7 + [[1, 0], [0, 1], [0, 0]]
    >>> round(gwet_ac1(table).value, 12)  # (0.8 - 0.32) / (1 - 0.32)
    0.705882352941
    """
    codes, cats = _encode(_table(data), categories)
    q = len(cats)
    counts = _counts(codes, q)
    r = counts.sum(axis=1)
    rated, pairable = r >= 1, r >= 2
    if not pairable.any():
        raise ValueError("Gwet's AC1: no unit has ratings from 2 coders")
    c2, r2 = counts[pairable], r[pairable]
    p_a = float(((c2 * (c2 - 1)).sum(axis=1) / (r2 * (r2 - 1))).mean())
    pi = (counts[rated] / r[rated, None]).mean(axis=0)
    p_e = float((pi * (1 - pi)).sum() / (q - 1)) if q > 1 else 1.0
    return ReliabilityResult(
        "gwet_ac1",
        _kappa(p_a, p_e),
        int(pairable.sum()),
        codes.shape[1],
        "nominal",
        observed_agreement=p_a,
        chance_agreement=p_e,
        categories=tuple(cats),
    )


def _delta2(metric: str, cats: Sequence[Any], n_c: np.ndarray) -> np.ndarray:
    """Squared difference function delta^2_ck of Krippendorff (2011)."""
    q = len(cats)
    i, j = np.indices((q, q))
    if metric == "nominal":
        return (i != j).astype(float)
    if metric == "ordinal":
        cum = np.concatenate([[0.0], np.cumsum(n_c)])
        lo, hi = np.minimum(i, j), np.maximum(i, j)
        between = cum[hi + 1] - cum[lo]
        return (between - (n_c[i] + n_c[j]) / 2) ** 2
    v = _numeric(cats, metric)
    if metric == "interval":
        return (v[i] - v[j]) ** 2
    if (v < 0).any():
        raise ValueError(f"the ratio level needs values >= 0, got {v[v < 0].tolist()}")
    total = v[i] + v[j]
    with np.errstate(invalid="ignore", divide="ignore"):
        d = ((v[i] - v[j]) / total) ** 2
    return np.where(total == 0, 0.0, d)


def coincidence_matrix(codes: np.ndarray, n_categories: int) -> np.ndarray:
    """Krippendorff's o_ck from integer codes (``-1`` = missing), pairable units only.

    o_ck = sum_u (n_uc n_uk - [c = k] n_uc) / (m_u - 1).
    """
    counts = _counts(codes, n_categories)
    m = counts.sum(axis=1)
    counts, m = counts[m >= 2], m[m >= 2]
    scaled = counts / (m - 1)[:, None]
    return scaled.T @ counts - np.diag(scaled.sum(axis=0))


def krippendorff_alpha(
    data: Any, *, level: Metric = "nominal", categories: Sequence[Any] | None = None
) -> ReliabilityResult:
    """Krippendorff's alpha by the coincidence-matrix method; missing values allowed.

    Parameters
    ----------
    data
        Units x coders table.  Units with fewer than 2 values are not pairable and
        drop out.
    level
        ``"nominal"``, ``"ordinal"`` (ranks from the value frequencies n_g),
        ``"interval"`` or ``"ratio"``.
    categories
        Values in order (only the order matters, for ``ordinal`` labels); default:
        the sorted distinct values.

    Returns
    -------
    ReliabilityResult
        ``observed_disagreement`` D_o = sum o_ck delta^2_ck / n,
        ``expected_disagreement`` D_e = sum n_c n_k delta^2_ck / (n (n - 1)),
        ``value`` = 1 - D_o / D_e (``nan`` when D_e = 0: no variation).

    References
    ----------
    Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability.
    University of Pennsylvania, repository.upenn.edu/asc_papers/43.
    R: ``irr::kripp.alpha`` (wrong on complete data with more than 2 coders in
    irr 0.84.1, see ``docs/agreement.md``).

    Examples
    --------
    >>> data = [[None, 1, None], [None, None, None], [None, 2, 2], [None, 1, 1],
    ...         [None, 3, 3], [3, 3, 4], [4, 4, 4], [1, 3, None], [2, None, 2],
    ...         [1, None, 1], [1, None, 1], [3, None, 3], [3, None, 3],
    ...         [None, None, None], [3, None, 4]]
    >>> round(krippendorff_alpha(data).value, 6)
    0.691358
    """
    if level not in METRICS:
        raise ValueError(f"level must be one of {METRICS}, got {level!r}")
    codes, cats = _encode(_table(data), categories)
    o = coincidence_matrix(codes, len(cats))
    n_c = o.sum(axis=1)
    n = float(n_c.sum())
    n_units = int(((codes >= 0).sum(axis=1) >= 2).sum())
    if n_units == 0:
        raise ValueError("Krippendorff's alpha: no unit has values from 2 coders")
    d2 = _delta2(level, cats, n_c)
    d_o = float((o * d2).sum() / n)
    d_e = float((np.outer(n_c, n_c) * d2).sum() / (n * (n - 1)))
    value = float("nan") if d_e == 0 else 1 - d_o / d_e
    return ReliabilityResult(
        "krippendorff_alpha",
        value,
        n_units,
        codes.shape[1],
        level,
        observed_disagreement=d_o,
        expected_disagreement=d_e,
        categories=tuple(cats),
    )


def compute(
    measure: str,
    data: Any,
    *,
    level: str | None = None,
    categories: Sequence[Any] | None = None,
    nan_policy: NanPolicy = "raise",
) -> ReliabilityResult:
    """Dispatch to one coefficient by name (one of :data:`MEASURES`).

    Parameters
    ----------
    measure
        Coefficient name.
    data
        Units x coders table.
    level
        Krippendorff's metric or Cohen's weights; ignored by the others.
    categories
        Passed to the coefficients that take it.
    nan_policy
        Passed to Cohen's and Fleiss' kappa.

    Returns
    -------
    ReliabilityResult
        The coefficient.
    """
    if measure == "percent_agreement":
        return percent_agreement(data)
    if measure == "cohen_kappa":
        return cohen_kappa(
            data, weights=level, categories=categories, nan_policy=nan_policy
        )  # type: ignore[arg-type]
    if measure == "fleiss_kappa":
        return fleiss_kappa(data, categories=categories, nan_policy=nan_policy)
    if measure == "gwet_ac1":
        return gwet_ac1(data, categories=categories)
    if measure == "krippendorff_alpha":
        return krippendorff_alpha(data, level=level or "nominal", categories=categories)  # type: ignore[arg-type]
    raise ValueError(f"unknown measure {measure!r}; choose one of {MEASURES}")


# ---------------------------------------------------------------- conformance cases


def run_case(case: Mapping[str, Any]) -> dict[str, Any]:
    """Recompute a reliability conformance case and return it with our ``value``.

    Parameters
    ----------
    case
        A case in the layout of ``tests/reference/reliability/``: ``data`` (rows =
        coders, columns = units, ``null`` = missing), ``missing`` (an extra
        missing-value marker or ``null``), ``measure`` (one of :data:`MEASURES`),
        ``metric`` (Krippendorff's level), ``weights`` (Cohen's weights), optional
        ``categories``; a Fleiss case may give only ``counts`` (units x
        categories).

    Returns
    -------
    dict
        A copy of ``case`` whose ``value`` is computed by sociaparis (``None`` when
        the coefficient is undefined).  Cohen's and Fleiss' kappa drop units with a
        missing rating, as R ``irr`` does.
    """
    name = str(case.get("measure")).lower()
    measure = _MEASURE_ALIASES.get(name, name)
    if measure not in MEASURES:
        raise ValueError(f"case measure must be one of {MEASURES}, got {measure!r}")
    categories = case.get("categories")
    if measure == "fleiss_kappa" and case.get("data") is None and "counts" in case:
        result = fleiss_kappa_from_counts(case["counts"], categories=categories)
    else:
        rows = case.get("data")
        if not isinstance(rows, list) or len(rows) < 2:
            raise ValueError(
                "case 'data' must be a list of at least 2 coders' value lists"
            )
        lengths = {len(row) for row in rows}
        if len(lengths) != 1:
            raise ValueError(f"case 'data' rows have different lengths {sorted(lengths)}")
        marker = case.get("missing")
        table = [
            [
                None if (v is None or (marker is not None and v == marker)) else v
                for v in col
            ]
            for col in zip(*rows, strict=True)
        ]
        level = case.get("weights") if measure == "cohen_kappa" else case.get("metric")
        result = compute(
            measure, table, level=level, categories=categories, nan_policy="omit"
        )
    out = dict(case)
    out["value"] = None if np.isnan(result.value) else result.value
    return out
