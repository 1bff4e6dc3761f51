"""Timing benchmark of the survey statistics on the 100,000-respondent staff survey.

Runs the same stages R's ``survey`` package was timed on (see
``benchmarks/data/README-staff-100k.md``): design, raking with R's default
control, raking to convergence, then 50 estimates on the raked design. Prints
the seconds of each stage (median of ``--runs``), the ratio to R's medians and
two reference values to compare with R's.

Usage::

    .venv/bin/python benchmarks/analysis.py [--runs 3] [--data DIR]

The data are generated into ``benchmarks/out/staff-100k`` by
``benchmarks/data/gen_staff_100k.py`` when missing (deterministic, about 8 MB).
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sociaparis.analysis import crosstab, domains, estimators, glm, quantiles, weights
from sociaparis.analysis.design import SurveyDesign, svydesign

HERE = Path(__file__).resolve().parent
#: R's timings: the machine-readable line and the per-kind table of this file,
#: which says when and on which machine R was timed.
R_TIMINGS = HERE / "data" / "README-staff-100k.md"
ITEMS = [f"q{j}" for j in range(1, 21)]


def ensure_data(folder: Path) -> Path:
    """Generate the staff survey into ``folder`` unless it is there."""
    csv = folder / "staff_100k.csv"
    if not csv.is_file():
        subprocess.run(
            [
                sys.executable,
                str(HERE / "data" / "gen_staff_100k.py"),
                "--out",
                str(folder),
            ],
            check=True,
        )
    return csv


def margins(folder: Path) -> dict[str, dict[str, float]]:
    """Population margins of directorate and category."""
    out = {}
    for var in ("directorate", "category"):
        pop = pd.read_csv(folder / f"pop_{var}.csv")
        out[var] = dict(zip(pop[var], pop["Freq"], strict=True))
    return out


def r_timings(path: Path = R_TIMINGS) -> tuple[dict[str, float], dict[str, tuple]]:
    """R's median seconds by stage, and (calls, seconds) by kind of estimate.

    Read from ``path``: the ``R_SURVEY_100K_MEDIAN(n=…) stage_s=…`` line and the
    ``| kind | calls | s |`` table, so that the peer's figures come with their
    date and machine instead of living in the code.
    """
    text = path.read_text(encoding="utf-8")
    line = re.search(r"^R_SURVEY_100K_MEDIAN\(n=\d+\) (.+)$", text, re.MULTILINE)
    if line is None:
        raise SystemExit(f"{path}: no R_SURVEY_100K_MEDIAN line")
    stages = {
        name.removesuffix("_s"): float(value)
        for name, value in (pair.split("=") for pair in line.group(1).split())
    }
    order = ["load", "design", "rake_default", "rake", "estimates50", "total"]
    medians = {stage: stages[stage] for stage in order}
    kinds = {
        kind.strip(): (int(calls), float(seconds))
        for kind, calls, seconds in re.findall(
            r"^\| (sv[^|]+?) \| +(\d+) \| ([0-9.]+)", text, re.MULTILINE
        )
    }
    return medians, kinds


def _top2(des: SurveyDesign, item: str) -> Any:
    q = des.data[item]
    top = des.with_columns(top2=np.where(q.isna(), np.nan, (q >= 4).astype(float)))
    return estimators.mean(top, variables="top2", nan_policy="omit")


def _ai_model(des: SurveyDesign) -> Any:
    ai = (des.data["uses_ai_weekly"] == "Yes").astype(float)
    return glm.glm(
        des.with_columns(ai_yes=ai),
        response="ai_yes",
        predictors=["category", "age_band"],
        family="quasibinomial",
    )


def fifty_calls(des: SurveyDesign) -> list[tuple[str, Callable[[], Any]]]:
    """The 50 calls of R's benchmark (kind, call), in R's order of kinds."""
    calls: list[tuple[str, Callable[[], Any]]] = [
        (
            "svymean, one Likert item",
            lambda item=item: estimators.mean(des, variables=item, nan_policy="omit"),
        )
        for item in ITEMS
    ]
    calls += [
        ("svymean, factor", lambda v=v: estimators.mean(des, variables=v))
        for v in ("uses_ai_weekly", "category", "age_band")
    ]
    calls += [
        (
            "svyby",
            lambda y=y, by=by: domains.by_domain(
                des, variables=y, by=by, nan_policy="omit"
            ),
        )
        for y, by in [
            ("uses_ai_weekly", "category"),
            ("uses_ai_weekly", "directorate"),
            ("uses_ai_weekly", "age_band"),
            ("q1", "directorate"),
            ("q2", "category"),
            ("q3", ["category", "age_band"]),
        ]
    ]
    calls += [
        ("svychisq", lambda r=r, c=c: crosstab.chisq_test(des, row=r, col=c))
        for r, c in [
            ("category", "uses_ai_weekly"),
            ("age_band", "uses_ai_weekly"),
            ("directorate", "uses_ai_weekly"),
            ("category", "age_band"),
        ]
    ]
    calls += [
        ("svytotal", lambda: estimators.total(des, variables="uses_ai_weekly")),
        (
            "svyquantile",
            lambda: quantiles.quantile(des, variable="q1", nan_policy="omit"),
        ),
        (
            "svyquantile",
            lambda: quantiles.quantile(
                des, variable="q5", quantiles=[0.25, 0.5, 0.75], nan_policy="omit"
            ),
        ),
        (
            "svyciprop",
            lambda: estimators.ciprop(des, variable="uses_ai_weekly", event="Yes"),
        ),
    ]
    calls += [("svymean, top-2-box", lambda i=i: _top2(des, i)) for i in ITEMS[:10]]
    calls += [
        ("svyglm", lambda: _ai_model(des)),
        (
            "svytable",
            lambda: crosstab.crosstab(des, row="category", col="uses_ai_weekly"),
        ),
        (
            "svymean, 5 items at once",
            lambda: estimators.mean(des, variables=ITEMS[:5], nan_policy="omit"),
        ),
    ]
    return calls


def fifty_estimates(
    des: SurveyDesign, kind_seconds: dict[str, float] | None = None
) -> list[Any]:
    """Run the 50 calls; add the seconds of each kind to ``kind_seconds``."""
    results = []
    for kind, call in fifty_calls(des):
        start = time.perf_counter()
        results.append(call())
        if kind_seconds is not None:
            kind_seconds[kind] = kind_seconds.get(kind, 0.0) + (
                time.perf_counter() - start
            )
    return results


def timed(func: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds taken by ``func()`` and its value."""
    start = time.perf_counter()
    value = func()
    return time.perf_counter() - start, value


def one_run(csv: Path, pop: dict[str, dict[str, float]]) -> tuple[dict[str, float], Any]:
    """Time every stage once."""
    times: dict[str, float] = {}
    times["load"], data = timed(lambda: pd.read_csv(csv))
    times["design"], des = timed(
        lambda: svydesign(data, strata="directorate", weights="base_weight", fpc="N_h")
    )
    times["rake_default"], _ = timed(lambda: weights.rake(des, margins=pop))
    times["rake"], raked = timed(
        lambda: weights.rake(des, margins=pop, epsilon=1e-10, maxit=100)
    )
    kinds: dict[str, float] = {}
    times["estimates50"], results = timed(lambda: fifty_estimates(raked, kinds))
    times.update({f"kind:{k}": v for k, v in kinds.items()})
    if len(results) != 50:
        raise RuntimeError(f"expected 50 estimates, got {len(results)}")
    times["total"] = (
        times["design"] + times["rake_default"] + times["rake"] + times["estimates50"]
    )
    return times, (raked, results)


def main() -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data", type=Path, default=HERE / "out" / "staff-100k")
    args = parser.parse_args()
    r_medians, r_kinds = r_timings()
    csv = ensure_data(args.data)
    pop = margins(args.data)
    runs = []
    for _ in range(args.runs):
        times, (raked, results) = one_run(csv, pop)
        runs.append(times)
    print(
        f"sociaparis survey statistics, staff survey 100k, median of {args.runs} run(s)"
    )
    print(f"{'stage':<14}{'seconds':>10}{'R seconds':>11}{'R / ours':>10}")
    for stage, r_s in r_medians.items():
        ours = statistics.median(run[stage] for run in runs)
        note = "  (not in total)" if stage == "load" else ""
        print(f"{stage:<14}{ours:>10.3f}{r_s:>11.3f}{r_s / ours:>10.1f}{note}")
    print(f"{'kind of estimate':<26}{'calls':>6}{'seconds':>10}{'R seconds':>11}")
    for kind, (calls, r_s) in r_kinds.items():
        ours = statistics.median(run[f"kind:{kind}"] for run in runs)
        print(f"{kind:<26}{calls:>6}{ours:>10.3f}{r_s:>11.3f}")
    q1 = results[0]
    p_ai = results[20]
    idx = p_ai.names.index("uses_ai_weeklyYes")
    reference = re.search(
        r"^Reference values on this file: (.+?)\n\n",
        R_TIMINGS.read_text(encoding="utf-8"),
        re.MULTILINE | re.DOTALL,
    )
    print(f"reference values from R ({R_TIMINGS.name}):")
    print("  " + (reference.group(1).replace("\n", " ") if reference else "none found"))
    print(f"  raked mean q1 = {q1.estimate[0]:.4f}, SE {q1.se[0]:.5f}")
    print(f"  P(uses_ai_weekly = Yes) = {p_ai.estimate[idx]:.4f}, SE {p_ai.se[idx]:.5f}")
    print(f"  rake sweeps to 1e-10: {raked.steps[-1].iterations}")


if __name__ == "__main__":
    main()
