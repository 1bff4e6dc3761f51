"""The benchmark tables give back the rule they were generated from.

``tests/reference/qca/bench/TIMING.md``: the data follow Y = X1*~X2*X3 + X4*X5 +
~X6*X7*~X8 without noise, and R QCA 3.23 returned exactly that model for cs12 with
``include = "?"`` (56.5 s). cs16 goes through the on-demand search (more than 12
conditions), cs12 through the full prime implicant chart.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sociaparis.compare.qca import minimize, truth_table

BENCH = Path(__file__).resolve().parents[2] / "reference" / "qca" / "bench"
RULE = {"X1*~X2*X3", "X4*X5", "~X6*X7*~X8"}


@pytest.mark.parametrize(("k", "complete"), [(12, True), (16, False)])
def test_parsimonious_model_is_the_generating_rule(k: int, complete: bool) -> None:
    data = pd.read_csv(BENCH / f"bench-cs{k}.csv", index_col=0)
    result = minimize(truth_table(data, outcome="Y", incl_cut=1), include="?")
    assert [set(m.terms) for m in result.models] == [RULE]
    assert result.pi_chart_complete is complete
    assert set(result.essential) == RULE
