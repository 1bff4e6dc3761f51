"""docs/qualitative.md documents every corpus error code and every corpus command."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from sociaparis.cli import qual_corpus
from sociaparis.qual.corpus_errors import CorpusError

DOC = (Path(__file__).resolve().parents[2] / "docs" / "qualitative.md").read_text(
    encoding="utf-8"
)
GROUP = click.Group("probe")
qual_corpus.register(GROUP)


@pytest.mark.parametrize("error", list(CorpusError), ids=lambda e: e.code)
def test_every_error_code_is_documented(error: CorpusError) -> None:
    assert f"| `{error.code}` |" in DOC


@pytest.mark.parametrize("name", sorted(GROUP.commands))
def test_every_command_and_option_is_documented(name: str) -> None:
    command = GROUP.commands[name]
    assert f"`{name}" in DOC
    commands = [command]
    if isinstance(command, click.Group):
        commands += list(command.commands.values())
        for sub in command.commands:
            assert sub in DOC, f"{name} {sub}"
    for each in commands:
        for param in each.params:
            option = next((o for o in param.opts if o.startswith("--")), None)
            if option is not None:
                assert option in DOC, f"{each.name} {option}"
