"""Every Python snippet of the README and docs/ runs as written.

Each runs from a folder laid out like the repository (``studies/``, ``docs/``,
``tests/reference/``) where ``./scripts/demo --no-serve`` has built the demo study
in ``sociaparis-demo/``, as a reader's clone would be after the README's first
command.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from sociaparis.cli.demo import REPO_STUDY, build_demo

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"^( *)```python\n(.*?)^\1```", re.DOTALL | re.MULTILINE)


def _snippets() -> list[tuple[str, str]]:
    found = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        for number, match in enumerate(BLOCK.finditer(text), start=1):
            indent = len(match.group(1))
            code = "\n".join(line[indent:] for line in match.group(2).splitlines())
            found.append((f"{path.relative_to(ROOT)}:{number}", code))
    return found


SNIPPETS = _snippets()


@pytest.fixture(scope="module")
def reader_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("clone")
    for name in ("studies", "docs"):
        (folder / name).symlink_to(ROOT / name)
    (folder / "tests").mkdir()
    (folder / "tests" / "reference").symlink_to(ROOT / "tests" / "reference")
    build_demo(folder / "sociaparis-demo", REPO_STUDY, responses=40, seed=2026)
    yield folder


def test_the_snippets_are_found() -> None:
    assert len(SNIPPETS) >= 15
    assert any(name == "README.md:1" for name, _ in SNIPPETS)


@pytest.mark.parametrize(("name", "code"), SNIPPETS, ids=[n for n, _ in SNIPPETS])
def test_the_snippet_runs(
    name: str, code: str, reader_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(reader_folder)
    exec(compile(code, name, "exec"), {"__name__": "__snippet__"})  # noqa: S102
