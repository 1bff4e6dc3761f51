"""The layers of ARCHITECTURE.md: imports point down only."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "sociaparis"
INTERFACES = {"web", "cli"}
CORE = "core"


def _imported_layers(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    layers: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "sociaparis" and len(parts) > 1:
                layers.add(parts[1])
    return layers


def _modules_of(layer: str) -> list[Path]:
    return sorted((PACKAGE / layer).rglob("*.py"))


@pytest.mark.parametrize(
    "layer",
    sorted(
        p.name
        for p in PACKAGE.iterdir()
        if p.is_dir() and p.name not in INTERFACES | {"migrations", "__pycache__"}
    ),
)
def test_domain_and_core_never_import_interfaces(layer: str) -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(_imported_layers(path) & INTERFACES)
        for path in _modules_of(layer)
        if _imported_layers(path) & INTERFACES
    }
    assert offenders == {}


def test_core_imports_nothing_above_it() -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(_imported_layers(path) - {CORE})
        for path in _modules_of(CORE)
        if _imported_layers(path) - {CORE}
    }
    assert offenders == {}
