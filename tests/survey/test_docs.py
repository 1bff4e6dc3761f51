"""docs/instruments.md documents every survey error code and the simulate example."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sociaparis.survey.errors import SurveyError

DOC = Path(__file__).resolve().parents[2] / "docs" / "instruments.md"


@pytest.mark.parametrize("error", list(SurveyError), ids=lambda e: e.code)
def test_every_error_code_is_documented(error: SurveyError) -> None:
    assert f"| `{error.code}` |" in DOC.read_text(encoding="utf-8")


def test_documented_simulate_example_is_what_simulate_prints(form) -> None:
    from datetime import datetime

    from sociaparis.survey.simulate import simulate

    tools = (Path(__file__).parent / "forms" / "tools.md").read_text(encoding="utf-8")
    text = DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"```json\n(.*?)```", text, re.S)
    answers, output = (json.loads(block) for block in blocks[:2])
    assert simulate(form(tools), answers, now=datetime(2026, 3, 15)) == output
