"""docs/statistics.md documents every analysis error code and every stats command."""

from __future__ import annotations

from pathlib import Path

import pytest

from sociaparis.analysis.errors import AnalysisError
from sociaparis.cli.stats import stats

DOC = (Path(__file__).resolve().parents[2] / "docs" / "statistics.md").read_text(
    encoding="utf-8"
)


@pytest.mark.parametrize("error", list(AnalysisError), ids=lambda e: e.code)
def test_every_error_code_is_documented(error: AnalysisError) -> None:
    assert f"| `{error.code}` |" in DOC


@pytest.mark.parametrize("command", sorted(stats.commands))
def test_every_command_is_documented(command: str) -> None:
    assert f"sociaparis stats {command}" in DOC
