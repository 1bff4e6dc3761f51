"""The docs stay true to the code: generated references, settings, links."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from sociaparis.core.config import Settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("doc", ["docs/cli.md", "docs/errors.md"])
def test_generated_references_are_current(doc: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cogapp", "--check", doc],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, (
        f"{doc} is out of date: run `make docs`\n{result.stdout}"
    )


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_every_setting_is_in_the_readme(field: str) -> None:
    assert f"SOCIAPARIS_{field.upper()}" in README


@pytest.mark.parametrize(
    "link", sorted(set(re.findall(r"\]\(((?:docs|studies)/[^)#]+)\)", README)))
)
def test_readme_links_exist(link: str) -> None:
    assert (ROOT / link).exists()


def test_every_doc_page_is_linked_from_the_readme_or_another_page() -> None:
    pages = {p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").glob("*.md")}
    texts = README + "".join((ROOT / page).read_text(encoding="utf-8") for page in pages)
    orphans = {
        page for page in pages if page not in texts and Path(page).name not in texts
    }
    assert orphans == set()
