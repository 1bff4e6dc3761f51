"""The public Python API: every advertised name resolves, lazily."""

from __future__ import annotations

import subprocess
import sys

import pytest

import sociaparis


@pytest.mark.parametrize(
    "name", sorted({*sociaparis.API_MODULES, *sociaparis.API_FUNCTIONS})
)
def test_every_api_name_resolves(name: str) -> None:
    assert getattr(sociaparis, name) is not None


def test_unknown_names_raise_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        sociaparis.nope  # noqa: B018


def test_import_loads_no_heavy_dependency() -> None:
    code = (
        "import sys, sociaparis; "
        "print(sorted(m for m in ('pandas', 'spacy', 'sqlalchemy') if m in sys.modules))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "[]"
