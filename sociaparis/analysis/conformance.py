"""Run a survey conformance case (R ``survey`` reference layout) through sociaparis.

A case is a JSON file with ``data`` (a CSV path relative to the case file),
``design`` (R formulas ``ids``, ``strata``, ``weights``, ``fpc``, the
``level_order`` of R's session and the ``calibration`` steps applied in
order: ``rake``, ``poststratify``, ``calibrate``), ``analysis``,
``variables``, analysis ``options``, further analyses of the same design in
``also`` and R's ``result``. :func:`run_case` computes the result from the
case's inputs alone, never from its reference result, and
:func:`compare_case` compares the two key by key and number by number.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sociaparis.analysis import crosstab as xt
from sociaparis.analysis import domains, estimators, glm, quantiles, weights
from sociaparis.analysis.design import SurveyDesign, svydesign
from sociaparis.analysis.errors import AnalysisError
from sociaparis.analysis.levels import levels_of
from sociaparis.analysis.results import Estimate, _num
from sociaparis.core.errors import Reason, SociaparisError


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
            reason=Reason(
                en=f"compound formula {formula!r} is not supported here",
                fr=f"la formule composée {formula!r} n'est pas prise en charge ici",
            ),
        )
    return terms[0] if terms else None


_STEPS = ("rake", "poststratify", "calibrate")


def _population_frame(population: Any) -> Any:
    """R's data frame of counts (a list of records in JSON) as a DataFrame."""
    return pd.DataFrame(population) if isinstance(population, list) else population


def _calibration_step(
    design: SurveyDesign, step: dict[str, Any], path: Path
) -> SurveyDesign:
    """Apply one ``design.calibration`` step of a case."""
    method = step.get("method")
    if method == "rake":
        control = step.get("control") or {}
        return weights.rake(
            design,
            margins=step["margins"],
            epsilon=float(control.get("epsilon", 1.0)),
            maxit=int(control.get("maxit", 10)),
        )
    if method == "poststratify":
        return weights.poststratify(
            design,
            variable=_formula_terms(step["strata"]),
            population=_population_frame(step["population"]),
            partial=bool(step.get("partial", False)),
        )
    if method == "calibrate":
        return weights.calibrate(
            design,
            terms=_formula_terms(step["formula"]),
            population=step["population"],
        )
    raise SociaparisError(
        AnalysisError.BAD_CASE,
        path=path,
        reason=Reason(
            en=f"unknown calibration method {method!r}; known: {', '.join(_STEPS)}",
            fr=f"méthode de calage {method!r} inconnue ; méthodes connues : "
            f"{', '.join(_STEPS)}",
        ),
    )


def _design(case: dict[str, Any], data: pd.DataFrame, path: Path) -> SurveyDesign:
    spec = case.get("design") or {}
    design = svydesign(
        data,
        ids=_formula_terms(spec.get("ids")) or None,
        strata=_formula_column(spec.get("strata"), path=path),
        weights=_formula_column(spec.get("weights"), path=path),
        fpc=_formula_terms(spec.get("fpc")) or None,
        level_order=spec.get("level_order", "locale"),
    )
    for step in spec.get("calibration") or []:
        design = _calibration_step(design, step, path)
    return design


def _est_se(est: Estimate) -> dict[str, Any]:
    d = est.to_dict()
    return {"estimate": d["estimate"], "se": d["se"]}


def _nan_policy(case: dict[str, Any]) -> str:
    return "omit" if (case.get("options") or {}).get("na_rm") else "raise"


def _run_sum_weights(design: SurveyDesign, case: dict[str, Any]) -> float:
    """R ``sum(weights(design))``."""
    del case
    return float(design.weights.sum())


def _run_weighted_counts(design: SurveyDesign, case: dict[str, Any]) -> dict[str, Any]:
    """R ``svytable(~var, design)``: the weighted count of every level."""
    col = design.data[case["variables"]].dropna()
    levels = levels_of(col, design.level_order)
    codes = pd.Index(levels).get_indexer(col.to_numpy())
    w = design.weights[col.index.to_numpy()]
    sums = np.bincount(codes, weights=w, minlength=len(levels))
    return {str(k): float(v) for k, v in zip(levels, sums, strict=True)}


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
    p = float(options.get("quantile", 0.5))
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
    return {
        "variables": [row, col],
        "observed": plain.to_dict()["observed"],
        "statistic_no_correction": plain.statistic,
        "p_value_no_correction": plain.p_value,
        "statistic_yates": yates.statistic,
        "p_value_yates": yates.p_value,
        "df": plain.df,
        "cramers_v": plain.cramers_v,
    }


_DESIGN_RUNNERS: dict[str, Callable[[SurveyDesign, dict[str, Any]], Any]] = {
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
    "sum_weights": _run_sum_weights,
    "weighted_counts": _run_weighted_counts,
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


def _read_case(path: Path) -> dict[str, Any]:
    try:
        case = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise SociaparisError(
            AnalysisError.BAD_CASE, path=path, reason=str(exc)
        ) from None
    if not isinstance(case, dict):
        raise SociaparisError(
            AnalysisError.BAD_CASE,
            path=path,
            reason=Reason(en="not an object", fr="ce n'est pas un objet JSON"),
        )
    return case


def _check_analysis(spec: dict[str, Any], path: Path, known: tuple[str, ...]) -> str:
    analysis = spec.get("analysis")
    if analysis not in known:
        listed = ", ".join(known)
        hint = (
            Reason(
                en=f"; {analysis} is a weighting step: list it in design.calibration "
                "and name the analysis to run on the result (docs/statistics.md)",
                fr=f" ; {analysis} est une étape de pondération : placez-la dans "
                "design.calibration et nommez l'analyse à mener sur le résultat "
                "(docs/statistics.md)",
            )
            if analysis in _STEPS
            else Reason(en="", fr="")
        )
        raise SociaparisError(
            AnalysisError.BAD_CASE,
            path=path,
            reason=Reason(
                en=f"unknown analysis {analysis!r}; known: {listed}{hint.en}",
                fr=f"analyse {analysis!r} inconnue ; analyses connues : "
                f"{listed}{hint.fr}",
            ),
        )
    return str(analysis)


def _run_design_case(
    design: SurveyDesign, case: dict[str, Any], path: Path
) -> dict[str, Any]:
    """The main analysis, then every analysis of ``also`` under its own key."""
    analysis = _check_analysis(case, path, tuple(_DESIGN_RUNNERS))
    result = _DESIGN_RUNNERS[analysis](design, case)
    also = case.get("also") or {}
    if also and not isinstance(result, dict):
        raise SociaparisError(
            AnalysisError.BAD_CASE,
            path=path,
            reason=Reason(
                en=f"{analysis} takes no 'also'",
                fr=f"{analysis} n'accepte pas de clé « also »",
            ),
        )
    for key, spec in also.items():
        if key in result:
            raise SociaparisError(
                AnalysisError.BAD_CASE,
                path=path,
                reason=Reason(
                    en=f"'also' key {key!r} is a key of the {analysis} result",
                    fr=f"la clé {key!r} de « also » est déjà une clé du résultat de "
                    f"{analysis}",
                ),
            )
        sub = _check_analysis(spec, path, tuple(_DESIGN_RUNNERS))
        result[key] = _DESIGN_RUNNERS[sub](design, spec)
    return result


def run_case(path: str | Path) -> dict[str, Any]:
    """Recompute a conformance case with sociaparis.

    Parameters
    ----------
    path
        The case JSON; its ``data`` path is relative to the case file.

    Returns
    -------
    dict
        ``id``, ``analysis`` and ``result`` (with ``extra_2x2`` where the case
        asks for it), computed from the case's data, design, analysis,
        variables and options only: the layout of the result depends on what
        the case asks for, never on its reference result.
    """
    path = Path(path)
    case = _read_case(path)
    analysis = _check_analysis(case, path, ANALYSES)
    data_path = path.parent / case["data"]
    if not data_path.is_file():
        raise SociaparisError(
            AnalysisError.BAD_CASE,
            path=path,
            reason=Reason(
                en=f"data file {data_path} not found",
                fr=f"fichier de données {data_path} introuvable",
            ),
        )
    data = pd.read_csv(data_path, keep_default_na=False, na_values=[""])
    out: dict[str, Any] = {"id": case.get("id", path.stem), "analysis": analysis}
    try:
        if analysis == "unweighted_chisq":
            out["result"] = _run_unweighted(data, case)
            if "extra_2x2" in case:
                out["extra_2x2"] = _extra_2x2(data, case["extra_2x2"])
        else:
            out["result"] = _run_design_case(_design(case, data, path), case, path)
    except KeyError as exc:
        raise SociaparisError(
            AnalysisError.BAD_CASE,
            path=path,
            reason=Reason(en=f"missing field {exc}", fr=f"champ {exc} manquant"),
        ) from None
    return _clean(out)


# Free-text remarks of a reference file, not results.
_ANNOTATIONS = ("note", "notes")


def compare_case(
    reference: dict[str, Any], computed: dict[str, Any], *, rtol: float = 1e-6
) -> list[str]:
    """Every difference between a case's reference and :func:`run_case`'s output.

    ``result`` (and ``extra_2x2`` where the reference has one) must have
    exactly the same keys, nesting and list lengths, and numbers within
    ``rtol``; free-text ``note`` fields of the reference are skipped.

    Parameters
    ----------
    reference
        The case as read from its JSON file.
    computed
        What :func:`run_case` returned for it.
    rtol
        Relative tolerance for numbers.

    Returns
    -------
    list of str
        One message per difference; empty when they agree.
    """
    problems = compare_results(reference.get("result"), computed.get("result"), rtol=rtol)
    if "extra_2x2" in reference or "extra_2x2" in computed:
        expected = {
            k: v
            for k, v in (reference.get("extra_2x2") or {}).items()
            if k not in _ANNOTATIONS
        }
        problems += compare_results(
            expected, computed.get("extra_2x2"), rtol=rtol, where="extra_2x2"
        )
    return problems


def compare_results(
    expected: Any, actual: Any, *, rtol: float = 1e-6, where: str = "result"
) -> list[str]:
    """Every place where ``actual`` differs from ``expected`` (numbers to ``rtol``).

    Objects must have the same keys, in the same order (R's order of names),
    lists the same length and order.

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
        problems += [
            f"{where}.{key}: not in the reference"
            for key in actual
            if key not in expected
        ]
        if not problems and list(actual) != list(expected):
            problems.append(
                f"{where}: keys in the order {list(actual)}, R has {list(expected)}"
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
