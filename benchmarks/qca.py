"""Time QCA minimization on the synthetic crisp benchmarks and compare with R.

Usage::

    .venv/bin/python benchmarks/qca.py [--repeat 3]

Data and R's timings come from ``tests/reference/qca/bench/`` (a copy of the shared
conformance folder): ``bench-cs12/16/20.csv`` and ``TIMING.md``, where R QCA 3.23
(``minimize(tt, include = ..., method = "CCubes")`` after ``truthTable(d, outcome =
"Y", incl.cut = 1)``) took 56.5 s on cs12 with ``include = "?"`` and did not finish
the others. The script prints, for each data set and ``include``, the seconds
sociaparis needs (best of ``--repeat`` runs, truth table excluded as in R's timing),
the models found, R's time and the ratio R / sociaparis, and checks that the models
equal R's answer where R finished.
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

import pandas as pd

from sociaparis.compare.qca import minimize, truth_table

BENCH = Path(__file__).resolve().parent.parent / "tests" / "reference" / "qca" / "bench"


def r_timings() -> dict[tuple[str, str], tuple[str, str]]:
    """(data, include) -> (R seconds as written, R's answer) for method CCubes."""
    out = {}
    for line in (BENCH / "TIMING.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 5 or cells[2] != "CCubes":
            continue
        data = cells[0].split()[0]
        include = cells[1].strip('"')
        out[(data, include)] = (cells[3].replace("*", ""), cells[4])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    reference = r_timings()
    header = f"{'data':6} {'include':8} {'seconds':>9} {'models':>6} {'terms':>6} "
    header += f"{'R seconds':>16} {'R / sociaparis':>15}  same models as R"
    print(header)
    for k in (12, 16, 20):
        data = pd.read_csv(BENCH / f"bench-cs{k}.csv", index_col=0)
        tt = truth_table(data, outcome="Y", incl_cut=1)
        for include in ("?", ""):
            best = float("inf")
            for _ in range(args.repeat):
                start = time.perf_counter()
                result = minimize(tt, include=include)
                best = min(best, time.perf_counter() - start)
            r_seconds, r_answer = reference.get((f"cs{k}", include), ("not run", ""))
            number = re.match(r"^(>?)\s*([0-9.]+)", r_seconds)
            if number:
                ratio = f"{number.group(1)}{float(number.group(2)) / best:.0f}x"
            else:
                ratio = "-"
            same = "-"
            if number and not number.group(1) and ":" in r_answer:
                expected = {t.strip() for t in r_answer.split(":", 1)[1].split("+")}
                same = str([set(m.terms) for m in result.models] == [expected])
            terms = len(result.models[0].terms)
            print(
                f"cs{k:<4} {include!r:8} {best:9.3f} {len(result.models):6d} {terms:6d} "
                f"{r_seconds:>16} {ratio:>15}  {same}"
            )


if __name__ == "__main__":
    main()
