"""The benchmark script runs end to end (on a small sample of the staff survey)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_analysis", BENCH / "analysis.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_fifty_estimates_on_a_small_sample(bench, tmp_path: Path) -> None:
    generator = BENCH / "data" / "gen_staff_100k.py"
    subprocess.run(
        [sys.executable, str(generator), "--out", str(tmp_path), "--n", "3000"],
        check=True,
        capture_output=True,
    )
    times, (raked, results) = bench.one_run(
        tmp_path / "staff_100k.csv", bench.margins(tmp_path)
    )
    assert len(results) == 50
    r_medians, r_kinds = bench.r_timings()
    assert set(r_medians) <= set(times)
    assert {k for k in times if k.startswith("kind:")} == {f"kind:{k}" for k in r_kinds}
    assert [kind for kind, _ in bench.fifty_calls(raked)].count("svychisq") == 4
    # raking reproduces the population margins it was given
    pop = bench.margins(tmp_path)["category"]
    got = raked.data.assign(w=raked.weights).groupby("category")["w"].sum()
    for level, count in pop.items():
        assert abs(got[level] - count) < 1e-6 * count


def test_r_timings_come_from_the_file_that_records_them(bench) -> None:
    medians, kinds = bench.r_timings()
    assert list(medians) == [
        "load",
        "design",
        "rake_default",
        "rake",
        "estimates50",
        "total",
    ]
    # The file's total is the median of the runs' totals: close to the sum of the
    # stages' medians (load apart), not equal to it.
    stages = ("design", "rake_default", "rake", "estimates50")
    assert sum(medians[s] for s in stages) == pytest.approx(medians["total"], rel=1e-3)
    # 50 estimates, in the kinds of the per-kind table.
    assert sum(calls for calls, _ in kinds.values()) == 50
