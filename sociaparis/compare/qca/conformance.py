"""Recompute a conformance case (the layout of R QCA reference files) with sociaparis.

A case is a JSON file holding an R call (``r_call``), its parameters and R's answers.
:func:`run_case` reads only the parameters (:data:`CALL_KEYS`) and builds a new object
holding only what sociaparis computed; :func:`answers` takes R's answers out of a case
in the same layout, so the two can be compared key by key and a field the runner
forgets is missing, never silently R's (see ``tests/reference/qca/README.md``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sociaparis.core.errors import Reason, SociaparisError

from .calibrate import calibrate
from .errors import QCAError
from .fit import TermFit
from .minimize import minimize
from .necessity import pof_necessity, superset_subset
from .results import Minimization, Model
from .truth_table import row_to_dict, truth_table

#: keys of a case that describe the call and its provenance; every other key is an answer
CALL_KEYS = frozenset(
    {
        "dataset",
        "kind",
        "analysis",
        "outcome",
        "negate_outcome",
        "conditions",
        "calibration",
        "incl_cut",
        "cov_cut",
        "relation",
        "n_cut",
        "pri_cut",
        "include",
        "dir_exp",
        "row_dom",
        "all_sol",
        "r_call",
        "r_qca_version",
        "r_admisc_version",
        "r_version",
        "note",
    }
)

#: keys of an entry of a calibration-examples case that describe its call
CALIBRATION_CALL_KEYS = frozenset({"input", "r_call"})


def answers(case: dict[str, Any]) -> dict[str, Any]:
    """R's answers in a case: the fields :func:`run_case` must compute, in its layout.

    Every key outside :data:`CALL_KEYS`; the calibrated sets of a case with a
    ``calibration`` as ``calibrated``; for calibration examples, the ``values`` of
    each call.

    Examples
    --------
    >>> answers({"outcome": "Y", "solutions": [["A"]], "r_call": "minimize(tt)"})
    {'solutions': [['A']]}
    """
    out = {key: value for key, value in case.items() if key not in CALL_KEYS}
    if case.get("calibration"):
        out["calibrated"] = case["calibration"]["calibrated"]
    if case.get("kind") == "calibration":
        out["cases"] = [
            {k: v for k, v in entry.items() if k not in CALIBRATION_CALL_KEYS}
            for entry in case["cases"]
        ]
    return out


def _read_csv(base: Path, name: str) -> pd.DataFrame:
    path = base / name
    try:
        return pd.read_csv(path, index_col=0)
    except (OSError, ValueError) as exc:
        raise SociaparisError(QCAError.BAD_FILE, path=path, reason=str(exc)) from None


def _r_arguments(call: str) -> dict[str, Any]:
    """The keyword arguments of a single ``calibrate()`` call written in R."""
    out: dict[str, Any] = {}
    thresholds = re.search(r"thresholds = (\"[^\"]*\"|c\([^)]*\)|-?[0-9.]+)", call)
    if thresholds is None:
        raise SociaparisError(
            QCAError.BAD_CASE_FILE,
            path=call,
            reason=Reason(en="no thresholds", fr="aucun seuil"),
        )
    text = thresholds.group(1)
    if text.startswith('"'):
        out["thresholds"] = text.strip('"')
    elif text.startswith("c("):
        out["thresholds"] = [float(v) for v in text[2:-1].split(",")]
    else:
        out["thresholds"] = float(text)
    for key in ("type", "method"):
        match = re.search(key + r' = "(\w+)"', call)
        if match:
            out[key] = match.group(1)
    for key in ("idm", "below", "above"):
        match = re.search(key + r" = ([0-9.]+)", call)
        if match:
            out[key] = float(match.group(1))
    for key in ("logistic", "ecdf"):
        match = re.search(key + r" = (TRUE|FALSE)", call)
        if match:
            out[key] = match.group(1) == "TRUE"
    return out


def _calibration_examples(case: dict[str, Any], base: Path) -> dict[str, Any]:
    computed = []
    for entry in case["cases"]:
        file_name, column = entry["input"].split(":")
        x = _read_csv(base, file_name)[column].to_numpy()
        values = calibrate(x, **_r_arguments(entry["r_call"]))
        computed.append({"values": [float(v) for v in values]})
    return {"cases": computed}


def _calibrated_data(spec: dict[str, Any], base: Path) -> pd.DataFrame:
    raw = _read_csv(base, spec["raw_dataset"])
    data = raw.copy()
    for column, thresholds in spec["thresholds"].items():
        negate = False
        if isinstance(thresholds, str) and "negated" in thresholds:
            thresholds = float(thresholds.split()[0])
            negate = True
        values = calibrate(
            raw[column].to_numpy(),
            thresholds=thresholds,
            type=spec.get("type", "fuzzy"),
            method=spec.get("method", "direct"),
            logistic=spec.get("logistic", True),
            idm=spec.get("idm", 0.95),
        )
        data[column] = 1 - values if negate else values
    return data


def _terms_dict(terms: tuple[TermFit, ...]) -> dict[str, Any]:
    return {t.term: t.to_dict() for t in terms}


def _fit_dict(models: tuple[Model, ...], overall: tuple[TermFit, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "solution": [m.fit.to_dict() for m in models],
        "terms": _terms_dict(overall),
    }
    if len(models) > 1:
        out["per_model"] = [_terms_dict(m.fit.terms) for m in models]
    return out


def _sa_dict(res: Minimization) -> dict[str, Any]:
    width = len(str(len(res.models)))
    levels = res.truth_table.levels
    out = {}
    for number, model in enumerate(res.models, start=1):
        rows = []
        for rownum in model.simplifying_assumptions or ():
            values, rest = [], rownum - 1
            for level in reversed(levels):
                values.append(rest % level)
                rest //= level
            rows.append({"rownum": rownum, "row": values[::-1]})
        out[f"M{number:0{width}d}"] = rows
    return out


def _minimization(case: dict[str, Any], base: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if case.get("calibration"):
        data = _calibrated_data(case["calibration"], base)
        order = case["calibration"].get("case_order", list(data.index))
        out["calibrated"] = {
            column: [float(v) for v in data.loc[order, column]]
            for column in case["calibration"]["calibrated"]
        }
    else:
        data = _read_csv(base, case["dataset"])
    tt = truth_table(
        data,
        outcome=case["outcome"],
        conditions=case["conditions"],
        incl_cut=case["incl_cut"],
        n_cut=case["n_cut"],
        pri_cut=case["pri_cut"],
        negate_outcome=case["negate_outcome"],
    )
    out["truth_table"] = [row_to_dict(row) for row in tt.rows if row.n > 0]
    # the case's row_dom flag can disagree with its own r_call (CVF-parsimonious-rowdom)
    row_dom = bool(case.get("row_dom")) or "row.dom = TRUE" in case.get("r_call", "")
    res = minimize(
        tt, include=case["include"], dir_exp=case.get("dir_exp"), row_dom=row_dom
    )
    out["solutions"] = res.solutions
    if res.dir_exp is not None:
        models = tuple(m for i in res.intermediate for m in i.models)
        # several C?P? keys: each term's row of the first key that has it
        overall: dict[str, TermFit] = {}
        for solution in res.intermediate:
            for term in solution.overall_terms:
                overall.setdefault(term.term, term)
        out["fit"] = _fit_dict(models, tuple(overall.values()))
        out["intermediate"] = [
            {
                "key": i.key,
                "solutions": [list(m.terms) for m in i.models],
                "essential": list(i.essential),
                "easy_counterfactuals": list(i.easy_counterfactuals),
                "fit": _fit_dict(i.models, i.overall_terms),
            }
            for i in res.intermediate
        ]
        out["parsimonious_solutions"] = [list(m.terms) for m in res.models]
        out["parsimonious_fit"] = _fit_dict(res.models, res.overall_terms)
    else:
        out["fit"] = _fit_dict(res.models, res.overall_terms)
        out["essential"] = list(res.essential)
        out["prime_implicants"] = list(res.prime_implicants)
        out["simplifying_assumptions"] = _sa_dict(res)
    return out


def _necessity(case: dict[str, Any], base: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    data = _read_csv(base, case["dataset"])
    common = {
        "outcome": case["outcome"],
        "conditions": case["conditions"],
        "negate_outcome": case["negate_outcome"],
    }
    result = superset_subset(
        data, incl_cut=case["incl_cut"], cov_cut=case.get("cov_cut", 0), **common
    )
    out["superSubset"] = [t.to_dict() for t in result.terms]
    # pof() was run only for the cases whose r_call has it
    if "pof(" in case.get("r_call", ""):
        out["pof"] = [t.to_dict() for t in pof_necessity(data, **common).terms]
    return out


def run_case(path: str | Path) -> dict[str, Any]:
    """Compute the answers of a conformance case from its call alone.

    Only the call (:data:`CALL_KEYS`) is read; R's answers in the file are ignored,
    and the result is a new object holding nothing but what sociaparis computed.

    Parameters
    ----------
    path
        A case JSON file; its data paths are relative to it.

    Returns
    -------
    dict
        The answers in the layout of :func:`answers`: for a minimization,
        ``truth_table``, ``solutions`` and ``fit``; with ``dir_exp``,
        ``intermediate``, ``parsimonious_solutions`` and ``parsimonious_fit``;
        without, ``essential``, ``prime_implicants`` and
        ``simplifying_assumptions``; ``calibrated`` when the case calibrates its
        data. For a necessity case ``superSubset`` (and ``pof`` when the R call
        ran it); for calibration examples ``cases`` with the ``values`` of each
        call. Models and their terms are listed in R's order.
    """
    path = Path(path)
    try:
        case = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SociaparisError(
            QCAError.BAD_CASE_FILE, path=path, reason=str(exc)
        ) from None
    base = path.parent
    if case.get("kind") == "calibration":
        return _calibration_examples(case, base)
    if case.get("analysis") == "necessity":
        return _necessity(case, base)
    if "include" in case:
        return _minimization(case, base)
    raise SociaparisError(
        QCAError.BAD_CASE_FILE,
        path=path,
        reason=Reason(
            en="neither a minimization, necessity nor calibration case",
            fr="ce n'est ni un cas de minimisation, ni de nécessité, ni de calibrage",
        ),
    )


def to_json(value: Any) -> str:
    """JSON with full precision, numpy scalars converted."""

    def default(obj: Any) -> Any:
        if isinstance(obj, np.integer):
            return int(obj)
        if isinstance(obj, np.floating):
            return float(obj)
        raise TypeError(type(obj))

    return json.dumps(value, indent=2, default=default, allow_nan=True)
