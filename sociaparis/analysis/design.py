"""Survey designs and their Taylor-linearisation variance, as R's ``survey`` package.

A :class:`SurveyDesign` holds the data, the final weights, the first-stage
strata and primary sampling units (PSUs) and the finite population correction.
Estimators (:mod:`sociaparis.analysis.estimators`) compute the linearised
influence values of their statistic and ask the design for their variance with
:meth:`SurveyDesign.variance`, which reproduces ``survey::svyrecvar``: the
influence values are first projected on the residual space of any
post-stratification, raking or calibration (in the order they were applied),
summed within PSU, centred within stratum and summed up with the
with-replacement factor ``n_h / (n_h - 1)`` times the finite population
correction ``(N_h - n_h) / N_h``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from sociaparis.analysis.errors import AnalysisError
from sociaparis.analysis.levels import LevelOrder, check_level_order
from sociaparis.core.errors import Reason, SociaparisError

LonelyPSU = Literal["fail", "certainty", "remove"]
_LONELY = ("fail", "certainty", "remove")


def _as_list(value: str | Sequence[str] | None) -> list[str]:
    """A column name or a list of them as a list (``None`` gives an empty list)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def check_columns(data: pd.DataFrame, columns: Sequence[str]) -> None:
    """Raise ``ANALYSIS_001`` for the first column that is not in ``data``."""
    for column in columns:
        if column not in data.columns:
            raise SociaparisError(
                AnalysisError.MISSING_COLUMN,
                column=column,
                available=", ".join(map(str, data.columns)),
            )


def group_codes(frame: pd.DataFrame) -> tuple[np.ndarray, int]:
    """Integer codes of the row combinations of ``frame`` (sorted), and their count."""
    if frame.shape[1] == 1:
        codes, uniques = pd.factorize(frame.iloc[:, 0], sort=True)
        return codes.astype(np.intp), len(uniques)
    codes, uniques = pd.MultiIndex.from_frame(frame).factorize(sort=True)
    return codes.astype(np.intp), len(uniques)


def indicator(codes: np.ndarray, n_groups: int) -> sp.csr_matrix:
    """Sparse n x G indicator matrix of group membership."""
    n = len(codes)
    return sp.csr_matrix(
        (np.ones(n), (np.arange(n), codes)), shape=(n, n_groups), dtype=float
    )


def rowsum(x: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """Column sums of ``x`` (n x p) within groups: a G x p matrix (R's ``rowsum``)."""
    if x.shape[1] == 1:
        return np.bincount(codes, weights=x[:, 0], minlength=n_groups)[:, None]
    return np.asarray(indicator(codes, n_groups).T @ x)


def count_degf(design: SurveyDesign, inset: np.ndarray) -> int:
    """PSUs minus strata among the rows in ``inset`` (R's ``degf``)."""
    psus = np.count_nonzero(np.bincount(design.psu[inset], minlength=1))
    strata = np.count_nonzero(np.bincount(design.strata[inset], minlength=1))
    return int(psus - strata)


# --------------------------------------------------------------------------- #
# Calibration steps: each projects influence values as svyrecvar does.
# --------------------------------------------------------------------------- #


@dataclass(frozen=True, slots=True)
class _PostStratum:
    """One post-stratification: ``x - psw * rowsum(x oldw / psw) / rowsum(oldw)``."""

    codes: np.ndarray
    n_groups: int
    weights: np.ndarray
    old_weights: np.ndarray

    def adjust(self, x: np.ndarray) -> np.ndarray:
        psw = np.where((self.weights == 0) & (self.old_weights == 0), 1.0, self.weights)
        sums = rowsum(x * (self.old_weights / psw)[:, None], self.codes, self.n_groups)
        denom = np.bincount(self.codes, weights=self.old_weights, minlength=self.n_groups)
        with np.errstate(invalid="ignore", divide="ignore"):
            means = np.where(denom[:, None] != 0, sums / denom[:, None], 0.0)
        return x - means[self.codes] * psw[:, None]


@dataclass(frozen=True, slots=True)
class _Raking:
    """Raking: ten sweeps of ``x - psw * ave(x / psw, margin)`` over the margins.

    The sweeps are linear in ``x``, so they run on the small margin-by-margin
    matrices ``cross[m][k] = M_m' diag(psw_k / psw_m) M_k / n_m`` and the result
    is rebuilt once: ``x - sum_k psw_k * C_k[codes_k]``, exactly R's iteration.
    """

    margins: tuple[tuple[np.ndarray, int, np.ndarray], ...]
    counts: tuple[np.ndarray, ...]
    cross: tuple[tuple[np.ndarray, ...], ...]
    #: G x n: the margin cell means of ``x / psw`` (all margins stacked) in one product
    collect: sp.csr_matrix
    #: n x G: ``psw`` of every row in its cell of each margin, to rebuild in one product
    spread: sp.csr_matrix
    #: where each margin's cells start in the stacked G
    offsets: tuple[int, ...]

    @classmethod
    def build(cls, margins: Sequence[tuple[np.ndarray, int, np.ndarray]]) -> _Raking:
        """Precompute the margin cross matrices and the stacked cell indicators."""
        counts = []
        for codes, n_groups, _ in margins:
            c = np.bincount(codes, minlength=n_groups).astype(float)
            c[c == 0] = 1.0
            counts.append(c)
        cross = []
        for (cm, gm, pm), count in zip(margins, counts, strict=True):
            row = []
            for ck, gk, pk in margins:
                joint = np.bincount(cm * gk + ck, weights=pk / pm, minlength=gm * gk)
                row.append(joint.reshape(gm, gk) / count[:, None])
            cross.append(tuple(row))
        offsets = [0]
        for _, n_groups, _ in margins:
            offsets.append(offsets[-1] + n_groups)
        n = len(margins[0][0])
        rows = np.tile(np.arange(n), len(margins))
        cols = np.concatenate(
            [
                codes + first
                for (codes, _, _), first in zip(margins, offsets, strict=False)
            ]
        )
        psw = np.concatenate([p for _, _, p in margins])
        scale = np.concatenate(
            [
                1.0 / (p * count[codes])
                for (codes, _, p), count in zip(margins, counts, strict=True)
            ]
        )
        shape = (n, offsets[-1])
        collect = sp.csr_matrix((scale, (rows, cols)), shape=shape).T.tocsr()
        spread = sp.csr_matrix((psw, (rows, cols)), shape=shape)
        return cls(
            tuple(margins), tuple(counts), tuple(cross), collect, spread, tuple(offsets)
        )

    def adjust(self, x: np.ndarray) -> np.ndarray:
        stacked = np.asarray(self.collect @ x)
        b = [
            stacked[first:last]
            for first, last in zip(self.offsets, self.offsets[1:], strict=False)
        ]
        acc = [np.zeros((n_groups, x.shape[1])) for _, n_groups, _ in self.margins]
        for _ in range(10):
            for m in range(len(self.margins)):
                means = b[m] - sum(
                    self.cross[m][k] @ acc[k] for k in range(len(self.margins))
                )
                acc[m] = acc[m] + means
        return x - np.asarray(self.spread @ np.vstack(acc))


@dataclass(frozen=True, slots=True)
class _Greg:
    """Linear calibration: ``qr.resid(qr(mm * sqrt(d)), x / w) * w``, w = g sqrt(d)."""

    q: np.ndarray
    w: np.ndarray

    def adjust(self, x: np.ndarray) -> np.ndarray:
        y = x / self.w[:, None]
        resid = y - self.q @ (self.q.T @ y)
        return resid * self.w[:, None]


@dataclass(frozen=True, slots=True)
class CalibrationStep:
    """What a weighting step did: kept on the design for reports and reproducibility.

    Attributes
    ----------
    method
        ``"poststratify"``, ``"rake"``, ``"calibrate"`` or ``"trim"``.
    variables
        The margin or model variables.
    iterations
        Iterations run (raking), else 1.
    converged
        Whether the stopping rule was met.
    max_change
        Largest absolute change of a weighted cell count in the last raking sweep.
    n_trimmed
        Number of weights moved to a trimming bound.
    """

    method: str
    variables: tuple[str, ...]
    iterations: int = 1
    converged: bool = True
    max_change: float = 0.0
    n_trimmed: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The step as a JSON-ready dict."""
        return {
            "method": self.method,
            "variables": list(self.variables),
            "iterations": self.iterations,
            "converged": self.converged,
            "max_change": self.max_change,
            "n_trimmed": self.n_trimmed,
        }


@dataclass(frozen=True, slots=True, repr=False)
class SurveyDesign:
    """A one-stage (first-stage) stratified cluster design with weights and fpc.

    Build it with :func:`svydesign`; weighting functions return new designs.

    Attributes
    ----------
    data
        The respondents (one row each), index reset.
    weights
        Final analysis weights (calibrated if the design was calibrated).
    strata, psu
        Integer codes of the stratum and of the PSU of every row.
    n_psu
        Number of sampled PSUs in each stratum (the design's count).
    fpc_factor
        ``(N_h - n_h) / N_h`` per stratum, 1 without fpc.
    lonely_psu
        What to do with a stratum of one PSU: ``"fail"`` (R's default),
        ``"certainty"`` or ``"remove"`` (both give it no variance, as R).
    spec
        The column names the design was built from.
    steps
        The weighting steps applied, in order.
    level_order
        Order of the levels of character columns in every result (factor
        dummies, domains, table rows, the reference level of a regression):
        ``"locale"``, ``"C"`` or ``"data"``, see
        :func:`~sociaparis.analysis.levels.sort_levels`.
    """

    data: pd.DataFrame
    weights: np.ndarray
    strata: np.ndarray
    psu: np.ndarray
    n_psu: np.ndarray
    fpc_factor: np.ndarray
    psu_stratum: np.ndarray
    lonely_psu: str
    spec: dict[str, Any]
    psu_is_row: bool
    stage2: _SecondStage | None = None
    steps: tuple[CalibrationStep, ...] = ()
    level_order: LevelOrder = "locale"
    _adjusters: tuple[Any, ...] = field(default=(), repr=False)

    def __repr__(self) -> str:
        spec = self.spec
        parts = [f"n={self.n}"]
        parts += [
            f"{key}={spec[key]!r}"
            for key in ("ids", "strata", "weights", "fpc")
            if spec.get(key) is not None
        ]
        parts.append(f"n_psu={len(self.psu_stratum)}, n_strata={len(self.n_psu)}")
        if self.steps:
            parts.append("steps=" + "+".join(step.method for step in self.steps))
        return f"SurveyDesign({', '.join(parts)})"

    @property
    def n(self) -> int:
        """Number of rows (respondents) in the design."""
        return len(self.weights)

    @property
    def degf(self) -> int:
        """Design degrees of freedom: PSUs minus strata, over non-zero weights (R)."""
        return count_degf(self, self.weights != 0)

    def with_columns(self, **columns: Any) -> SurveyDesign:
        """A copy whose data has extra (derived) columns, e.g. a top-2-box indicator.

        Columns must have one value per row; the design itself is unchanged.
        """
        return replace(self, data=self.data.assign(**columns))

    def with_weights(
        self, weights: np.ndarray, adjuster: Any | None, step: CalibrationStep
    ) -> SurveyDesign:
        """A copy with new weights and one more calibration step."""
        adjusters = self._adjusters + ((adjuster,) if adjuster is not None else ())
        return replace(
            self, weights=weights, steps=self.steps + (step,), _adjusters=adjusters
        )

    def adjust(self, x: np.ndarray) -> np.ndarray:
        """Project influence values on the calibration residuals (svyrecvar)."""
        for adjuster in self._adjusters:
            x = adjuster.adjust(x)
        return x

    def variance(self, x: np.ndarray, *, full: bool = True) -> np.ndarray:
        """Linearisation variance of totals whose influence values are ``x``.

        Parameters
        ----------
        x
            n x p influence values (for a total: weight times value; zero for rows
            outside the domain or with a missing value).
        full
            Return the p x p covariance matrix; else only its diagonal.

        Returns
        -------
        numpy.ndarray
            The covariance matrix (or its diagonal).
        """
        x = np.asarray(x, dtype=float)
        if x.ndim == 1:
            x = x[:, None]
        x = self.adjust(x)
        if self.psu_is_row:
            xp, stratum = x, self.strata
        else:
            xp = rowsum(x, self.psu, len(self.psu_stratum))
            stratum = self.psu_stratum
        labels = self.spec["strata_labels"]
        v = _one_stage(
            xp, stratum, self.n_psu, self.fpc_factor, self.lonely_psu, labels, full
        )
        if self.stage2 is not None:
            st = self.stage2
            xs = rowsum(x, st.ssu, len(st.ssu_psu))
            # within every PSU (a stratum at stage 2), times the stage-1 fraction
            v2 = _one_stage(
                xs,
                st.ssu_psu,
                st.n_ssu,
                st.fpc_factor,
                self.lonely_psu,
                [f"PSU {k}" for k in range(len(st.n_ssu))],
                full,
                weight=st.stage1_fraction,
            )
            v = v + v2
        return v


@dataclass(frozen=True, slots=True)
class _SecondStage:
    """Second-stage units of a two-stage design with an fpc at both stages."""

    ssu: np.ndarray
    ssu_psu: np.ndarray
    n_ssu: np.ndarray
    fpc_factor: np.ndarray
    stage1_fraction: np.ndarray


def _one_stage(
    xp: np.ndarray,
    stratum: np.ndarray,
    n_h: np.ndarray,
    fpc_factor: np.ndarray,
    lonely_psu: str,
    labels: Sequence[str],
    full: bool,
    weight: np.ndarray | None = None,
) -> np.ndarray:
    """R's ``onestage``: centred unit totals within strata, with-replacement x fpc.

    A stratum sampled completely (fpc factor below 1e-7) contributes nothing; a
    stratum with a single unit fails or contributes nothing, per ``lonely_psu``.
    """
    certain = fpc_factor < 1e-7
    lonely = (n_h == 1) & ~certain
    if lonely_psu == "fail" and lonely.any():
        h = int(np.flatnonzero(lonely)[0])
        raise SociaparisError(AnalysisError.LONELY_PSU, stratum=labels[h])
    sums = rowsum(xp, stratum, len(n_h))
    xc = xp - (sums / n_h[:, None])[stratum]
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(n_h > 1, fpc_factor * n_h / (n_h - 1), 0.0)
    scale = np.where(certain, 0.0, scale)
    if weight is not None:
        scale = scale * weight
    s = scale[stratum]
    if full:
        return (xc * s[:, None]).T @ xc
    xc *= np.sqrt(s)[:, None]  # in place: xc is this function's own array
    return np.einsum("ij,ij->j", xc, xc)


def svydesign(
    data: pd.DataFrame,
    *,
    ids: str | Sequence[str] | None = None,
    strata: str | None = None,
    weights: str | None = None,
    fpc: str | Sequence[str] | None = None,
    nest: bool = False,
    lonely_psu: LonelyPSU = "fail",
    level_order: LevelOrder = "locale",
) -> SurveyDesign:
    """Declare a survey design, as R's ``svydesign(ids, strata, weights, fpc)``.

    Parameters
    ----------
    data
        One row per respondent.
    ids
        Column of first-stage cluster (PSU) labels; ``None`` means every row is
        its own PSU (R's ``ids = ~1``). Two columns (PSU, then second-stage
        unit) declare a two-stage design (R's ``ids = ~psu + ssu``).
    strata
        Column of first-stage strata; ``None`` for an unstratified design.
    weights
        Column of sampling weights; ``None`` derives them from ``fpc`` (N_h / n_h)
        or, without fpc, uses 1.
    fpc
        Column of finite population corrections, constant within stratum: either
        population sizes (every value >= 1: number of PSUs in the stratum
        population) or sampling fractions (every value <= 1), as R. For a
        two-stage design, two columns (the second constant within PSU) add the
        second-stage variance, as R; without fpc only the first stage counts.
    nest
        Cluster labels are only unique within a stratum (R's ``nest = TRUE``).
    lonely_psu
        ``"fail"`` (default, as R), ``"certainty"`` or ``"remove"``.
    level_order
        Order of the levels of character columns in results: ``"locale"``
        (default) as R in a UTF-8 locale (``fr_FR.UTF-8``, ``en_US.UTF-8``,
        ``C.UTF-8``), ``"C"`` as R in the ``C`` locale (byte order), ``"data"``
        in order of first appearance. A pandas ``Categorical`` keeps its own
        order whatever this says.

    Returns
    -------
    SurveyDesign

    Notes
    -----
    Variance is the Taylor linearisation of R's ``svyrecvar``: PSUs are treated
    as drawn with replacement within strata, times the finite population
    correction; with an fpc at both stages of a two-stage design the
    second-stage variance is added, weighted by the first-stage sampling
    fraction (R's default, ``survey.ultimate.cluster = FALSE``).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"h": ["a", "a", "b", "b"], "w": [2.0, 2.0, 3.0, 3.0]})
    >>> svydesign(df, strata="h", weights="w").degf
    2
    """
    if lonely_psu not in _LONELY:
        raise SociaparisError(
            AnalysisError.BAD_OPTION, name="lonely_psu", value=lonely_psu, allowed=_LONELY
        )
    check_level_order(level_order)
    id_cols, fpc_cols = _as_list(ids), _as_list(fpc)
    if len(id_cols) > 2 or len(fpc_cols) > max(1, len(id_cols)):
        raise SociaparisError(
            AnalysisError.BAD_OPTION,
            name="ids/fpc",
            value=(ids, fpc),
            allowed=Reason(
                en="one or two stages, at most one fpc column per stage",
                fr="un ou deux degrés, au plus une colonne fpc par degré",
            ),
        )
    if len(id_cols) == 2 and len(fpc_cols) == 1:
        raise SociaparisError(
            AnalysisError.BAD_FPC,
            reason=Reason(
                en="a two-stage design needs an fpc for both stages, or none",
                fr="un plan à deux degrés demande une fpc pour chacun des deux degrés, "
                "ou aucune",
            ),
        )
    ids = id_cols[0] if id_cols else None
    fpc = fpc_cols[0] if fpc_cols else None
    cols = [c for c in (*id_cols, strata, weights, *fpc_cols) if c is not None]
    check_columns(data, cols)
    data = data.reset_index(drop=True)
    n = len(data)
    for col in cols:
        if data[col].isna().any():
            raise SociaparisError(
                AnalysisError.MISSING_VALUES,
                column=col,
                count=int(data[col].isna().sum()),
            )
    if strata is None:
        strata_codes = np.zeros(n, dtype=np.intp)
        strata_labels = ["1"]
    else:
        strata_codes, uniq = pd.factorize(data[strata], sort=True)
        strata_codes = strata_codes.astype(np.intp)
        strata_labels = [str(u) for u in uniq]
    n_strata = len(strata_labels)
    if ids is None:
        psu_codes = np.arange(n, dtype=np.intp)
        psu_is_row = True
    else:
        if nest:
            frame = pd.DataFrame({"s": strata_codes, "c": data[ids].to_numpy()})
            psu_codes, _ = group_codes(frame)
        else:
            psu_codes, _ = pd.factorize(data[ids], sort=True)
            psu_codes = psu_codes.astype(np.intp)
            per = pd.Series(strata_codes).groupby(psu_codes).nunique()
            if (per > 1).any():
                bad = data[ids].to_numpy()[psu_codes == int(per[per > 1].index[0])][0]
                raise SociaparisError(AnalysisError.CLUSTERS_NOT_NESTED, cluster=bad)
        psu_is_row = len(np.unique(psu_codes)) == n
        if psu_is_row:
            psu_codes = np.arange(n, dtype=np.intp)
    n_psu_total = int(psu_codes.max()) + 1 if n else 0
    psu_stratum = np.zeros(n_psu_total, dtype=np.intp)
    psu_stratum[psu_codes] = strata_codes
    n_psu = np.bincount(psu_stratum, minlength=n_strata).astype(float)
    if n_psu_total == 1 and not (strata is not None and nest):
        raise SociaparisError(
            AnalysisError.BAD_WEIGHTS,
            reason=Reason(
                en="the design has only one sampling unit",
                fr="le plan n'a qu'une seule unité d'échantillonnage",
            ),
        )
    fpc_factor = np.ones(n_strata)
    popsize = None
    if fpc is not None:
        popsize = _popsize(
            data[fpc], strata_codes, n_psu, Reason(en="strata", fr="une même strate")
        )
        fpc_factor = np.where(np.isinf(popsize), 1.0, (popsize - n_psu) / popsize)
    stage2 = None
    stage2_weight = np.ones(n)
    if len(id_cols) == 2 and fpc_cols:
        frame = pd.DataFrame({"p": psu_codes, "s": data[id_cols[1]].to_numpy()})
        ssu, n_ssu_total = group_codes(frame)
        ssu_psu = np.zeros(n_ssu_total, dtype=np.intp)
        ssu_psu[ssu] = psu_codes
        n_ssu = np.bincount(ssu_psu, minlength=n_psu_total).astype(float)
        pop2 = _popsize(
            data[fpc_cols[1]],
            psu_codes,
            n_ssu,
            Reason(en="PSUs", fr="une même unité primaire"),
        )
        stage2 = _SecondStage(
            ssu=ssu,
            ssu_psu=ssu_psu,
            n_ssu=n_ssu,
            fpc_factor=np.where(np.isinf(pop2), 1.0, (pop2 - n_ssu) / pop2),
            stage1_fraction=(n_psu / popsize)[psu_stratum],
        )
        stage2_weight = (pop2 / n_ssu)[psu_codes]
        psu_is_row = False
    if weights is not None:
        w = data[weights].to_numpy(dtype=float)
    elif popsize is not None:
        w = (popsize / n_psu)[strata_codes] * stage2_weight
    else:
        w = np.ones(n)
    if np.any(w < 0) or not np.all(np.isfinite(w)):
        raise SociaparisError(
            AnalysisError.BAD_WEIGHTS,
            reason=Reason(
                en="weights must be finite and non-negative",
                fr="les poids doivent être finis et positifs ou nuls",
            ),
        )
    spec = {
        "ids": ids if len(id_cols) < 2 else id_cols,
        "strata": strata,
        "weights": weights,
        "fpc": fpc if len(fpc_cols) < 2 else fpc_cols,
        "nest": nest,
        "strata_labels": strata_labels,
    }
    return SurveyDesign(
        data=data,
        weights=w,
        strata=strata_codes,
        psu=psu_codes,
        n_psu=n_psu,
        fpc_factor=fpc_factor,
        psu_stratum=psu_stratum,
        lonely_psu=lonely_psu,
        spec=spec,
        psu_is_row=psu_is_row,
        stage2=stage2,
        level_order=level_order,
    )


def _popsize(
    column: pd.Series, groups: np.ndarray, n_units: np.ndarray, where: Reason
) -> np.ndarray:
    """Population size per group from an fpc column (sizes or fractions), as R."""
    values = column.to_numpy(dtype=float)
    is_popsize = bool(np.any(values > 1))
    if is_popsize and not np.all(values >= 1):
        raise SociaparisError(
            AnalysisError.BAD_FPC,
            reason=Reason(
                en="must have all fpc >= 1 or all fpc <= 1",
                fr="les fpc doivent être toutes >= 1 ou toutes <= 1",
            ),
        )
    per = pd.Series(values).groupby(groups).agg(["min", "max"])
    if (per["min"] != per["max"]).any():
        raise SociaparisError(
            AnalysisError.BAD_FPC,
            reason=Reason(
                en=f"fpc varies within {where.en}",
                fr=f"la fpc varie au sein d'{where.fr}",
            ),
        )
    first = per["min"].to_numpy()
    popsize = first if is_popsize else n_units / first
    if np.any(popsize < n_units):
        raise SociaparisError(
            AnalysisError.BAD_FPC,
            reason=Reason(
                en="fpc implies more than 100% sampling",
                fr="la fpc implique un taux de sondage supérieur à 100 %",
            ),
        )
    return popsize
