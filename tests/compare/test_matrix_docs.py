"""docs/qca.md documents every case-matrix error code and ``sociaparis cases`` command."""

from __future__ import annotations

from pathlib import Path

import pytest

from sociaparis.cli.cases import cases
from sociaparis.compare.matrix.errors import MatrixError

DOC = (Path(__file__).resolve().parents[2] / "docs" / "qca.md").read_text(
    encoding="utf-8"
)


@pytest.mark.parametrize("error", list(MatrixError), ids=lambda e: e.code)
def test_every_error_code_is_documented(error: MatrixError) -> None:
    assert f"| `{error.code}` |" in DOC


@pytest.mark.parametrize("command", sorted(cases.commands))
def test_every_command_and_option_is_documented(command: str) -> None:
    line = next(
        (ln for ln in DOC.splitlines() if ln.startswith(f"sociaparis cases {command} ")),
        None,
    ) or next(ln for ln in DOC.splitlines() if ln == f"sociaparis cases {command}")
    for param in cases.commands[command].params:
        for option in param.opts:
            if option.startswith("--"):
                assert option in line, (command, option)
