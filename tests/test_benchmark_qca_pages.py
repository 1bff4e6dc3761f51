"""benchmarks/qca_pages.py: its verdicts, and one quick run (every page answers 200)."""

from __future__ import annotations

import pytest

from benchmarks.qca_pages import TARGET_S, main, verdict


@pytest.mark.parametrize(
    ("median", "target", "expected"),
    [(0.299, TARGET_S, "met"), (0.300, TARGET_S, "MISSED"), (5.0, None, "-")],
)
def test_verdicts(median: float, target: float | None, expected: str) -> None:
    assert verdict(median, target) == expected


def test_one_quick_run_times_every_page(capsys: pytest.CaptureFixture[str]) -> None:
    results = main(["--repeat", "1"])
    assert [name for name, *_ in results] == [
        "QCA page, intermediate",
        "QCA page, parsimonious",
        "calibration page",
        "saved run page",
        "XY plot (SVG)",
    ]
    assert "QCA page, intermediate" in capsys.readouterr().out
