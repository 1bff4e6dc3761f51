"""docs/exports.md documents every export error code, format and the CLI options."""

from __future__ import annotations

from pathlib import Path

import pytest

from sociaparis.cli.export import export
from sociaparis.survey.io.errors import ExportError
from sociaparis.survey.io.writers import FORMATS

DOC = Path(__file__).resolve().parents[3] / "docs" / "exports.md"


@pytest.mark.parametrize("error", list(ExportError), ids=lambda e: e.code)
def test_every_error_code_is_documented(error: ExportError) -> None:
    assert f"| `{error.code}` |" in DOC.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_is_documented(fmt: str) -> None:
    assert f"| `{fmt}` |" in DOC.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "option", [opt for p in export.params for opt in p.opts if opt.startswith("--")]
)
def test_every_option_is_documented(option: str) -> None:
    assert option in DOC.read_text(encoding="utf-8")
