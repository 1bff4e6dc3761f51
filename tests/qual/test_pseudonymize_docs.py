"""docs/pseudonymization.md documents every pseudonymization error and CLI option."""

from __future__ import annotations

from pathlib import Path

import pytest

from sociaparis.cli.qual import pseudonymize_command
from sociaparis.qual.errors import QualError

DOC = (Path(__file__).resolve().parents[2] / "docs" / "pseudonymization.md").read_text(
    encoding="utf-8"
)
ERRORS = [e for e in QualError if e.name.startswith("PSEUDO_")]


def test_the_pseudonymization_codes_are_in_their_range() -> None:
    assert len(ERRORS) == 13
    assert all(50 <= int(e.code.removeprefix("QUAL_")) <= 99 for e in ERRORS)


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: e.code)
def test_every_error_code_is_documented(error: QualError) -> None:
    assert f"| `{error.code}` |" in DOC


@pytest.mark.parametrize(
    "option",
    sorted(p.opts[0] for p in pseudonymize_command.params if p.opts[0][:2] == "--"),
)
def test_every_option_is_documented(option: str) -> None:
    assert f"`{option}`" in DOC
