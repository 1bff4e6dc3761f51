"""docs/qca.md documents every QCA error code and every ``sociaparis qca`` command."""

from __future__ import annotations

from pathlib import Path

import pytest

from sociaparis.cli.qca import qca
from sociaparis.compare.qca.errors import QCAError

DOC = (Path(__file__).resolve().parents[3] / "docs" / "qca.md").read_text(
    encoding="utf-8"
)


@pytest.mark.parametrize("error", list(QCAError), ids=lambda e: e.code)
def test_every_error_code_is_documented(error: QCAError) -> None:
    assert f"| `{error.code}` |" in DOC


@pytest.mark.parametrize("command", sorted(qca.commands))
def test_every_command_is_documented(command: str) -> None:
    assert f"sociaparis qca {command}" in DOC
