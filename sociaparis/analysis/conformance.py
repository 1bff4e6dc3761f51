"""Run a survey conformance case (R ``survey`` reference layout) through sociaparis.

A case is a JSON file with ``data`` (a CSV path relative to the case file),
``design`` (R formulas ``ids``, ``strata``, ``weights``, ``fpc``), ``analysis``,
``variables``, analysis options and R's ``result``. :func:`run_case` returns
the case with ``result`` recomputed by sociaparis, with the same keys and
nesting, so the two can be compared number by number
(:func:`compare_results`).

Extra result keys follow the reference files: ``total_<var>`` asks for the
total of ``<var>`` on the (re)weighted design, ``raked_margin_<var>`` for the
weighted count of each level of a raking margin (dots dropped from the name).
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from sociaparis.analysis import crosstab as xt
from sociaparis.analysis import domains, estimators, glm, quantiles, weights
from sociaparis.analysis.design import SurveyDesign, svydesign
from sociaparis.analysis.errors import AnalysisError
from sociaparis.analysis.estimators import is_factor, levels_of
from sociaparis.analysis.results import Estimate, _num
from sociaparis.core.errors import SociaparisError


def _formula_terms(formula: str | None) -> list[str]:
    """``"~a + b"`` -> ``["a", "b"]``; ``"~1"`` or ``None`` -> ``[]``."""
    if formula is None:
        return []
    terms = [t.strip() for t in formula.strip().lstrip("~").split("+")]
    return [t for t in terms if t not in ("1", "0", "")]


def _formula_column(formula: str | None, *, path: Path) -> str | None:
    """``"~x"`` -> ``"x"``; ``"~1"`` or ``None`` -> ``None``; one term only."""
    terms = _formula_terms(formula)
    if len(terms) > 1:
        raise SociaparisError(
            AnalysisError.BAD_CASE,
            path=path,
            reason=f"compound formula {formula!r} is not supported here",
        )
    return terms[0] if terms else None


def _design(case: dict[str, Any], data: pd.DataFrame, path: Path) -> SurveyDesign:
    spec = case.get("design") or {}
    return svydesign(
        data,
        ids=_formula_terms(spec.get("ids")) or None,
        strata=_formula_column(spec.get("strata"), path=path),
        weights=_formula_column(spec.get("weights"), path=path),
        fpc=_formula_terms(spec.get("fpc")) or None,
    )


def _est_se(est: Estimate) -> dict[str, Any]:
    d = est.to_dict()
    return {"estimate": d["estimate"], "se": d["se"]}


def _nan_policy(case: dict[str, Any]) -> str:
    return "omit" if (case.get("options") or {}).get("na_rm") else "raise"


def _extras(
    design: SurveyDesign, reference: dict[str, Any], variables: Any
) -> dict[str, Any]:
    """Extra totals asked by ``total_<var>`` keys of the reference result."""
    out: dict[str, Any] = {}
    for key in reference:
        if key.startswith("total_"):
            var = key[len("total_") :]
            if var in design.data.columns:
                out[key] = _est_se(estimators.total(design, variables=var))
    return out


def _weighted(design: SurveyDesign, case: dict[str, Any]) -> dict[str, Any]:
    variables = case["variables"]
    result = _est_se(estimators.mean(design, variables=variables))
    result["sum_weights"] = float(design.weights.sum())
    return result


def _run_rake(design: SurveyDesign, case: dict[str, Any]) -> dict[str, Any]:
    control = case.get("rake_control") or {}
    margins = case["population_margins"]
    raked = weights.rake(
        design,
        margins=margins,
        epsilon=float(control.get("epsilon", 1.0)),
        maxit=int(control.get("maxit", 10)),
    )
    result = _weighted(raked, case)
    for var in margins:
        codes = raked.data[var].astype(str)
        sums = pd.Series(raked.weights).groupby(codes.to_numpy()).sum()
        result[f"raked_margin_{var.replace('.', '')}"] = {
            str(k): float(v) for k, v in sums.items()
        }
    result.update(_extras(raked, case.get("result") or {}, case["variables"]))
    return result


def _run_poststratify(design: SurveyDesign, case: dict[str, Any]) -> dict[str, Any]:
    (var, pop), *rest = case["population_margins"].items()
    if rest:
        raise SociaparisError(
            AnalysisError.BAD_CASE, path=case["id"], reason="one post-stratum variable"
        )
    post = weights.poststratify(design, variable=var, population=pop)
    result = _weighted(post, case)
    result.pop("sum_weights")
    result.update(_extras(post, case.get("result") or {}, case["variables"]))
    return result


def _calibration_terms(data: pd.DataFrame, names: list[str]) -> list[str]:
    """Model columns behind R's coefficient names (``stypeH`` -> ``stype``)."""
    terms: list[str] = []
    for name in names:
        if name == "(Intercept)":
            continue
        if name in data.columns and not is_factor(data[name]):
            term = name
        else:
            term = next(
                (
                    c
                    for c in data.columns
                    if name.startswith(c)
                    and is_factor(data[c])
                    and name[len(c) :] in map(str, levels_of(data[c]))
                ),
                name,
            )
        if term not in terms:
            terms.append(term)
    return terms


def _run_calibrate(design: SurveyDesign, case: dict[str, Any]) -> dict[str, Any]:
    totals = case["population_totals"]
    terms = _calibration_terms(design.data, list(totals))
    cal = weights.calibrate(design, terms=terms, population=totals)
    result = _weighted(cal, case)
    result.update(_extras(cal, case.get("result") or {}, case["variables"]))
    return result


def _run_by(design: SurveyDesign, case: dict[str, Any], statistic: str) -> dict[str, Any]:
    v = case["variables"]
    res = domains.by_domain(
        design,
        variables=v["y"],
        by=v["by"],
        statistic=statistic,
        nan_policy=_nan_policy(case),
    )
    return {"rows": res.r_rows()}


def _run_crosstab(design: SurveyDesign, case: dict[str, Any]) -> dict[str, Any]:
    row, col = case["variables"]
    res = xt.crosstab(design, row=row, col=col, nan_policy="omit")
    cells = [
        {row: str(r), col: str(c), "weighted_count": float(res.table.loc[r, c])}
        for c in res.table.columns
        for r in res.table.index
    ]
    return {"cells": cells, "total": res.total}


def _run_chisq(design: SurveyDesign, case: dict[str, Any]) -> dict[str, Any]:
    row, col = case["variables"]
    statistic = (case.get("options") or {}).get("statistic", "F")
    res = xt.chisq_test(design, row=row, col=col, statistic=statistic, nan_policy="omit")
    d = res.to_dict()
    parameter = {
        k: (int(v) if float(v).is_integer() else v) for k, v in d["parameter"].items()
    }
    return {
        "statistic": d["statistic"],
        "statistic_name": d["statistic_name"],
        "parameter": parameter,
        "p_value": d["p_value"],
        "method": d["method"],
    }


def _run_quantile(design: SurveyDesign, case: dict[str, Any]) -> dict[str, Any]:
    options = case.get("options") or {}
    p = float((case.get("result") or {}).get("quantile", options.get("quantile", 0.5)))
    res = quantiles.quantile(
        design,
        variable=case["variables"],
        quantiles=p,
        qrule=options.get("qrule", "math"),
        ci_level=1 - float(options.get("alpha", 0.05)),
        nan_policy=_nan_policy(case),
    )
    return {
        "quantile": p,
        "estimate": float(res.estimate[0]),
        "ci_lower": float(res.ci_low[0]),
        "ci_upper": float(res.ci_high[0]),
        "se": float(res.se[0]),
        "df": res.df,
    }


def _run_glm(design: SurveyDesign, case: dict[str, Any], family: str) -> dict[str, Any]:
    v = case["variables"]
    res = glm.glm(
        design,
        response=v["response"],
        predictors=v["predictors"],
        family=family,
        event=v.get("response_event"),
    )
    d = res.to_dict()
    out = {"coefficients": d["coefficients"], "se": d["se"]}
    if family != "gaussian":
        out.update({"df_residual": d["df_residual"], "dispersion": d["dispersion"]})
    return out


def _run_ratio(design: SurveyDesign, case: dict[str, Any]) -> dict[str, Any]:
    v = case["variables"]
    res = estimators.ratio(design, numerator=v["numerator"], denominator=v["denominator"])
    return {"estimate": float(res.estimate[0]), "se": float(res.se[0])}


def _run_unweighted(data: pd.DataFrame, case: dict[str, Any]) -> dict[str, Any]:
    row, col = case["variables"]
    return xt.pearson_chisq(data, row=row, col=col).to_dict()


def _extra_2x2(data: pd.DataFrame, extra: dict[str, Any]) -> dict[str, Any]:
    row, col = extra["variables"]
    plain = xt.pearson_chisq(data, row=row, col=col)
    yates = xt.pearson_chisq(data, row=row, col=col, correction=True)
    out = dict(extra)
    out.update(
        {
            "observed": plain.to_dict()["observed"],
            "statistic_no_correction": plain.statistic,
            "p_value_no_correction": plain.p_value,
            "statistic_yates": yates.statistic,
            "p_value_yates": yates.p_value,
            "df": plain.df,
            "cramers_v": plain.cramers_v,
        }
    )
    return out


_DESIGN_RUNNERS: dict[str, Callable[[SurveyDesign, dict[str, Any]], dict[str, Any]]] = {
    "mean": lambda d, c: _est_se(
        estimators.mean(d, variables=c["variables"], nan_policy=_nan_policy(c))
    ),
    "total": lambda d, c: _est_se(
        estimators.total(d, variables=c["variables"], nan_policy=_nan_policy(c))
    ),
    "proportion": lambda d, c: _est_se(
        estimators.proportion(d, variable=c["variables"], nan_policy=_nan_policy(c))
    ),
    "svyby_mean": lambda d, c: _run_by(d, c, "mean"),
    "svyby_total": lambda d, c: _run_by(d, c, "total"),
    "crosstab": _run_crosstab,
    "svychisq": _run_chisq,
    "rake": _run_rake,
    "poststratify": _run_poststratify,
    "calibrate": _run_calibrate,
    "quantile": _run_quantile,
    "glm_logistic": lambda d, c: _run_glm(d, c, "quasibinomial"),
    "glm_linear": lambda d, c: _run_glm(d, c, "gaussian"),
    "ratio": _run_ratio,
}

ANALYSES = (*_DESIGN_RUNNERS, "unweighted_chisq")


def _clean(value: Any) -> Any:
    """Numpy scalars to Python, NaN to ``None``, recursively."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return _num(value)


def run_case(path: str | Path) -> dict[str, Any]:
    """Recompute a conformance case with sociaparis.

    Parameters
    ----------
    path
        The case JSON; its ``data`` path is relative to the case file.

    Returns
    -------
    dict
        The case with ``result`` (and ``extra_2x2`` where present) computed by
        sociaparis, same keys and nesting as the reference.
    """
    path = Path(path)
    try:
        case = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise SociaparisError(
            AnalysisError.BAD_CASE, path=path, reason=str(exc)
        ) from None
    analysis = case.get("analysis")
    if analysis not in ANALYSES:
        raise SociaparisError(
            AnalysisError.BAD_CASE,
            path=path,
            reason=f"unknown analysis {analysis!r}; known: {', '.join(ANALYSES)}",
        )
    data_path = path.parent / case["data"]
    if not data_path.is_file():
        raise SociaparisError(
            AnalysisError.BAD_CASE, path=path, reason=f"data file {data_path} not found"
        )
    data = pd.read_csv(data_path)
    out = copy.deepcopy(case)
    if analysis == "unweighted_chisq":
        out["result"] = _run_unweighted(data, case)
        if "extra_2x2" in case:
            out["extra_2x2"] = _extra_2x2(data, case["extra_2x2"])
    else:
        design = _design(case, data, path)
        out["result"] = _DESIGN_RUNNERS[analysis](design, case)
    return _clean(out)


def compare_results(
    expected: Any, actual: Any, *, rtol: float = 1e-6, where: str = "result"
) -> list[str]:
    """Every place where ``actual`` differs from ``expected`` (numbers to ``rtol``).

    Parameters
    ----------
    expected, actual
        Nested dicts/lists of numbers and strings.
    rtol
        Relative tolerance for numbers (absolute ``rtol`` when the reference is 0).
    where
        Path prefix used in the messages.

    Returns
    -------
    list of str
        One message per difference; empty when they agree.
    """
    problems: list[str] = []
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where}: expected an object, got {actual!r}"]
        for key, value in expected.items():
            if key not in actual:
                problems.append(f"{where}.{key}: missing")
            else:
                problems += compare_results(
                    value, actual[key], rtol=rtol, where=f"{where}.{key}"
                )
        return problems
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{where}: expected a list of {len(expected)}, got {actual!r}"]
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            problems += compare_results(e, a, rtol=rtol, where=f"{where}[{i}]")
        return problems
    if isinstance(expected, bool) or isinstance(expected, str) or expected is None:
        return [] if expected == actual else [f"{where}: {actual!r} != {expected!r}"]
    if not isinstance(actual, int | float) or isinstance(actual, bool):
        return [f"{where}: expected a number, got {actual!r}"]
    scale = abs(expected) if expected != 0 else 1.0
    if not math.isfinite(actual) or abs(actual - expected) > rtol * scale:
        return [f"{where}: {actual!r} != {expected!r} (rtol {rtol})"]
    return []
