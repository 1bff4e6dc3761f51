"""docs/xpath.md documents every function and every error code (HOUSE-STYLE §24)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sociaparis.survey.xpath import FUNCTIONS, XPathErrorCode
from sociaparis.survey.xpath.parser import UNSUPPORTED

DOC = (Path(__file__).resolve().parents[3] / "docs" / "xpath.md").read_text("utf-8")


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_function_is_documented(name: str) -> None:
    assert f"`{name}(" in DOC


@pytest.mark.parametrize("name", sorted(UNSUPPORTED))
def test_refused_function_is_documented(name: str) -> None:
    assert f"`{name}`" in DOC


@pytest.mark.parametrize("error", list(XPathErrorCode), ids=lambda error: error.code)
def test_error_code_is_documented(error: XPathErrorCode) -> None:
    assert f"| `{error.code}` |" in DOC
