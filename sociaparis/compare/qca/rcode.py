"""The R code of a QCA run: the ``QCA`` package calls with the same arguments.

A researcher copies it to reproduce a run (or a published table) in R: the case
matrix is read from its CSV export, each set is calibrated as the plan says
(``calibrate()``, or a named vector for categories), then ``truthTable()``,
``minimize()`` and the necessity functions are called with the run's settings.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["r_calibration_lines", "r_code", "r_string"]


def r_string(text: str) -> str:
    """``text`` as an R string literal (double quotes, backslashes escaped).

    Examples
    --------
    >>> r_string('say "hi"')
    '"say \\\\"hi\\\\""'
    """
    escaped = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _number(value: Any) -> str:
    number = float(value)
    if math.isfinite(number) and number == int(number):
        return str(int(number))
    return repr(number)


def _column(name: str) -> str:
    return f"data[[{r_string(name)}]]"


def _thresholds(value: Any) -> str:
    if isinstance(value, str):
        if "=" in value:
            return r_string(value)
        parts = [p.strip() for p in value.split(",") if p.strip()]
        return _vector(parts)
    if isinstance(value, Mapping):
        return r_string(", ".join(f"{k}={_number(v)}" for k, v in value.items()))
    if isinstance(value, Sequence):
        return _vector(list(value))
    return _number(value)


def _vector(values: Sequence[Any]) -> str:
    numbers = [_number(v) for v in values]
    return numbers[0] if len(numbers) == 1 else f"c({', '.join(numbers)})"


def r_calibration_lines(plan: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """One R assignment per set of the calibration plan (``sets`` of a plan).

    Examples
    --------
    >>> r_calibration_lines({"C": {"source": "x", "thresholds": "e=2, c=5, i=8"}})[0]
    'data[["C"]] <- calibrate(data[["x"]], type = "fuzzy", thresholds = "e=2, c=5, i=8")'
    >>> r_calibration_lines({"MOD": {"source": "driver", "map": {"mod": 1, "reg": 0}}})
    ['data[["MOD"]] <- unname(c("mod" = 1, "reg" = 0)[as.character(data[["driver"]])])']
    """
    lines = []
    for name, options in plan.items():
        source = _column(str(options.get("source", name)))
        if "map" in options:
            pairs = ", ".join(
                f"{r_string(str(k))} = {_number(v)}" for k, v in options["map"].items()
            )
            value = f"unname(c({pairs})[as.character({source})])"
        elif "thresholds" not in options:
            if str(options.get("source", name)) == name and not options.get("negate"):
                continue
            value = source
        else:
            kind = options.get("type", "fuzzy")
            arguments = [source, f"type = {r_string(kind)}"]
            if options.get("method", "direct") != "direct":
                arguments.append(f"method = {r_string(options['method'])}")
            arguments.append(f"thresholds = {_thresholds(options['thresholds'])}")
            if options.get("logistic", True) is False:
                arguments.append("logistic = FALSE")
            for key in ("idm", "below", "above"):
                default = 0.95 if key == "idm" else 1.0
                if key in options and float(options[key]) != default:
                    arguments.append(f"{key} = {_number(options[key])}")
            if options.get("ecdf"):
                arguments.append("ecdf = TRUE")
            value = f"calibrate({', '.join(arguments)})"
        if options.get("negate"):
            value = f"1 - {value}"
        lines.append(f"{_column(name)} <- {value}")
    return lines


def _names(values: Sequence[str]) -> str:
    return f"c({', '.join(r_string(v) for v in values)})"


def r_code(
    *,
    plan: Mapping[str, Mapping[str, Any]],
    outcome: str,
    conditions: Sequence[str],
    negate_outcome: bool = False,
    incl_cut: float | Sequence[float] = 1.0,
    n_cut: int = 1,
    pri_cut: float = 0.0,
    include: str = "",
    dir_exp: str | None = None,
    row_dom: bool = False,
    necessity_incl_cut: float = 0.9,
    necessity_cov_cut: float = 0.6,
    data_file: str = "matrix.csv",
) -> str:
    """The R script of a run: read, calibrate, ``truthTable``, ``minimize``,
    ``superSubset`` and ``pof``.

    Parameters
    ----------
    plan
        The sets of the calibration plan (set name -> options).
    outcome, conditions, negate_outcome, incl_cut, n_cut, pri_cut
        The truth table's arguments.
    include, dir_exp, row_dom
        The minimization's arguments (``dir_exp`` as ``"A, ~B"``).
    necessity_incl_cut, necessity_cov_cut
        ``superSubset()``'s cut-offs.
    data_file
        The CSV export of the case matrix (``sociaparis cases export FRAME FILE``).

    Returns
    -------
    str
        R code to paste into a session with the ``QCA`` package installed.
    """
    used = [outcome, *conditions]
    sets = {name: plan[name] for name in used if name in plan}
    outcome_arg = ("~" if negate_outcome else "") + outcome
    if isinstance(incl_cut, (int, float)):
        cut = _number(incl_cut)
    else:
        cut = _vector(list(incl_cut))
    tt_arguments = [
        "data",
        f"outcome = {r_string(outcome_arg)}",
        f"conditions = {_names(conditions)}",
        f"incl.cut = {cut}",
        f"n.cut = {int(n_cut)}",
    ]
    if float(pri_cut) != 0:
        tt_arguments.append(f"pri.cut = {_number(pri_cut)}")
    tt_arguments.append("show.cases = TRUE")
    minimize_arguments = ["tt"]
    if include:
        minimize_arguments.append(f"include = {r_string(include)}")
    if dir_exp:
        minimize_arguments.append(f"dir.exp = {r_string(dir_exp)}")
    if row_dom:
        minimize_arguments.append("row.dom = TRUE")
    minimize_arguments.append("details = TRUE")
    lines = [
        "library(QCA)",
        f"data <- read.csv({r_string(data_file)}, row.names = 1, check.names = FALSE)",
        *r_calibration_lines(sets),
        f"tt <- truthTable({', '.join(tt_arguments)})",
        "tt",
        f"sol <- minimize({', '.join(minimize_arguments)})",
        "sol",
        (
            f"superSubset(data, outcome = {r_string(outcome_arg)}, "
            f"conditions = {_names(conditions)}, "
            f"incl.cut = {_number(necessity_incl_cut)}, "
            f"cov.cut = {_number(necessity_cov_cut)})"
        ),
        (
            f"pof(data[, {_names(conditions)}], "
            f"{'1 - ' if negate_outcome else ''}{_column(outcome)}, "
            'relation = "necessity")'
        ),
    ]
    return "\n".join(lines) + "\n"
