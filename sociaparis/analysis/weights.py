"""Post-stratification, raking, linear calibration, trimming and a weight report.

Each function returns a new :class:`~sociaparis.analysis.design.SurveyDesign`
whose variance accounts for the weighting exactly as R's ``survey`` package
does: post-stratification and raking subtract (iterated) post-stratum means
from the influence values, linear calibration takes the residuals of the
calibration model (``svyrecvar``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sociaparis.analysis.design import (
    CalibrationStep,
    SurveyDesign,
    _as_list,
    _Greg,
    _PostStratum,
    _Raking,
    check_columns,
    group_codes,
)
from sociaparis.analysis.errors import AnalysisError
from sociaparis.analysis.estimators import model_matrix
from sociaparis.core.errors import Reason, SociaparisError

Margin = Mapping[Any, float] | pd.Series
Population = Margin | pd.DataFrame


def _population_cells(variables: list[str], population: Population) -> dict[Any, float]:
    """Target count of every cell: level (one variable) or tuple of levels -> count.

    A DataFrame is R's layout: one column per variable and the counts in a
    ``Freq`` column (else the last column).
    """
    if isinstance(population, pd.DataFrame):
        check_columns(population, variables)
        count = "Freq" if "Freq" in population.columns else population.columns[-1]
        cells = population[variables].astype(str).itertuples(index=False, name=None)
        keys = [c if len(variables) > 1 else c[0] for c in cells]
        return dict(zip(keys, population[count].astype(float), strict=True))
    out: dict[Any, float] = {}
    for key, value in dict(population).items():
        if len(variables) > 1:
            if not isinstance(key, tuple) or len(key) != len(variables):
                raise SociaparisError(
                    AnalysisError.POPULATION_MISMATCH,
                    variable=" x ".join(variables),
                    reason=Reason(
                        en=f"cell {key!r} is not a tuple of {len(variables)} levels",
                        fr=f"la cellule {key!r} n'est pas un tuple de {len(variables)} "
                        "modalités",
                    ),
                )
            key = tuple(map(str, key))
        else:
            key = str(key)
        out[key] = float(value)
    return out


def _margin_codes(
    design: SurveyDesign,
    variables: str | Sequence[str],
    population: Population,
    *,
    partial: bool = False,
) -> tuple[np.ndarray, int, np.ndarray]:
    """Codes of the rows in the population cells and the target count of each cell."""
    names = _as_list(variables)
    check_columns(design.data, names)
    for name in names:
        col = design.data[name]
        if col.isna().any():
            raise SociaparisError(
                AnalysisError.MISSING_VALUES, column=name, count=int(col.isna().sum())
            )
    pop = _population_cells(names, population)
    text = design.data[names].astype(str)
    labels: pd.Index = (
        pd.Index(text[names[0]]) if len(names) == 1 else pd.MultiIndex.from_frame(text)
    )
    sample_levels = sorted(labels.unique())
    variable = " x ".join(names)
    missing = [lev for lev in sample_levels if lev not in pop]
    if missing:
        raise SociaparisError(
            AnalysisError.POPULATION_MISMATCH,
            variable=variable,
            reason=Reason(
                en=f"sample level(s) {missing} have no population count",
                fr=f"modalité(s) {missing} de l'échantillon sans effectif dans la "
                "population",
            ),
        )
    absent = [lev for lev in pop if lev not in set(sample_levels)]
    if absent and not partial:
        raise SociaparisError(
            AnalysisError.POPULATION_MISMATCH,
            variable=variable,
            reason=Reason(
                en=f"population level(s) {absent} are absent from the sample",
                fr=f"modalité(s) {absent} de la population absente(s) de l'échantillon",
            ),
        )
    lookup = (
        pd.Index(sample_levels)
        if len(names) == 1
        else pd.MultiIndex.from_tuples(sample_levels)
    )
    codes = lookup.get_indexer(labels).astype(np.intp)
    target = np.array([pop[lev] for lev in sample_levels])
    return codes, len(sample_levels), target


def _post_step(
    w: np.ndarray, codes: np.ndarray, n_groups: int, target: np.ndarray
) -> np.ndarray:
    """Weights after one post-stratification to ``target`` cell counts."""
    current = np.bincount(codes, weights=w, minlength=n_groups)
    return w * (target / current)[codes]


def poststratify(
    design: SurveyDesign,
    *,
    variable: str | Sequence[str],
    population: Population,
    partial: bool = False,
) -> SurveyDesign:
    """Post-stratify to known population counts (R ``postStratify``).

    Parameters
    ----------
    design
        The survey design.
    variable
        The post-stratification column, or several columns whose crossed
        cells are the post-strata (R's ``strata = ~a + b``).
    population
        Population count of every post-stratum: a mapping level -> count (one
        column) or tuple of levels -> count (several), or R's data frame (one
        column per variable and the counts in ``Freq``).
    partial
        Allow population cells that no respondent has (R's ``partial = TRUE``).

    Returns
    -------
    SurveyDesign
        Weights multiplied by ``N_g / sum_g w`` in each post-stratum; the
        variance uses the post-stratum residuals.

    Examples
    --------
    >>> import pandas as pd
    >>> from sociaparis.analysis.design import svydesign
    >>> df = pd.DataFrame({"a": ["x", "x", "y", "y"], "b": ["u", "v", "u", "v"]})
    >>> pop = {("x", "u"): 10, ("x", "v"): 20, ("y", "u"): 30, ("y", "v"): 40}
    >>> poststratify(svydesign(df), variable=["a", "b"], population=pop).weights
    array([10., 20., 30., 40.])
    """
    names = _as_list(variable)
    codes, n_groups, target = _margin_codes(design, names, population, partial=partial)
    old = design.weights
    new = _post_step(old, codes, n_groups, target)
    adjuster = _PostStratum(codes, n_groups, new, old)
    step = CalibrationStep("poststratify", tuple(names))
    return design.with_weights(new, adjuster, step)


def rake(
    design: SurveyDesign,
    *,
    margins: Mapping[str, Margin],
    epsilon: float = 1.0,
    maxit: int = 10,
    trim: tuple[float, float] | None = None,
) -> SurveyDesign:
    """Rake to several population margins by iterative proportional fitting (R ``rake``).

    Parameters
    ----------
    design
        The survey design.
    margins
        Ordered mapping: column -> {level: population count}. Margins are
        post-stratified in this order in every sweep.
    epsilon
        Stopping rule of R: stop when no cell of the joint weighted table of all
        margin variables changed by ``epsilon`` or more during a sweep. Below 1,
        it is relative to the sum of the weights (``epsilon * sum(w)``). R's
        default (1) leaves margins up to about one unit off their target; pass
        ``1e-10`` to iterate to convergence.
    maxit
        Maximum number of sweeps (R's default 10).
    trim
        Optional ``(lower, upper)`` bounds on the weights. After every sweep the
        weights outside are set to the bound and the excess is shared equally
        among the others (R's ``trimWeights``), so the sweeps look for weights
        that meet the margins and the bounds together. When no such weights
        exist the rule is never met and ``steps[-1].converged`` is false;
        ``steps[-1].n_trimmed`` counts the weights trimmed in the last sweep.

    Returns
    -------
    SurveyDesign
        The raked design; ``steps[-1]`` tells the sweeps run, whether the rule
        was met and the last change.

    Notes
    -----
    The variance treats raking as R does since survey 3.6-3: ten sweeps of
    projections of the influence values on the post-stratum residuals of each
    margin of the final sweep.
    """
    names = list(margins)
    if not names:
        raise SociaparisError(
            AnalysisError.BAD_OPTION,
            name="margins",
            value=margins,
            allowed=Reason(
                en="a mapping with at least one variable",
                fr="un dictionnaire d'au moins une variable",
            ),
        )
    coded = [_margin_codes(design, v, margins[v]) for v in names]
    joint, n_joint = group_codes(design.data[names].astype(str))
    eps = epsilon * design.weights.sum() if epsilon < 1 else epsilon
    w = design.weights
    old_table = np.bincount(joint, weights=w, minlength=n_joint)
    converged = False
    iteration = 0
    delta = np.inf
    steps: list[tuple[np.ndarray, int, np.ndarray]] = []
    n_trimmed = 0
    while iteration < maxit:
        steps = []
        for codes, n_groups, target in coded:
            w = _post_step(w, codes, n_groups, target)
            steps.append((codes, n_groups, w))
        if trim is not None:
            w, outside = _trim_once(w, trim[0], trim[1])
            n_trimmed = int(outside.sum())
        new_table = np.bincount(joint, weights=w, minlength=n_joint)
        delta = float(np.max(np.abs(old_table - new_table)))
        if trim is not None:
            # trimming can stall away from the margins: require them as well
            misfit = max(
                float(np.max(np.abs(np.bincount(c, weights=w, minlength=g) - t)))
                for c, g, t in coded
            )
            delta = max(delta, misfit)
        if delta < eps:
            converged = True
            break
        old_table = new_table
        iteration += 1
    step = CalibrationStep(
        "rake",
        tuple(names),
        iterations=iteration + (1 if converged else 0),
        converged=converged,
        max_change=delta,
        n_trimmed=n_trimmed,
    )
    return design.with_weights(w, _Raking.build(steps), step)


def calibrate(
    design: SurveyDesign,
    *,
    terms: Sequence[str],
    population: Mapping[str, float],
) -> SurveyDesign:
    """Linear (GREG) calibration to population totals (R ``calibrate``, linear).

    Parameters
    ----------
    design
        The survey design.
    terms
        Model columns; the model has an intercept, factors enter as treatment
        dummies (first level dropped), numeric columns as they are.
    population
        Population total of every model column, keyed as R names them:
        ``"(Intercept)"`` (population size), ``"<factor><level>"``, ``"<numeric>"``.

    Returns
    -------
    SurveyDesign
        Weights ``g_i d_i`` with ``g = 1 + x_i' T^{-1} (t_x - \\hat t_x)``; the
        variance uses the residuals of the calibration model.
    """
    terms = _as_list(terms)
    check_columns(design.data, terms)
    mm, names = model_matrix(design.data, terms, order=design.level_order)
    missing = [n for n in names if n not in population]
    if missing:
        raise SociaparisError(
            AnalysisError.POPULATION_MISMATCH,
            variable=", ".join(terms),
            reason=Reason(
                en=f"no population total for {missing}",
                fr=f"aucun total de population pour {missing}",
            ),
        )
    pop = np.array([float(population[n]) for n in names])
    ww = design.weights
    whalf = np.sqrt(ww)
    sample_total = (mm * ww[:, None]).sum(axis=0)
    xw = mm * whalf[:, None]
    tmat = xw.T @ xw
    try:
        coef = np.linalg.solve(tmat, pop - sample_total)
    except np.linalg.LinAlgError as exc:
        raise SociaparisError(
            AnalysisError.SINGULAR,
            what=Reason(en="The calibration model", fr="modèle de calage"),
            reason=str(exc),
        ) from None
    g = 1.0 + mm @ coef
    q, _ = np.linalg.qr(xw)
    adjuster = _Greg(q, g * whalf)
    step = CalibrationStep("calibrate", tuple(terms))
    return design.with_weights(ww * g, adjuster, step)


def _trim_once(
    w: np.ndarray, lower: float, upper: float
) -> tuple[np.ndarray, np.ndarray]:
    """One pass of R's ``trimWeights``: clip, share the excess equally."""
    outside = (w < lower) | (w > upper)
    if not outside.any():
        return w, outside
    new = np.clip(w, lower, upper)
    new[~outside] += (w - new).sum() / (~outside).sum()
    return new, outside


def trim_weights(
    design: SurveyDesign,
    *,
    lower: float = -np.inf,
    upper: float = np.inf,
    strict: bool = False,
) -> SurveyDesign:
    """Trim weights to ``[lower, upper]`` (R ``trimWeights``).

    The weight cut off (or added) is shared equally among the weights that were
    inside the bounds, so the sum of weights is kept. With ``strict`` the step
    repeats until no weight is outside. Calibration information is kept for the
    variance, as in R.

    Parameters
    ----------
    design
        The survey design.
    lower, upper
        Bounds on the final weights.
    strict
        Repeat until every weight is within the bounds.

    Returns
    -------
    SurveyDesign
    """
    w = design.weights.copy()
    trimmed = np.zeros(len(w), dtype=bool)
    while True:
        w, outside = _trim_once(w, lower, upper)
        if not outside.any():
            break
        trimmed |= outside
        if not strict:
            break
    step = CalibrationStep(
        "trim", (f"lower={lower}", f"upper={upper}"), n_trimmed=int(trimmed.sum())
    )
    return design.with_weights(w, None, step)


@dataclass(frozen=True, slots=True)
class WeightReport:
    """Summary of the analysis weights of a design.

    Attributes
    ----------
    n
        Respondents with a non-zero weight.
    sum_weights, min_weight, max_weight, mean_weight
        Sum and range of the non-zero weights.
    ratio
        ``max_weight / min_weight``.
    cv
        Coefficient of variation of the weights.
    deff_kish
        Kish's design effect due to unequal weighting,
        :math:`n \\sum w^2 / (\\sum w)^2 = 1 + cv^2`.
    n_effective
        Kish's effective sample size :math:`(\\sum w)^2 / \\sum w^2`.
    steps
        The weighting steps applied to the design (dicts).
    """

    n: int
    sum_weights: float
    min_weight: float
    max_weight: float
    mean_weight: float
    ratio: float
    cv: float
    deff_kish: float
    n_effective: float
    steps: tuple[dict[str, Any], ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "n": self.n,
            "sum_weights": self.sum_weights,
            "min_weight": self.min_weight,
            "max_weight": self.max_weight,
            "mean_weight": self.mean_weight,
            "ratio": self.ratio,
            "cv": self.cv,
            "deff_kish": self.deff_kish,
            "n_effective": self.n_effective,
            "steps": list(self.steps),
        }

    def to_frame(self) -> pd.DataFrame:
        """One-row frame of the numbers."""
        d = self.to_dict()
        d.pop("steps")
        return pd.DataFrame([d])


def weight_report(design: SurveyDesign) -> WeightReport:
    """Report on the weights: range, ratio, Kish design effect, effective n.

    Parameters
    ----------
    design
        The survey design.

    Returns
    -------
    WeightReport

    Examples
    --------
    >>> import pandas as pd
    >>> from sociaparis.analysis.design import svydesign
    >>> df = pd.DataFrame({"w": [1.0, 1.0, 2.0, 4.0]})
    >>> weight_report(svydesign(df, weights="w")).deff_kish
    1.375
    """
    w = design.weights[design.weights != 0]
    s, s2, n = w.sum(), (w**2).sum(), len(w)
    return WeightReport(
        n=n,
        sum_weights=float(s),
        min_weight=float(w.min()),
        max_weight=float(w.max()),
        mean_weight=float(w.mean()),
        ratio=float(w.max() / w.min()),
        cv=float(w.std() / w.mean()),
        deff_kish=float(n * s2 / s**2),
        n_effective=float(s**2 / s2),
        steps=tuple(step.to_dict() for step in design.steps),
    )
