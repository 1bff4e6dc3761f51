"""docs/workbench.md documents every upload and case-table code; docs/qualitative.md
every command twin of the corpus pages, with its options."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from sociaparis.cli import qual_intake
from sociaparis.qual.intake_errors import IntakeError

DOCS = Path(__file__).resolve().parents[2] / "docs"
WORKBENCH = (DOCS / "workbench.md").read_text(encoding="utf-8")
QUALITATIVE = (DOCS / "qualitative.md").read_text(encoding="utf-8")
GROUP = click.Group("probe")
qual_intake.register(GROUP)


@pytest.mark.parametrize("error", list(IntakeError), ids=lambda e: e.code)
def test_every_code_is_documented(error: IntakeError) -> None:
    assert f"`{error.code}`" in WORKBENCH


@pytest.mark.parametrize("name", sorted(GROUP.commands))
def test_every_command_and_option_is_documented(name: str) -> None:
    assert f"`{name} " in QUALITATIVE
    for param in GROUP.commands[name].params:
        option = next((o for o in param.opts if o.startswith("--")), None)
        if option is not None:
            assert option in QUALITATIVE, f"{name} {option}"
